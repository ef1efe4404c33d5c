"""File -> Extracted: detect the kind, run its extractor, never leak a library exception.

Every failure is an IngestError with a stable code (ingest.empty, ingest.corrupt, ingest.encrypted,
ingest.unsupported_type, ingest.encoding) and a hint a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.detect import detect
from ingest.extract.common import wrap_errors
from ingest.types import Extracted

Extractor = Callable[[Path, str], Extracted]


def _registry() -> dict[str, Extractor]:
    # Imported here so that detecting a file's kind does not load every parsing library.
    from ingest.extract.html import extract_html
    from ingest.extract.image import extract_image
    from ingest.extract.mail import extract_eml, extract_msg
    from ingest.extract.office import extract_docx, extract_odt
    from ingest.extract.pdf import extract_pdf
    from ingest.extract.sheet import extract_csv, extract_xlsx
    from ingest.extract.text import extract_text

    return {
        "pdf": extract_pdf, "docx": extract_docx, "odt": extract_odt, "xlsx": extract_xlsx,
        "csv": extract_csv, "html": extract_html, "text": extract_text, "eml": extract_eml,
        "msg": extract_msg, "image": extract_image,
    }


def extract(path: Path) -> Extracted:
    path = Path(path)
    kind, mime = detect(path)
    extractor = _registry()[kind]
    with wrap_errors(kind.upper()):
        result = extractor(path, mime)
    result.mime = result.mime or mime
    return result


__all__ = ["extract"]
