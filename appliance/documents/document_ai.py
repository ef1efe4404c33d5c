"""Document AI on one readable document: its OCR details, the PDF/A copy, personal data per page and
the redacted export through the redaction review. The permission checks come first, as for a read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appliance.access import Principal, check_pii, require_ingest
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Document, RedactionReview
from appliance.documents import reads as documents
from appliance.errors import NotFound
from appliance.privacy import PiiSpan
from appliance.privacy import pii_detector as detector


@dataclass(frozen=True)
class OcrDetails:
    document_id: int
    state: str
    engine: str
    page_confidence: list[float]
    page_source: list[str]
    has_pdfa: bool
    structure: dict[str, Any] = field(default_factory=dict)
    page_engine: list[str] = field(default_factory=list)  # the engine that read each page ("": text layer)


def _document(app: Appliance, who: Principal, document_id: int) -> Document | None:
    documents.get_document(app, who, document_id)  # permission check first (NotFound)
    with read_session(app.db) as s:
        return s.get(Document, document_id)


def ocr_details(app: Appliance, who: Principal, document_id: int) -> OcrDetails:
    doc = _document(app, who, document_id)
    assert doc is not None
    ocr = (doc.meta or {}).get("ocr", {})
    return OcrDetails(document_id, doc.state, ocr.get("engine", ""), ocr.get("page_confidence", []),
                      ocr.get("page_source", []), bool(ocr.get("pdfa")), (doc.meta or {}).get("structure", {}),
                      ocr.get("page_engine", []))


def readable_pdfa(app: Appliance, who: Principal, document_id: int) -> Path:
    """The searchable PDF/A copy of an OCRed scan; not for readers of a pseudonymised collection."""
    from appliance.documents.ocr import pdfa_copy
    from appliance.privacy import original_allowed

    doc = _document(app, who, document_id)
    if doc is not None and not original_allowed(app, who, doc.collection_id):
        raise NotFound("document.no_pdfa", "this document has no PDF/A copy you may read",
                       hint="the collection is pseudonymised: the scan holds the real names")
    path = pdfa_copy(app, doc) if doc else None
    if path is None or not path.is_file():
        raise NotFound("document.no_pdfa", "this document has no PDF/A copy", hint="only OCRed scans get one")
    return path


def pii_by_page(app: Appliance, who: Principal, document_id: int,
                entities: list[str] | None = None) -> list[tuple[int, PiiSpan]]:
    """(page, span) for the personal data of a readable document; one budget for the whole document."""
    check_pii(app, who)
    detect = detector(app, entities)
    return [(page, span) for page, text in documents.document_pages(app, who, document_id) for span in detect(text)]


def redacted_export(app: Appliance, who: Principal, document_id: int, *, min_score: float, ground: str,
                    entities: list[str] | None = None,
                    ) -> tuple[RedactionReview, tuple[bytes, dict[str, Any]] | None]:
    """The API's one-call redaction (appliance.documents.redaction_review.request_export); an export
    that happened is written to the audit trail with its ground and reviewer."""
    from appliance.documents.redaction_review import request_export

    require_ingest(who)
    review, done = request_export(app, who, document_id, min_score=min_score, ground=ground,
                                  detect=detector(app, entities))
    if done is not None:
        _pdf, log = done
        with write_session(app.db) as s:
            s.add(AuditEvent(actor=who.username, action="document.redacted_export", target=f"document:{document_id}",
                             detail={"redactions": len(log["redactions"]), "ground": ground,
                                     "review": review.id, "reviewed_by": review.approved_by}))
    return review, done


def approve_redaction(app: Appliance, who: Principal, review_id: int, *, names_checked: bool = False) -> RedactionReview:
    """The second reviewer's approval of a submitted redaction (`names_checked`: see redaction_review.approve)."""
    from appliance.documents.redaction_review import approve

    require_ingest(who)
    return approve(app, who, review_id, names_checked=names_checked)
