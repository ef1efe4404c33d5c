"""The human review of a redaction: proposals from PII detection, accept/reject/add by hand, a legal
ground per redaction, optional four-eyes approval, then the true-redaction export with its log.

A review whose names were found without the name recogniser (rule-only: Frog not installed or
switched off) misses more names, so it always takes a second reviewer, four-eyes or not: a
different archivist who confirms explicitly that they checked the names (audited), before export."""

from __future__ import annotations

import functools
import io
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlmodel import select

from appliance.access import Principal
from appliance.ai_label import ai_label
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Document, RedactionReview, utcnow
from appliance.documents import reads as documents
from appliance.errors import BelfortError, Forbidden, NotFound
from appliance.privacy import Box, PageText, Proposal, boxes_for, export_redacted, page_texts
from appliance.privacy import propose_redactions as propose

OPEN_STATES = ("draft", "submitted", "approved")


def _require_archivist(who: Principal) -> None:
    if not who.can_ingest:
        raise Forbidden("auth.forbidden", "redaction needs the role archivist or admin",
                        hint="ask an administrator for the archivist role")


def _to_proposal(d: dict[str, Any]) -> Proposal:
    return Proposal(**{**d, "boxes": [Box(**b) for b in d.get("boxes", [])]})


def proposals_of(review: RedactionReview) -> list[Proposal]:
    return [_to_proposal(d) for d in review.proposals]


def _detect(app: Appliance):  # type: ignore[no-untyped-def]
    from appliance.privacy import budgeted_ner, default_first_names, detect_pii

    # One name-tagging budget per document (pii.ner_seconds): 503 pii.ner_timeout, never a partial result.
    return functools.partial(detect_pii, ner=budgeted_ner(app), first_names=default_first_names())


def names_by(app: Appliance) -> str:
    """"recogniser" when this appliance finds names with its tagger, "rules" when with rules only."""
    return "rules" if app.ner is None else "recogniser"


def needs_second_reviewer(app: Appliance, review: RedactionReview) -> bool:
    return app.settings.pii.four_eyes or review.names_by == "rules"


def check_options(app: Appliance, min_score: float | None, ground: str | None) -> None:
    """A score outside [0, 1] would silently accept nothing (or everything): refused, as an unknown ground."""
    if min_score is not None and not (isinstance(min_score, (int, float)) and 0.0 <= min_score <= 1.0):
        raise BelfortError("redact.bad_min_score", f"min_score {min_score!r} is not between 0 and 1",
                           hint="give a score from 0 to 1, such as 0.8")
    if ground is not None and ground not in app.settings.pii.grounds:
        raise BelfortError("redact.unknown_ground", f"unknown legal ground '{str(ground)[:40]}'",
                           hint="choose one of: " + ", ".join(sorted(app.settings.pii.grounds)))


def start_review(app: Appliance, who: Principal, document_id: int, *, min_score: float | None = None,
                 ground: str | None = None, detect: Any = None) -> RedactionReview:
    """The open review of the document's current version, or a new one with fresh proposals
    (accepted at or above `min_score`, default `pii.redact_min_score`)."""
    _require_archivist(who)
    check_options(app, min_score, ground)
    info = documents.get_document(app, who, document_id)  # permission check (NotFound)
    with read_session(app.db) as s:
        doc = s.get(Document, document_id)
        assert doc is not None
        existing = s.exec(select(RedactionReview).where(
            RedactionReview.document_id == document_id, RedactionReview.version_id == doc.current_version_id,
            RedactionReview.state.in_(OPEN_STATES))).first()  # type: ignore[attr-defined]
    if existing is not None:
        return existing
    source, _, _ = documents.original_file(app, who, document_id)
    if not _is_pdf_or_image(source):
        raise BelfortError("redact.unsupported", "only PDFs and scans can be redacted as pages",
                           hint="convert the document to PDF first", status=409)  # the document's type
    found = propose(page_texts(source, languages=app.settings.ocr.languages), detect or _detect(app),
                    min_score=app.settings.pii.redact_min_score if min_score is None else min_score,
                    ground=ground or next(iter(app.settings.pii.grounds)))
    finder = names_by(app)
    with write_session(app.db) as s:
        review = RedactionReview(document_id=document_id, version_id=doc.current_version_id or 0,
                                 proposals=[asdict(p) for p in found], created_by=who.username, names_by=finder)
        s.add(review)
        s.add(AuditEvent(actor=who.username, action="redaction.started", target=f"document:{info.id}",
                         detail={"proposals": len(found), "names_by": finder}))
    return review


def _is_pdf_or_image(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(8)
    return head.startswith(b"%PDF-") or head[:4] in (b"\x89PNG", b"II*\x00", b"MM\x00*") or head[:3] == b"\xff\xd8\xff"


def get_review(app: Appliance, who: Principal, review_id: int) -> RedactionReview:
    _require_archivist(who)
    with read_session(app.db) as s:
        review = s.get(RedactionReview, review_id)
    if review is None:
        raise NotFound("redact.not_found", "no such redaction review")
    documents.get_document(app, who, review.document_id)  # the reviewer must still read the document
    return review


def _save(app: Appliance, review_id: int, change: Any, *, actor: str, action: str, expect: tuple[str, ...],
          detail: dict[str, Any] | None = None) -> RedactionReview:
    with write_session(app.db) as s:
        review = s.get(RedactionReview, review_id)
        assert review is not None
        if review.state not in expect:
            raise BelfortError("redact.wrong_state", f"this redaction is {review.state}",
                               hint="reload the page", status=409)
        change(review)
        s.add(review)
        s.add(AuditEvent(actor=actor, action=action, target=f"document:{review.document_id}",
                         detail={"review": review_id, "state": review.state, **(detail or {})}))
        s.flush()
        s.refresh(review)
        return review


def decide(app: Appliance, who: Principal, review_id: int, decisions: dict[int, tuple[bool, str]]) -> RedactionReview:
    """decisions: proposal index -> (accepted, ground key)."""
    get_review(app, who, review_id)
    grounds = app.settings.pii.grounds
    for accepted, ground in decisions.values():
        if accepted and ground not in grounds:
            raise BelfortError("redact.unknown_ground", f"unknown legal ground '{ground}'",
                               hint="choose one of: " + ", ".join(sorted(grounds)))

    def change(review: RedactionReview) -> None:
        props = [dict(p) for p in review.proposals]
        for index, (accepted, ground) in decisions.items():
            if 0 <= index < len(props):
                props[index]["accepted"], props[index]["ground"] = accepted, ground
        review.proposals = props
        review.state, review.approved_by = "draft", ""  # a change needs a new approval
        review.names_confirmed_by = ""

    return _save(app, review_id, change, actor=who.username, action="redaction.decided", expect=OPEN_STATES)


def add_manual(app: Appliance, who: Principal, review_id: int, page: int, needle: str, ground: str) -> int:
    """Redact every occurrence of `needle` on the page; returns how many were added."""
    review = get_review(app, who, review_id)
    needle = needle.strip()
    if len(needle) < 2:
        raise BelfortError("redact.needle_too_short", "type at least two characters to redact")
    if ground not in app.settings.pii.grounds:
        raise BelfortError("redact.unknown_ground", f"unknown legal ground '{ground}'")
    source, _, _ = documents.original_file(app, who, review.document_id, review.version_id)
    pages: list[PageText] = [p for p in page_texts(source, languages=app.settings.ocr.languages) if p.number == page]
    added: list[dict[str, Any]] = []
    for p in pages:
        lowered, start = p.text.lower(), 0
        while (start := lowered.find(needle.lower(), start)) >= 0:
            end = start + len(needle)
            boxes = boxes_for(p, start, end)
            if boxes:
                added.append(asdict(Proposal(page, start, end, "MANUAL", 1.0, boxes, "manual", ground, True)))
            start = end

    def change(r: RedactionReview) -> None:
        r.proposals = [*r.proposals, *added]
        r.state, r.approved_by, r.names_confirmed_by = "draft", "", ""

    _save(app, review_id, change, actor=who.username, action="redaction.manual_added", expect=OPEN_STATES)
    return len(added)


def submit(app: Appliance, who: Principal, review_id: int) -> RedactionReview:
    review = get_review(app, who, review_id)
    second = needs_second_reviewer(app, review)

    def change(r: RedactionReview) -> None:
        r.submitted_by = who.username
        r.state = "submitted" if second else "approved"
        r.approved_by = "" if second else who.username

    return _save(app, review_id, change, actor=who.username, action="redaction.submitted", expect=("draft",))


def approve(app: Appliance, who: Principal, review_id: int, *, names_checked: bool = False) -> RedactionReview:
    """The second reviewer's approval. A rule-only review also needs `names_checked`: the reviewer's
    explicit statement that they read the document for names the rules may have missed."""
    review = get_review(app, who, review_id)
    rules = review.names_by == "rules"
    if needs_second_reviewer(app, review) and review.submitted_by == who.username:
        if rules:
            raise Forbidden("redact.second_reviewer", "names in this redaction were found without the name "
                            "recogniser: another archivist must check and approve it",
                            hint="ask another archivist to check the names and approve it")
        raise Forbidden("redact.four_eyes", "a second person must approve this redaction",
                        hint="ask another archivist to approve it")
    if rules and not names_checked:
        raise BelfortError("redact.names_unchecked", "confirm that you checked the names in this document",
                           hint="read every page for names the rules missed, then tick the confirmation")

    def change(r: RedactionReview) -> None:
        r.state, r.approved_by = "approved", who.username
        if rules:
            r.names_confirmed_by = who.username

    detail = {"names_by": review.names_by, "names_checked": True, "submitted_by": review.submitted_by} if rules else {}
    return _save(app, review_id, change, actor=who.username, action="redaction.approved", expect=("submitted",),
                 detail=detail)


def _exportable(app: Appliance, review: RedactionReview) -> bool:
    if review.state not in ("approved", "exported") or not review.approved_by:
        return False
    if app.settings.pii.four_eyes and review.approved_by == review.submitted_by:
        return False
    return review.names_by != "rules" or review.names_confirmed_by not in ("", review.submitted_by)


def export(app: Appliance, who: Principal, review_id: int) -> tuple[bytes, dict[str, Any]]:
    """The redacted PDF and its log; only an approved review exports."""
    import json

    review = get_review(app, who, review_id)
    if not _exportable(app, review):
        raise BelfortError("redact.not_approved", "this redaction is not approved yet",
                           hint="submit it (and have it approved by a second archivist when four-eyes is on "
                                "or names were found without the name recogniser)", status=409)
    source, _, _ = documents.original_file(app, who, review.document_id, review.version_id)
    with tempfile.TemporaryDirectory(prefix="belfort-redact-") as tmp:
        out = Path(tmp) / "redacted.pdf"
        log_path = export_redacted(source, proposals_of(review), out, actor=who.username,
                                   grounds=app.settings.pii.grounds, languages=app.settings.ocr.languages,
                                   reviewer=review.approved_by,
                                   ai=ai_label(app.settings.web.default_language, "document-ai",
                                               review.names_by or "rules", reviewed=True))
        pdf, log = out.read_bytes(), json.loads(log_path.read_text("utf-8"))
    log["names_by"], log["names_confirmed_by"] = review.names_by, review.names_confirmed_by

    def change(r: RedactionReview) -> None:
        r.state, r.exported_at, r.log = "exported", utcnow(), log

    _save(app, review_id, change, actor=who.username, action="redaction.exported", expect=("approved", "exported"))
    return pdf, log


def preview_png(app: Appliance, who: Principal, review_id: int, page: int) -> bytes:
    """The page with every proposal outlined and numbered: accepted in solid red, rejected dashed grey."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    from appliance.privacy import as_pdf

    review = get_review(app, who, review_id)
    source, _, _ = documents.original_file(app, who, review.document_id, review.version_id)
    scale = 110 / 72
    with tempfile.TemporaryDirectory() as tmp:
        doc = pdfium.PdfDocument(str(as_pdf(source, Path(tmp))))
        try:
            if not 1 <= page <= len(doc):
                raise NotFound("redact.no_page", "no such page")
            pdf_page = doc[page - 1]
            _, height = pdf_page.get_size()
            image = pdf_page.render(scale=scale).to_pil().convert("RGB")
        finally:
            doc.close()
    draw = ImageDraw.Draw(image)
    for index, p in enumerate(proposals_of(review)):
        if p.page != page:
            continue
        colour = (200, 0, 0) if p.accepted else (120, 120, 120)
        for b in p.boxes:
            rect = [b.x0 * scale - 2, (height - b.y1) * scale - 2, b.x1 * scale + 2, (height - b.y0) * scale + 2]
            draw.rectangle(rect, outline=colour, width=3 if p.accepted else 1)
        if p.boxes:
            draw.text((p.boxes[0].x0 * scale, (height - p.boxes[0].y1) * scale - 12), str(index + 1), fill=colour)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def request_export(app: Appliance, who: Principal, document_id: int, *, min_score: float | None = None,
                   ground: str | None = None, detect: Any = None,
                   ) -> tuple[RedactionReview, tuple[bytes, dict[str, Any]] | None]:
    """The API's one-call redaction, through the same review as the web page: the open review (or a
    new one), submitted by `who`; exported only once approved, which with four-eyes on takes a
    second person (`approve`). Returns the review and, when it could be exported, (pdf, log)."""
    review = start_review(app, who, document_id, min_score=min_score, ground=ground, detect=detect)
    review_id = int(review.id or 0)
    if review.state == "draft":
        review = submit(app, who, review_id)
    if not _exportable(app, review):
        return review, None
    pdf, log = export(app, who, review_id)
    return get_review(app, who, review_id), (pdf, log)
