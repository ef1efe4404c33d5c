"""Documents chunked by an older chunker are chunked again from their stored originals.

A new CHUNKER_VERSION changes what a chunk is (tables row by row, heading paths): `belfort reindex`
calls `rechunk_stale` first, so the rebuilt index holds the new chunks and not only new vectors of
the old ones. The original is read from the content store and extracted caged, as at ingest; a
version whose text came from OCR (the file itself has none) keeps its chunks.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlmodel import col, select

from appliance.cage import ingest_limits
from appliance.db.engine import read_session, write_session
from appliance.db.tables import Chunk, Document, DocumentVersion
from appliance.documents.steps import PipelineContext, Pseudonymise
from ingest.chunk import CHUNKER_VERSION
from ingest.steps import ChunkText, ExtractText, StageCopy, run_steps
from ingest.types import ChunkDraft, IngestError

if TYPE_CHECKING:
    from appliance.context import Appliance

log = logging.getLogger(__name__)


def rechunk_stale(app: Appliance) -> dict[str, int]:
    """Chunk the current versions made by an older chunker again; returns counts."""
    with read_session(app.db) as s:
        stale = s.exec(
            select(Document, DocumentVersion)
            .where(col(Document.current_version_id) == col(DocumentVersion.id))
            .where(Document.state == "ingested", DocumentVersion.chunker_version != CHUNKER_VERSION)
        ).all()
    report = {"rechunked": 0, "kept": 0, "failed": 0}
    for doc, version in stale:
        try:
            drafts = _drafts(app, doc, version)
        except (IngestError, OSError) as exc:
            log.warning("rechunk of document %s failed: %s", doc.id, getattr(exc, "code", type(exc).__name__))
            report["failed"] += 1
            continue
        if drafts is None:
            report["kept"] += 1
            continue
        _replace(app, doc, version, drafts)
        report["rechunked"] += 1
    return report


def _drafts(app: Appliance, doc: Document, version: DocumentVersion) -> list[ChunkDraft] | None:
    stored = app.layout.originals_store().path_for(version.content_hash)
    if not stored.is_file():
        raise IngestError("ingest.missing", "the stored original is missing")
    settings = app.settings
    ctx = PipelineContext(
        path=stored, source_name=doc.source_path, staging_dir=app.layout.staging,
        chunk_chars=settings.ingest.chunk_chars, chunk_overlap=settings.ingest.chunk_overlap,
        app=app, collection_id=doc.collection_id, limits=ingest_limits(settings),
    )
    run_steps([StageCopy(), ExtractText(), Pseudonymise(), ChunkText()], ctx)
    if ctx.extracted is None or ctx.extracted.needs_ocr or not ctx.chunks:
        return None  # its text came from OCR: the file alone cannot give it again
    return ctx.chunks


def _replace(app: Appliance, doc: Document, version: DocumentVersion, drafts: list[ChunkDraft]) -> None:
    """Old chunks out of the indices, then replaced by the new ones in one transaction, then indexed.

    The old rows are deleted, not retired: a version's pages are rebuilt from all its chunks. A crash
    in between leaves chunks that `ensure_index` puts back in the indices at the next start."""
    from appliance.index.sync import index_chunks, unindex_chunks

    with read_session(app.db) as s:
        old = [i for i in s.exec(select(Chunk.id).where(Chunk.version_id == version.id)).all() if i is not None]
    unindex_chunks(app, old)  # before the delete: it looks up each chunk's collection
    with write_session(app.db) as s:
        if old:
            s.execute(delete(Chunk).where(col(Chunk.id).in_(old)))
        rows = [Chunk(version_id=version.id, document_id=doc.id, collection_id=doc.collection_id,  # type: ignore[arg-type]
                      ordinal=d.ordinal, text=d.text, page=d.page, char_start=d.char_start,
                      char_end=d.char_end, language=d.language, context=d.context) for d in drafts]
        s.add_all(rows)
        stored = s.get(DocumentVersion, version.id)
        if stored is not None:
            stored.chunker_version = CHUNKER_VERSION
            s.add(stored)
        s.flush()
        new = [r.id for r in rows if r.id is not None]
    index_chunks(app, new)
