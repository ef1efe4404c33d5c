"""Response shapes of the JSON API (they define the OpenAPI schema)."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class SearchOut:
    query: str
    total: int
    took_ms: float
    hits: list[HitOut] = field(default_factory=list)


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
