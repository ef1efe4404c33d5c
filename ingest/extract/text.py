"""Plain text and Markdown: decode whatever charset the file has, keep the text as written."""

from __future__ import annotations

from pathlib import Path

from ingest.extract.common import clean_text, decode_bytes, looks_binary, title_from_stem
from ingest.types import Extracted, IngestError, Page


def extract_text(path: Path, mime: str) -> Extracted:
    data = path.read_bytes()
    if looks_binary(data):
        raise IngestError("ingest.encoding",
                          "This text file contains binary data and cannot be read as text.",
                          hint="Save it again as UTF-8 text, or convert it to PDF, and drop it again.")
    text, encoding = decode_bytes(data)
    text = clean_text(text)
    title = ""
    if path.suffix.lower() in {".md", ".markdown"}:
        for line in text.split("\n", 40)[:40]:
            if line.startswith("# "):
                title = line[2:].strip(" #")
                break
    return Extracted(kind="text", mime=mime, title=title or title_from_stem(path),
                     pages=[Page(number=1, text=text)], meta={"encoding": encoding})
