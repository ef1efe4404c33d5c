"""Document AI over the API: PII spans in a text or a readable document, and a redacted export."""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass, field
from typing import Annotated

from annotated_types import Interval, MaxLen
from litestar import get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from litestar.response import File, Response
from msgspec import Meta

from appliance.api.auth import require_ingest
from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import AuditEvent
from appliance.errors import BelfortError
from appliance.ids import Id
from appliance.documents import ingest as documents
from appliance.access.principals import Principal
from appliance.privacy.pii import ENTITY_TYPES

MAX_PII_TEXT = 200_000
# The body that can carry MAX_PII_TEXT characters: JSON may escape each as a surrogate pair (12 bytes).
# A larger body is refused (413) before it is read and decoded.
MAX_PII_BODY = MAX_PII_TEXT * 12 + 64 * 1024


# The entity types detect_pii knows (pii.unknown_entity for others), said in the schema.
ENTITY_SCHEMA = {"items": {"type": "string", "enum": sorted(ENTITY_TYPES)}}


@dataclass
class PiiIn:
    text: Annotated[str, MaxLen(MAX_PII_TEXT)]  # schema only: the handler answers pii.text_too_long
    language: str = "nl"
    entities: Annotated[list[str] | None, Parameter(schema_extra=ENTITY_SCHEMA)] = None


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
    # Proposals at or above this score start accepted; the review decides what is exported.
    # Meta: what the decoder enforces; Interval: what the OpenAPI schema says (the same bounds).
    min_score: Annotated[float, Meta(ge=0.0, le=1.0), Interval(ge=0.0, le=1.0)] = 0.8
    ground: str = "privacy"  # a key of pii.grounds (a setting): redact.unknown_ground for others
    entities: Annotated[list[str] | None, Parameter(schema_extra=ENTITY_SCHEMA)] = None


@dataclass
class RedactOut:
    document_id: int
    redactions: int
    proposals: int
    log: dict
    pdf_base64: str  # empty until the review is approved (four-eyes: by a second person)
    review_id: int = 0
    state: str = ""  # submitted (waits for a second reviewer) | exported
    review_url: str = ""


def _detector(appliance: Appliance, entities: list[str] | None):  # type: ignore[no-untyped-def]
    """detect_pii for one request: its name tagging shares one budget (pii.ner_seconds; 503 past it)."""
    from appliance.privacy.pii import budgeted_ner, default_first_names, detect_pii

    try:
        if entities:
            detect_pii("", entities=entities)  # validates the names before any work
        return functools.partial(detect_pii, ner=budgeted_ner(appliance), entities=entities,
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
def ocr_info(appliance: Appliance, who: Principal, document_id: Id) -> OcrOut:
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
def pdfa_copy(appliance: Appliance, who: Principal, document_id: Id) -> File:
    from appliance.db.engine import read_session
    from appliance.db.tables import Document
    from appliance.errors import NotFound
    from appliance.documents.ocr import pdfa_copy as pdfa_path
    from appliance.privacy.pseudonyms import original_allowed

    documents.get_document(appliance, who, document_id)
    with read_session(appliance.db) as s:
        doc = s.get(Document, document_id)
    if doc is not None and not original_allowed(appliance, who, doc.collection_id):
        raise NotFound("document.no_pdfa", "this document has no PDF/A copy you may read",
                       hint="the collection is pseudonymised: the scan holds the real names")
    path = pdfa_path(appliance, doc) if doc else None
    if path is None or not path.is_file():
        raise NotFound("document.no_pdfa", "this document has no PDF/A copy", hint="only OCRed scans get one")
    return File(path=path, filename=f"document-{document_id}-pdfa.pdf", media_type="application/pdf")


@post("/pii", sync_to_thread=True, summary="Find personal data in a text", tags=["document-ai"],
      request_max_body_size=MAX_PII_BODY,
      description="429 pii.rate_limited past pii.per_user_per_minute; 503 pii.ner_timeout when name tagging "
                  "runs past pii.ner_seconds (use rule mode or split the text), 503 pii.busy (Retry-After).")
def pii_text(appliance: Appliance, data: PiiIn, who: Principal) -> PiiOut:
    from appliance.access.rate_limits import check_pii

    if len(data.text) > MAX_PII_TEXT:
        raise BelfortError("pii.text_too_long", f"the text is longer than {MAX_PII_TEXT} characters",
                           hint="send a document instead, or split the text", status=413)
    check_pii(appliance, who)  # 429 pii.rate_limited: the name tagger is one engine for everyone
    spans = _detector(appliance, data.entities)(data.text, language=data.language)
    return PiiOut([PiiSpanOut(s.entity_type, s.start, s.end, s.score, s.text) for s in spans])


@get("/documents/{document_id:int}/pii", sync_to_thread=True, summary="Personal data per page of a document",
     tags=["document-ai"], description="Limits and errors as POST /pii; the budget covers the whole document.")
def pii_document(appliance: Appliance, who: Principal, document_id: Id,
                 entities: list[str] | None = Parameter(default=None, schema_extra=ENTITY_SCHEMA)) -> PiiOut:
    from appliance.access.rate_limits import check_pii

    check_pii(appliance, who)
    detect = _detector(appliance, entities)
    out = []
    for page, text in documents.document_pages(appliance, who, document_id):
        out += [PiiSpanOut(s.entity_type, s.start, s.end, s.score, s.text, page) for s in detect(text)]
    return PiiOut(out)


@post("/documents/{document_id:int}/redact", sync_to_thread=True, tags=["document-ai"],
      summary="Redacted PDF for public access, through the redaction review (four-eyes when configured)",
      description="Only PDFs and scans are redacted as pages: another document is 409 redact.unsupported.",
      responses={202: ResponseSpec(RedactOut, description="Submitted; waits for a second reviewer")})
def redact_document(appliance: Appliance, who: Principal, document_id: Id, data: RedactIn) -> Response[RedactOut]:
    from appliance.documents.redaction_review import request_export

    require_ingest(who)
    review, done = request_export(appliance, who, document_id, min_score=data.min_score, ground=data.ground,
                                  detect=_detector(appliance, data.entities))
    out = RedactOut(document_id, 0, len(review.proposals), {}, "", review.id or 0, review.state,
                    f"/redactions/{review.id}")
    if done is None:
        return Response(out, status_code=202)
    pdf, log = done
    out.redactions, out.log, out.pdf_base64 = len(log["redactions"]), log, base64.b64encode(pdf).decode()
    with write_session(appliance.db) as s:
        s.add(AuditEvent(actor=who.username, action="document.redacted_export", target=f"document:{document_id}",
                         detail={"redactions": len(log["redactions"]), "ground": data.ground,
                                 "review": review.id, "reviewed_by": review.approved_by}))
    return Response(out, status_code=201)


@post("/redactions/{review_id:int}/approve", sync_to_thread=True, tags=["document-ai"],
      summary="Approve a submitted redaction (the second reviewer)")
def approve_redaction(appliance: Appliance, who: Principal, review_id: Id) -> dict[str, str | int]:
    from appliance.documents.redaction_review import approve

    require_ingest(who)
    review = approve(appliance, who, review_id)
    return {"review_id": review.id or 0, "state": review.state, "approved_by": review.approved_by}
