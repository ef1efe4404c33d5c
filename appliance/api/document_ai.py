"""Document AI over the API: PII spans in a text or a readable document, and a redacted export."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Annotated

from annotated_types import Interval, MaxLen
from litestar import get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from litestar.response import File, Response
from msgspec import Meta

from appliance import documents
from appliance.access import Principal
from appliance.context import Appliance
from appliance.ids import Id
from appliance.privacy import ENTITY_TYPES, MAX_PII_TEXT, find_in_text

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


@dataclass
class OcrOut:
    document_id: int
    state: str
    engine: str
    page_confidence: list[float]
    page_source: list[str]
    pdfa_url: str
    structure: dict
    page_engine: list[str]  # the OCR engine that read each page ("": its own text layer)


@get("/documents/{document_id:int}/ocr", sync_to_thread=True, summary="OCR state, page confidences, structure",
     tags=["document-ai"])
def ocr_info(appliance: Appliance, who: Principal, document_id: Id) -> OcrOut:
    d = documents.ocr_details(appliance, who, document_id)
    return OcrOut(d.document_id, d.state, d.engine, d.page_confidence, d.page_source,
                  f"/api/v1/documents/{document_id}/pdfa" if d.has_pdfa else "", d.structure, d.page_engine)


@get("/documents/{document_id:int}/pdfa", sync_to_thread=True, summary="The searchable PDF/A-2b archival copy",
     tags=["document-ai"], media_type="application/pdf")
def pdfa_copy(appliance: Appliance, who: Principal, document_id: Id) -> File:
    path = documents.readable_pdfa(appliance, who, document_id)
    return File(path=path, filename=f"document-{document_id}-pdfa.pdf", media_type="application/pdf")


@post("/pii", sync_to_thread=True, summary="Find personal data in a text", tags=["document-ai"],
      request_max_body_size=MAX_PII_BODY,
      description="429 pii.rate_limited past pii.per_user_per_minute; 503 pii.ner_timeout when name tagging "
                  "runs past pii.ner_seconds (use rule mode or split the text), 503 pii.busy (Retry-After).")
def pii_text(appliance: Appliance, data: PiiIn, who: Principal) -> PiiOut:
    spans = find_in_text(appliance, who, data.text, language=data.language, entities=data.entities)
    return PiiOut([PiiSpanOut(s.entity_type, s.start, s.end, s.score, s.text) for s in spans])


@get("/documents/{document_id:int}/pii", sync_to_thread=True, summary="Personal data per page of a document",
     tags=["document-ai"], description="Limits and errors as POST /pii; the budget covers the whole document.")
def pii_document(appliance: Appliance, who: Principal, document_id: Id,
                 entities: list[str] | None = Parameter(default=None, schema_extra=ENTITY_SCHEMA)) -> PiiOut:
    return PiiOut([PiiSpanOut(s.entity_type, s.start, s.end, s.score, s.text, page)
                   for page, s in documents.pii_by_page(appliance, who, document_id, entities)])


@post("/documents/{document_id:int}/redact", sync_to_thread=True, tags=["document-ai"],
      summary="Redacted PDF for public access, through the redaction review (four-eyes when configured)",
      description="Only PDFs and scans are redacted as pages: another document is 409 redact.unsupported.",
      responses={202: ResponseSpec(RedactOut, description="Submitted; waits for a second reviewer")})
def redact_document(appliance: Appliance, who: Principal, document_id: Id, data: RedactIn) -> Response[RedactOut]:
    review, done = documents.redacted_export(appliance, who, document_id, min_score=data.min_score,
                                               ground=data.ground, entities=data.entities)
    out = RedactOut(document_id, 0, len(review.proposals), {}, "", review.id or 0, review.state,
                    f"/redactions/{review.id}")
    if done is None:
        return Response(out, status_code=202)
    pdf, log = done
    out.redactions, out.log, out.pdf_base64 = len(log["redactions"]), log, base64.b64encode(pdf).decode()
    return Response(out, status_code=201)


@post("/redactions/{review_id:int}/approve", sync_to_thread=True, tags=["document-ai"],
      summary="Approve a submitted redaction (the second reviewer)",
      description="A redaction whose names were found without the name recogniser (rule-only) also needs "
                  "names_checked=true: the second reviewer confirms they checked the names "
                  "(400 redact.names_unchecked without it).")
def approve_redaction(appliance: Appliance, who: Principal, review_id: Id,
                      names_checked: bool = Parameter(query="names_checked", default=False),
                      ) -> dict[str, str | int]:
    review = documents.approve_redaction(appliance, who, review_id, names_checked=names_checked)
    return {"review_id": review.id or 0, "state": review.state, "approved_by": review.approved_by}
