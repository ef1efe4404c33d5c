"""Images (PNG, JPEG, TIFF): stored as they are and marked for OCR, which comes later."""

from __future__ import annotations

import struct
from pathlib import Path

from ingest.extract.common import title_from_stem
from ingest.types import Extracted, IngestError


def extract_image(path: Path, mime: str) -> Extracted:
    with open(path, "rb") as fh:
        head = fh.read(64)
    meta: dict[str, object] = {}
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(head) < 24 or head[12:16] != b"IHDR":
            raise IngestError("ingest.corrupt", "This PNG image is damaged.",
                              hint="Open it in an image viewer, save it again and retry.")
        meta["width"], meta["height"] = struct.unpack(">II", head[16:24])
    return Extracted(kind="image", mime=mime, title=title_from_stem(path), pages=[], needs_ocr=True,
                     meta=meta)
