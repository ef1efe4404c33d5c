"""Documents waiting in state `needs_ocr` become searchable: OCR the stored original, keep the PDF/A
copy beside it, chunk the page texts with their page anchors, index them. Nothing is lost when an
engine or its language data is missing: the document keeps waiting with the reason in state_detail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from appliance.cage import FAILURE_CODES
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Chunk, Document, DocumentVersion, utcnow
from appliance.documents.structure import extract_structure
from appliance.errors import BelfortError
from appliance.ocr import ocr_caged
from appliance.privacy import collection_pseudonymises, pseudonymise_pages
from ingest.chunk import chunk_pages, dominant_language
from ingest.types import Page

log = logging.getLogger(__name__)


@dataclass
class OcrOutcome:
    document_id: int
    state: str  # ingested | needs_ocr (still waiting) | failed (hostile content, see FAILURE_CODES) | skipped
    pages: int = 0
    confidence: float = 0.0
    code: str = ""
    message: str = ""


def pending_ocr_ids(app: Appliance, limit: int | None = None) -> list[int]:
    with read_session(app.db) as s:
        q = select(Document.id).where(Document.state == "needs_ocr").order_by(Document.id)  # type: ignore[arg-type]
        ids = s.exec(q.limit(limit) if limit else q).all()
    return [i for i in ids if i is not None]


def ocr_pending(app: Appliance, *, limit: int | None = None, actor: str = "system") -> list[OcrOutcome]:
    return [ocr_document(app, doc_id, actor=actor) for doc_id in pending_ocr_ids(app, limit)]


def ocr_document(app: Appliance, document_id: int, *, actor: str = "system") -> OcrOutcome:
    with read_session(app.db) as s:
        doc = s.get(Document, document_id)
        version = s.get(DocumentVersion, doc.current_version_id) if doc and doc.current_version_id else None
    if doc is None or version is None or doc.state != "needs_ocr":
        return OcrOutcome(document_id, "skipped")
    stored = app.layout.stored(version.stored_path)
    pdfa = stored.with_name(stored.name + ".pdfa.pdf") if app.settings.ocr.pdfa else None
    try:
        result = ocr_caged(app.settings, stored, pdfa_out=pdfa, engine=app.ocr_engine_name)
    except BelfortError as exc:
        if exc.code in FAILURE_CODES:  # hostile or runaway content: trying again at each start won't help
            _give_up(app, document_id, exc, actor)
            return OcrOutcome(document_id, "failed", code=exc.code, message=exc.message)
        _keep_waiting(app, document_id, exc)
        return OcrOutcome(document_id, "needs_ocr", code=exc.code, message=exc.message)

    pages = [Page(number=p.number, text=p.text) for p in result.pages]
    if collection_pseudonymises(app, doc.collection_id):
        pages = pseudonymise_pages(app, doc.collection_id, pages)
    drafts = chunk_pages(pages, size=app.settings.ingest.chunk_chars, overlap=app.settings.ingest.chunk_overlap,
                         title=doc.title)
    with write_session(app.db) as s:
        doc = s.get(Document, document_id)
        version = s.get(DocumentVersion, version.id)
        assert doc is not None and version is not None
        if doc.state != "needs_ocr" or doc.current_version_id != version.id:  # another worker was faster
            return OcrOutcome(document_id, "skipped")
        rows = [Chunk(version_id=version.id, document_id=document_id, collection_id=doc.collection_id,  # type: ignore[arg-type]
                      ordinal=d.ordinal, text=d.text, page=d.page, char_start=d.char_start,
                      char_end=d.char_end, language=d.language, context=d.context) for d in drafts]
        s.add_all(rows)
        version.pages = len(pages)
        s.add(version)
        doc.state, doc.state_detail = "ingested", ""
        doc.language = doc.language or dominant_language(drafts)
        doc.meta = {**(doc.meta or {}), "structure": extract_structure("\n\n".join(p.text for p in pages)).as_dict(),
                    "ocr": {
            "engine": result.engine,
            "page_confidence": [round(p.confidence, 3) for p in result.pages],
            "page_source": [p.source for p in result.pages],
            "page_engine": [p.engine for p in result.pages],  # who read each OCRed page ("" text layer)
            "page_choice": [p.choice for p in result.pages],  # with engine auto: why that engine
            "pdfa": app.layout.relative(result.pdfa_path) if result.pdfa_path else "",
        }}
        doc.updated_at = utcnow()
        s.add(doc)
        s.add(AuditEvent(actor=actor, action="document.ocr", target=f"document:{document_id}",
                         detail={"engine": result.engine, "page_engine": [p.engine for p in result.pages],
                                 "pages": len(pages), "chunks": len(rows),
                                 "confidence": round(result.mean_confidence, 3)}))
        s.flush()
        chunk_ids = [r.id for r in rows if r.id is not None]
    from appliance.index.sync import index_chunks

    try:
        index_chunks(app, chunk_ids)
    except Exception:
        log.exception("indexing OCR text of document %s deferred", document_id)
    return OcrOutcome(document_id, "ingested", pages=len(pages), confidence=result.mean_confidence)


def _give_up(app: Appliance, document_id: int, exc: BelfortError, actor: str) -> None:
    with write_session(app.db) as s:
        doc = s.get(Document, document_id)
        if doc is not None and doc.state == "needs_ocr":
            doc.state, doc.state_detail = "failed", f"{exc.code}: {exc.hint or exc.message}"[:500]
            doc.updated_at = utcnow()
            s.add(doc)
            s.add(AuditEvent(actor=actor, action="document.ocr_failed", target=f"document:{document_id}",
                             detail={"code": exc.code}))


def _keep_waiting(app: Appliance, document_id: int, exc: BelfortError) -> None:
    with write_session(app.db) as s:
        doc = s.get(Document, document_id)
        if doc is not None:
            doc.state_detail = f"{exc.code}: {exc.hint or exc.message}"[:500]
            s.add(doc)


def pdfa_copy(app: Appliance, document: Document) -> Path | None:
    rel = (document.meta or {}).get("ocr", {}).get("pdfa")
    return app.layout.stored(rel) if rel else None
