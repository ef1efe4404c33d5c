"""Document AI over the API: PII spans in a text or a readable document, and a redacted export."""

from __future__ import annotations

import base64
import functools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from litestar import get, post
from litestar.params import Parameter

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
