"""Document AI over the API: PII spans in a text or a readable document, and a redacted export."""

from __future__ import annotations

import base64
import functools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from litestar import get, post
from litestar.params import Parameter
from litestar.response import File

from appliance.api.auth import require_ingest
from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import AuditEvent
from appliance.errors import BelfortError
from appliance.services import documents
from appliance.services.access import Principal

MAX_PII_TEXT = 200_000


@dataclass
class PiiIn:
    text: str
    language: str = "nl"
    entities: list[str] | None = None


@dataclass
class PiiSpanOut:
    entity_type: str
    start: int
    end: int
    score: float
    text: str
    page: int = 1


@dataclass
class PiiOut:
    spans: list[PiiSpanOut] = field(default_factory=list)


@dataclass
class RedactIn:
    min_score: float = 0.8
    ground: str = "privacy"
    entities: list[str] | None = None


@dataclass
class RedactOut:
    document_id: int
    redactions: int
    proposals: int
    log: dict
    pdf_base64: str


def _detector(appliance: Appliance, entities: list[str] | None):  # type: ignore[no-untyped-def]
    from appliance.services.pii import default_first_names, detect_pii

    try:
        if entities:
            detect_pii("", entities=entities)  # validates the names before any work
        return functools.partial(detect_pii, ner=appliance.ner, entities=entities,
                                 first_names=default_first_names())
    except ValueError as exc:
        raise BelfortError("pii.unknown_entity", str(exc), hint="see belfort pii --help for the types") from None


@dataclass
class OcrOut:
    document_id: int
    state: str
    engine: str
    page_confidence: list[float]
    page_source: list[str]
    pdfa_url: str
    structure: dict


@get("/documents/{document_id:int}/ocr", sync_to_thread=True, summary="OCR state, page confidences, structure",
     tags=["document-ai"])
def ocr_info(appliance: Appliance, who: Principal, document_id: int) -> OcrOut:
    from appliance.db.engine import read_session
    from appliance.db.tables import Document

    documents.get_document(appliance, who, document_id)  # permission check first (NotFound)
    with read_session(appliance.db) as s:
        doc = s.get(Document, document_id)
    assert doc is not None
    ocr = (doc.meta or {}).get("ocr", {})
    return OcrOut(document_id, doc.state, ocr.get("engine", ""), ocr.get("page_confidence", []),
                  ocr.get("page_source", []), f"/api/v1/documents/{document_id}/pdfa" if ocr.get("pdfa") else "",
                  (doc.meta or {}).get("structure", {}))


@get("/documents/{document_id:int}/pdfa", sync_to_thread=True, summary="The searchable PDF/A-2b archival copy",
     tags=["document-ai"], media_type="application/pdf")
def pdfa_copy(appliance: Appliance, who: Principal, document_id: int) -> File:
    from appliance.db.engine import read_session
    from appliance.db.tables import Document
    from appliance.errors import NotFound
    from appliance.services.ocr_documents import pdfa_copy as pdfa_path

    documents.get_document(appliance, who, document_id)
    with read_session(appliance.db) as s:
        doc = s.get(Document, document_id)
    path = pdfa_path(appliance, doc) if doc else None
    if path is None or not path.is_file():
        raise NotFound("document.no_pdfa", "this document has no PDF/A copy", hint="only OCRed scans get one")
    return File(path=path, filename=f"document-{document_id}-pdfa.pdf", media_type="application/pdf")


@post("/pii", sync_to_thread=True, summary="Find personal data in a text", tags=["document-ai"])
def pii_text(appliance: Appliance, data: PiiIn, who: Principal) -> PiiOut:
    if len(data.text) > MAX_PII_TEXT:
        raise BelfortError("pii.text_too_long", f"the text is longer than {MAX_PII_TEXT} characters",
                           hint="send a document instead, or split the text")
    spans = _detector(appliance, data.entities)(data.text, language=data.language)
    return PiiOut([PiiSpanOut(s.entity_type, s.start, s.end, s.score, s.text) for s in spans])


@get("/documents/{document_id:int}/pii", sync_to_thread=True, summary="Personal data per page of a document",
     tags=["document-ai"])
def pii_document(appliance: Appliance, who: Principal, document_id: int,
                 entities: list[str] | None = Parameter(default=None)) -> PiiOut:
    detect = _detector(appliance, entities)
    out = []
    for page, text in documents.document_pages(appliance, who, document_id):
        out += [PiiSpanOut(s.entity_type, s.start, s.end, s.score, s.text, page) for s in detect(text)]
    return PiiOut(out)


@post("/documents/{document_id:int}/redact", sync_to_thread=True, tags=["document-ai"],
      summary="Redacted PDF for public access (proposals at or above min_score are applied)")
def redact_document(appliance: Appliance, who: Principal, document_id: int, data: RedactIn) -> RedactOut:
    import json

    from appliance.services.redaction import export_redacted, page_texts, propose

    require_ingest(who)
    source, _, _ = documents.original_file(appliance, who, document_id)
    proposals = propose(page_texts(source), _detector(appliance, data.entities), min_score=data.min_score,
                        ground=data.ground)
    with tempfile.TemporaryDirectory(prefix="belfort-redact-api-") as tmp:
        out = Path(tmp) / "redacted.pdf"
        log_path = export_redacted(source, proposals, out, actor=who.username)
        pdf, log = out.read_bytes(), json.loads(log_path.read_text("utf-8"))
    with write_session(appliance.db) as s:
        s.add(AuditEvent(actor=who.username, action="document.redacted_export", target=f"document:{document_id}",
                         detail={"redactions": len(log["redactions"]), "ground": data.ground}))
    return RedactOut(document_id, len(log["redactions"]), len(proposals), log, base64.b64encode(pdf).decode())
