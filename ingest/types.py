"""What extraction hands to the rest of ingest: pages of text with anchors, and child documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class IngestError(Exception):
    """A file cannot be ingested: `code` is stable (ingest.empty, ingest.encrypted, ...), `hint` helps."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:  # survives the trip back from a caged child process
        return (type(self), (self.code, self.message, self.hint))


@dataclass(frozen=True)
class Heading:
    offset: int  # where the heading's text starts in its page's text
    level: int  # 0 a title inside the text, 1 a chapter, 2 a section, ...
    text: str


@dataclass
class Page:
    number: int  # 1-based; formats without pages have one page (sheets: one page per sheet)
    text: str
    headings: list[Heading] = field(default_factory=list)  # in order of offset; chunks take their path


@dataclass
class Extracted:
    kind: str  # pdf | docx | odt | html | text | eml | msg | xlsx | csv | image
    mime: str
    title: str = ""
    pages: list[Page] = field(default_factory=list)
    needs_ocr: bool = False  # scanned PDF or image: stored, waits for OCR
    children: list[Attachment] = field(default_factory=list)  # mail attachments
    meta: dict[str, Any] = field(default_factory=dict)  # sender, date, sheet names, ...

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)


@dataclass
class Attachment:
    name: str
    data: bytes


@dataclass
class ChunkDraft:
    ordinal: int
    text: str
    page: int
    char_start: int  # offsets into that page's text
    char_end: int
    language: str = ""
    context: str = ""  # heading path (document title > section > subsection); not part of text
