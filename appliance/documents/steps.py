"""The appliance's ingest steps (store, database, index); the durable file moves are appliance.storage's.

Order matters, because nothing is deleted before it is safely stored:
stage copy (hashed, fsynced) -> duplicate check -> extract -> chunk -> original published under
originals/<hash[:2]>/<hash> (fsynced) -> one DB transaction (document, version, chunks, audit) ->
index -> only then may the caller remove the drop-folder file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlmodel import Session, select

from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Chunk, Collection, Document, DocumentVersion, utcnow
from ingest.chunk import CHUNKER_VERSION
from ingest.steps import IngestContext, Step, StopIngest
from ingest.types import IngestError

if TYPE_CHECKING:
    from appliance.context import Appliance

log = logging.getLogger(__name__)


# --- Appliance steps -----------------------------------------------------------------------------


@dataclass
class PipelineContext(IngestContext):
    app: Appliance | None = None
    collection_id: int = 0
    collection_name: str = ""
    actor: str = "system"
    parent_id: int | None = None
    document_id: int | None = None
    version_id: int | None = None
    state: str = ""  # ingested | needs_ocr | new_version | duplicate
    resume_children: bool = False  # a crash left a stored mail's attachments unprocessed
    new_chunk_ids: list[int] = field(default_factory=list)
    retired_chunk_ids: list[int] = field(default_factory=list)
    index_deferred: bool = False

    @property
    def appliance(self) -> Appliance:
        assert self.app is not None
        return self.app


class CheckDuplicate(Step):
    """Same bytes already stored in this collection: stop as 'duplicate' (no new rows)."""

    name = "check_duplicate"

    def run(self, ctx: IngestContext) -> None:
        assert isinstance(ctx, PipelineContext)
        with read_session(ctx.appliance.db) as s:
            found = _existing_version(s, ctx.collection_id, ctx.content_hash)
        if found is None:
            return
        version, doc = found
        ctx.document_id, ctx.version_id, ctx.state = doc.id, version.id, "duplicate"
        if (doc.meta or {}).get("children_pending"):
            ctx.resume_children = True  # re-extract so the attachments get their turn
            return
        raise StopIngest("duplicate")


def _existing_version(s: Session, collection_id: int, content_hash: str) -> tuple[DocumentVersion, Document] | None:
    version = s.exec(
        select(DocumentVersion).where(
            DocumentVersion.collection_id == collection_id, DocumentVersion.content_hash == content_hash
        )
    ).first()
    if version is None:
        return None
    doc = s.get(Document, version.document_id)
    assert doc is not None
    return version, doc


class PublishOriginal(Step):
    name = "publish_original"

    def able_to_run(self, ctx: IngestContext) -> bool:
        return ctx.staged is not None

    def run(self, ctx: IngestContext) -> None:
        assert isinstance(ctx, PipelineContext) and ctx.staged is not None
        ctx.appliance.layout.originals_store().put_file(ctx.staged, ctx.content_hash)


class CommitToStore(Step):
    """Document, version, chunks and the audit event in one write transaction."""

    name = "commit"

    def able_to_run(self, ctx: IngestContext) -> bool:
        return not (isinstance(ctx, PipelineContext) and ctx.resume_children)

    def run(self, ctx: IngestContext) -> None:
        assert isinstance(ctx, PipelineContext) and ctx.extracted is not None
        app, ex = ctx.appliance, ctx.extracted
        stored = app.layout.originals_store().path_for(ctx.content_hash)
        with write_session(app.db) as s:
            found = _existing_version(s, ctx.collection_id, ctx.content_hash)
            if found is not None:  # another process stored it since our check
                ctx.version_id, ctx.document_id = found[0].id, found[1].id
                raise StopIngest("duplicate")
            doc, number = _document_for(s, ctx)
            _describe(doc, ctx)
            s.add(doc)
            s.flush()
            version = DocumentVersion(
                document_id=doc.id, collection_id=ctx.collection_id, number=number,  # type: ignore[arg-type]
                content_hash=ctx.content_hash,
                stored_path=app.layout.relative(stored),
                size=ctx.size, pages=len(ex.pages), chunker_version=CHUNKER_VERSION,
            )
            s.add(version)
            s.flush()
            rows = [
                Chunk(version_id=version.id, document_id=doc.id, collection_id=ctx.collection_id,  # type: ignore[arg-type]
                      ordinal=c.ordinal, text=c.text, page=c.page, char_start=c.char_start,
                      char_end=c.char_end, language=c.language, context=c.context)
                for c in ctx.chunks
            ]
            s.add_all(rows)
            doc.current_version_id = version.id
            s.add(doc)
            s.add(AuditEvent(
                actor=ctx.actor, action=f"document.{ctx.state}", target=f"document:{doc.id}",
                # No names or content here: the audit log must not carry personal data.
                detail={"collection": ctx.collection_name, "version": number, "chunks": len(rows),
                        "hash": ctx.content_hash[:16]},
            ))
            s.flush()
            ctx.document_id, ctx.version_id = doc.id, version.id
            ctx.new_chunk_ids = [r.id for r in rows if r.id is not None]


def _document_for(s: Session, ctx: PipelineContext) -> tuple[Document, int]:
    """The document at this source path (a new one, or the existing one with its versions and chunks
    retired) and the number of the version about to be stored; sets the outcome state."""
    assert ctx.extracted is not None
    doc = s.exec(
        select(Document).where(
            Document.collection_id == ctx.collection_id, Document.source_path == ctx.source_name
        )
    ).first()
    if doc is None:
        ctx.state = "needs_ocr" if ctx.extracted.needs_ocr else "ingested"
        return Document(collection_id=ctx.collection_id, source_path=ctx.source_name), 1
    ctx.state = "new_version"
    ctx.retired_chunk_ids = list(
        s.exec(select(Chunk.id).where(Chunk.document_id == doc.id, Chunk.active)).all()  # type: ignore[arg-type]
    )
    if ctx.retired_chunk_ids:
        s.exec(update(Chunk).where(Chunk.id.in_(ctx.retired_chunk_ids)).values(active=False))  # type: ignore[union-attr]
    previous = s.exec(select(DocumentVersion).where(DocumentVersion.document_id == doc.id)).all()
    for v in previous:
        if v.retired_at is None:
            v.retired_at = utcnow()
            s.add(v)
    return doc, max((v.number for v in previous), default=0) + 1


def _describe(doc: Document, ctx: PipelineContext) -> None:
    """Title, kind, state and metadata of the document from what was extracted."""
    ex = ctx.extracted
    assert ex is not None
    doc.parent_id = ctx.parent_id if doc.parent_id is None else doc.parent_id
    doc.title = (ex.title or Path(ctx.source_name).stem)[:500]
    doc.kind, doc.mime, doc.language = ex.kind, ex.mime, ctx.language
    doc.state = "needs_ocr" if ex.needs_ocr else "ingested"
    doc.state_detail = "waiting for OCR" if ex.needs_ocr else ""
    doc.meta = {**(ex.meta or {}), "children_pending": bool(ex.children)}
    if not ex.needs_ocr:
        doc.meta["structure"] = extract_structure(ex.text, meta=ex.meta).as_dict()
    doc.updated_at = utcnow()


def extract_structure(text: str, meta: dict[str, Any] | None) -> Any:
    from appliance.documents.structure import extract_structure as extract

    return extract(text, meta=meta)


class IndexChunks(Step):
    """Keyword and vector index after the commit; a failure here is repaired at the next start."""

    name = "index"

    def able_to_run(self, ctx: IngestContext) -> bool:
        return isinstance(ctx, PipelineContext) and bool(ctx.new_chunk_ids or ctx.retired_chunk_ids)

    def run(self, ctx: IngestContext) -> None:
        assert isinstance(ctx, PipelineContext)
        from appliance.index.sync import index_chunks, unindex_chunks

        try:
            if ctx.retired_chunk_ids:
                unindex_chunks(ctx.appliance, ctx.retired_chunk_ids)
            if ctx.new_chunk_ids:
                index_chunks(ctx.appliance, ctx.new_chunk_ids)
        except Exception:
            # The document is committed; reconcile_index() at the next start puts the index right.
            log.exception("indexing document %s deferred", ctx.document_id)
            ctx.index_deferred = True


class Pseudonymise(Step):
    """In a collection set to pseudonymise, personal data is replaced before chunking: the pseudonymised
    text is the only text indexed or shown (the original file stays, behind the permission check)."""

    name = "pseudonymise"

    def able_to_run(self, ctx: IngestContext) -> bool:
        from appliance.privacy import collection_pseudonymises

        return (isinstance(ctx, PipelineContext) and ctx.extracted is not None
                and collection_pseudonymises(ctx.appliance, ctx.collection_id))

    def run(self, ctx: IngestContext) -> None:
        assert isinstance(ctx, PipelineContext) and ctx.extracted is not None
        from appliance.privacy import pseudonymise_name, pseudonymise_pages

        if not ctx.extracted.needs_ocr:  # a scan's text is pseudonymised after OCR (ocr_documents)
            ctx.extracted.pages = pseudonymise_pages(ctx.appliance, ctx.collection_id, ctx.extracted.pages)
        # A title or a file name can carry a name: the document is stored under the pseudonymised
        # file name, and its stem is the title.
        ctx.source_name = pseudonymise_name(ctx.appliance, ctx.collection_id, ctx.source_name)
        ctx.extracted.title = ""
        ctx.extracted.meta = {k: v for k, v in (ctx.extracted.meta or {}).items()
                              if k not in ("sender", "to", "cc", "author", "subject")}


def pipeline_steps() -> list[Step]:
    from ingest.steps import CheckSize, ChunkText, ExtractText, StageCopy

    return [CheckSize(), StageCopy(), CheckDuplicate(), ExtractText(), Pseudonymise(), ChunkText(),
            PublishOriginal(), CommitToStore(), IndexChunks()]


def clear_children_pending(app: Appliance, document_id: int) -> None:
    with write_session(app.db) as s:
        doc = s.get(Document, document_id)
        if doc is not None and (doc.meta or {}).get("children_pending"):
            doc.meta = {**doc.meta, "children_pending": False}
            s.add(doc)


def wrap_unexpected(exc: BaseException) -> IngestError:
    return IngestError(
        "ingest.internal",
        f"unexpected error while ingesting ({type(exc).__name__})",
        "retry the file; if it fails again, send the worker log to the administrator",
    )


def collection_row(app: Appliance, name: str) -> Collection | None:
    with read_session(app.db) as s:
        return s.exec(select(Collection).where(Collection.name == name)).first()
