"""Redaction review for public-access requests: proposals on the page image, accept/reject/add,
a legal ground per redaction, four-eyes approval when configured, and the redacted export."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Response, Template

from appliance import documents
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.ids import MAX_ID, Id
from webui.web import page, require_role

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


def _one(value: Any) -> str:
    """One form value (a repeated field gives a list: its first value)."""
    return str(value[0] if isinstance(value, list) and value else value)


def _number(value: Any) -> int:
    """A proposal index or page number from a form; anything else is a 400, not a 500."""
    text = _one(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 6):
        raise BelfortError("redact.bad_form", f"'{text[:20]}' is not a number in this form",
                           hint="reload the page and try again")
    return int(text)


@post("/documents/{document_id:int}/redact", sync_to_thread=True, include_in_schema=False)
def start(appliance: Appliance, who: Principal, document_id: Id) -> Redirect:
    require_role(who, "archivist")
    review = documents.start_redaction_review(appliance, who, document_id)
    return Redirect(f"/redactions/{review.id}", status_code=303)


@get("/redactions/{review_id:int}", sync_to_thread=True, include_in_schema=False)
def show(request: Request, appliance: Appliance, who: Principal, review_id: Id,
         page_number: int = Parameter(query="page", default=1, ge=1, le=MAX_ID)) -> Template:
    require_role(who, "archivist")
    review = documents.get_redaction_review(appliance, who, review_id)
    proposals = list(enumerate(documents.review_proposals(review)))
    pages = sorted({p.page for _, p in proposals} | {page_number})
    rules = review.names_by == "rules"
    return page(request, "redaction.html", who=who, review=review, current=page_number, pages=pages,
                proposals=[(i, p) for i, p in proposals if p.page == page_number], all_count=len(proposals),
                grounds=appliance.settings.pii.grounds, four_eyes=appliance.settings.pii.four_eyes or rules,
                names_rules=rules)


@get("/redactions/{review_id:int}/page/{number:int}", sync_to_thread=True, include_in_schema=False)
def preview(appliance: Appliance, who: Principal, review_id: Id, number: Id) -> Response[bytes]:
    require_role(who, "archivist")
    png = documents.review_preview_png(appliance, who, review_id, number)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@post("/redactions/{review_id:int}/decisions", sync_to_thread=True, include_in_schema=False)
def decide(appliance: Appliance, who: Principal, review_id: Id,
           data: dict[str, Any] = FORM, page_number: int = Parameter(query="page", default=1, ge=1, le=MAX_ID)) -> Redirect:
    require_role(who, "archivist")
    decisions: dict[int, tuple[bool, str]] = {}
    for key in data:
        if key.startswith("shown-"):
            index = _number(key.removeprefix("shown-"))
            decisions[index] = (f"accept-{index}" in data, _one(data.get(f"ground-{index}", "")))
    documents.decide_review(appliance, who, review_id, decisions)
    return Redirect(f"/redactions/{review_id}?page={page_number}", status_code=303)


@post("/redactions/{review_id:int}/manual", sync_to_thread=True, include_in_schema=False)
def manual(appliance: Appliance, who: Principal, review_id: Id, data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    number = _number(data.get("page", 1))
    documents.add_manual_redaction(appliance, who, review_id, number, _one(data.get("needle", "")),
                              _one(data.get("ground", "")))
    return Redirect(f"/redactions/{review_id}?page={number}", status_code=303)


@post("/redactions/{review_id:int}/submit", sync_to_thread=True, include_in_schema=False)
def submit(appliance: Appliance, who: Principal, review_id: Id) -> Redirect:
    require_role(who, "archivist")
    documents.submit_review(appliance, who, review_id)
    return Redirect(f"/redactions/{review_id}", status_code=303)


@post("/redactions/{review_id:int}/approve", sync_to_thread=True, include_in_schema=False)
def approve(appliance: Appliance, who: Principal, review_id: Id, data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    documents.approve_review(appliance, who, review_id, names_checked=_one(data.get("names_checked", "")) == "1")
    return Redirect(f"/redactions/{review_id}", status_code=303)


@post("/redactions/{review_id:int}/export", sync_to_thread=True, include_in_schema=False, status_code=200)
def export(appliance: Appliance, who: Principal, review_id: Id) -> Response[bytes]:
    require_role(who, "archivist")
    pdf, _log = documents.export_review(appliance, who, review_id)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="redacted-{review_id}.pdf"'})


@get("/redactions/{review_id:int}/log.json", sync_to_thread=True, include_in_schema=False)
def log(appliance: Appliance, who: Principal, review_id: Id) -> dict[str, Any]:
    require_role(who, "archivist")
    return documents.get_redaction_review(appliance, who, review_id).log


HANDLERS = [start, show, preview, decide, manual, submit, approve, export, log]
