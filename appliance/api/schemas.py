"""Response shapes of the JSON API (they define the OpenAPI schema)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Row ids in paths: one bounded type for the API and the web UI, re-exported for the API modules.

# Python's whitespace (str.isspace: what strip() and split() remove), spelled out for schema patterns:
# those are ECMA-262 regexes, whose \s and \S are another set (no \x1c-\x1f, \x85).
SPACE_CLASS = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = f"[^{SPACE_CLASS}]"  # a pattern: holds something besides whitespace


@dataclass
class ErrorBody:
    code: str
    message: str
    hint: str


@dataclass
class ErrorResponse:
    error: ErrorBody


@dataclass
class HitOut:
    chunk_id: int
    document_id: int
    collection: str
    title: str
    source_path: str
    page: int
    text: str
    snippet_html: str
    score: float
    language: str
    document_url: str
    original_url: str
    coverage: float = 1.0  # weighted share of the query's content words in the passage
    relevant: bool = True  # the passage holds enough of them to be about the query


@dataclass
class SegmentOut:
    """A transcript segment, in a recording's transcript and under a minutes item."""

    id: int
    start: float
    end: float
    text: str
    speaker: str


@dataclass
class SearchOut:
    query: str
    total: int
    took_ms: float
    hits: list[HitOut] = field(default_factory=list)
    relevant: bool = False  # some hit is about the query; the hits are the nearest passages either way


@dataclass
class DocumentOut:
    id: int
    collection: str
    source_path: str
    title: str
    kind: str
    mime: str
    language: str
    state: str
    created_at: str
    updated_at: str
    original_url: str


@dataclass
class DocumentList:
    items: list[DocumentOut]
    total: int


@dataclass
class UploadOut:
    job_id: str
    collection: str
    filename: str
    size: int


@dataclass
class JobOut:
    job_id: str
    kind: str
    target: str
    collection: str
    state: str
    code: str
    message: str
    progress: float
    created_at: str
    finished_at: str | None


@dataclass
class FailedOut:
    id: int
    collection: str
    original_name: str
    code: str
    reason: str
    hint: str
    at: str


@dataclass
class HealthOut:
    status: str
    version: str
    schema_version: int
