"""Reads of documents, always through a Principal: unreadable is NotFound, never Forbidden.

Re-exported by appliance.documents.ingest (the contract's home of these names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text as sql_text
from sqlmodel import Session, col, select

from appliance.access import Principal, can_read_collection, can_read_document, read_scope
from appliance.db.engine import read_session
from appliance.db.tables import Chunk, Collection, Document, DocumentVersion
from appliance.errors import Forbidden, NotFound
from appliance.index.acl import readable_sql
from appliance.storage.names import safe_file_name

if TYPE_CHECKING:
    from appliance.context import Appliance


@dataclass(frozen=True)
class VersionInfo:
    id: int
    number: int
    content_hash: str
    size: int
    pages: int
    chunker_version: str
    created_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    collection: str
    collection_title: str
    source_path: str
    title: str
    kind: str
    mime: str
    language: str
    state: str
    state_detail: str
    parent_id: int | None
    current_version_id: int | None
    created_at: datetime
    updated_at: datetime
    versions: tuple[VersionInfo, ...] = ()
    children: tuple[tuple[int, str], ...] = ()  # (document id, title) of readable attachments


_NOT_FOUND_HINT = "check the link; the document may have been removed or is not shared with you"


def _readable(s: Session, who: Principal, document_id: int) -> tuple[Document, Collection]:
    doc = s.get(Document, document_id)
    if (doc is None or not can_read_collection(s, who, doc.collection_id)
            or not can_read_document(s, who, document_id)):
        raise NotFound("document.not_found", f"document {document_id} not found", hint=_NOT_FOUND_HINT)
    coll = s.get(Collection, doc.collection_id)
    assert coll is not None
    return doc, coll


def _info(doc: Document, coll: Collection, versions: tuple[VersionInfo, ...] = (),
          children: tuple[tuple[int, str], ...] = ()) -> DocumentInfo:
    assert doc.id is not None
    return DocumentInfo(
        doc.id, coll.name, coll.title, doc.source_path, doc.title, doc.kind, doc.mime, doc.language,
        doc.state, doc.state_detail, doc.parent_id, doc.current_version_id, doc.created_at, doc.updated_at,
        versions, children,
    )


def get_document(app: Appliance, who: Principal, document_id: int) -> DocumentInfo:
    with read_session(app.db) as s:
        doc, coll = _readable(s, who, document_id)
        versions = tuple(
            VersionInfo(v.id, v.number, v.content_hash, v.size, v.pages, v.chunker_version,  # type: ignore[arg-type]
                        v.created_at, v.retired_at)
            for v in s.exec(select(DocumentVersion).where(DocumentVersion.document_id == doc.id)
                            .order_by(col(DocumentVersion.number))).all()
        )
        children = tuple(
            (c.id, c.title) for c in s.exec(select(Document).where(Document.parent_id == doc.id)
                                            .order_by(col(Document.id))).all()
            if c.id is not None
        )
        return _info(doc, coll, versions, children)


def list_documents(app: Appliance, who: Principal, collection: str | None = None, limit: int = 50,
                   offset: int = 0) -> list[DocumentInfo]:
    with read_session(app.db) as s:
        scope = read_scope(s, who)
        if not scope.collections:
            return []
        q = select(Document, Collection).join(Collection, Collection.id == Document.collection_id)  # type: ignore[arg-type]
        q = q.where(col(Document.collection_id).in_(scope.collections))
        q = q.where(sql_text(readable_sql(scope, "document.id")))
        if collection is not None:
            q = q.where(Collection.name == collection)
        q = q.order_by(col(Document.updated_at).desc(), col(Document.id).desc()).offset(offset).limit(limit)
        return [_info(d, c) for d, c in s.exec(q).all()]


def _version(s: Session, doc: Document, version_id: int | None) -> DocumentVersion:
    vid = version_id if version_id is not None else doc.current_version_id
    version = s.get(DocumentVersion, vid) if vid is not None else None
    if version is None or version.document_id != doc.id:
        raise NotFound("document.version_not_found", "no such version of this document", hint=_NOT_FOUND_HINT)
    return version


def document_pages(app: Appliance, who: Principal, document_id: int,
                   version_id: int | None = None) -> list[tuple[int, str]]:
    """(page, text) of a version, rebuilt from its chunks (overlaps merged by offset)."""
    with read_session(app.db) as s:
        doc, _ = _readable(s, who, document_id)
        version = _version(s, doc, version_id)
        chunks = s.exec(select(Chunk).where(Chunk.version_id == version.id)
                        .order_by(col(Chunk.page), col(Chunk.char_start), col(Chunk.ordinal))).all()
    pages: dict[int, str] = {}
    for c in chunks:
        text = pages.get(c.page, "")
        if c.char_start >= len(text):
            text += " " * (c.char_start - len(text)) + c.text  # a gap the chunker skipped (whitespace)
        elif c.char_start + len(c.text) > len(text):
            text += c.text[len(text) - c.char_start:]
        pages[c.page] = text
    return sorted(pages.items())


def original_file(app: Appliance, who: Principal, document_id: int,
                  version_id: int | None = None) -> tuple[Path, str, str]:
    """(stored path, download name, mime) of the original bytes, after the permission check."""
    from appliance.privacy import original_allowed

    with read_session(app.db) as s:
        doc, _ = _readable(s, who, document_id)
        version = _version(s, doc, version_id)
    if not original_allowed(app, who, doc.collection_id):
        raise Forbidden("document.original_pseudonymised",
                        "this collection is pseudonymised: the original holds the real names",
                        hint="read the pseudonymised text, or ask an administrator")
    path = app.layout.stored(version.stored_path)
    if not version.stored_path or not path.is_file():
        raise NotFound("document.original_missing", "the stored original is missing",
                       hint="restore the originals folder from the backup")
    return path, safe_file_name(doc.source_path), doc.mime or "application/octet-stream"




# Types a browser shows safely in its own viewer (PDFs then open at #page=N); any other type downloads.
INLINE_TYPES = ("application/pdf", "text/plain", "image/png", "image/jpeg")


def opens_inline(mime: str) -> bool:
    return mime in INLINE_TYPES
