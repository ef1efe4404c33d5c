"""Triage pages: the human queue, an item, a department's inbox and the KPI dashboard.

For the group `triage` and administrators (others get 403). Item texts are mail from outside and are
rendered escaped like every other value (Jinja autoescape; no |safe anywhere in these templates).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template

from appliance import metrics, triage
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.ids import Id
from appliance.jobs import request_retrain
from appliance.triage import Taxonomy, active_taxonomy
from webui.pilot_panels import triage_panels
from webui.translate import error_text
from webui.web import language_of, page

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
REASONS = ("auto", "below_threshold", "human_only", "unknown_category", "empty", "no_text")  # translated; others shown as is


def _page(request: Request, name: str, **context: Any) -> Template:
    return page(request, name, reasons=REASONS, states=triage.ITEM_STATES, **context)


def _taxonomy(appliance: Appliance) -> Taxonomy | None:
    try:
        return active_taxonomy(appliance.settings)
    except BelfortError:
        return None


def _back(data: dict[str, Any], default: str) -> str:
    """Only our own triage pages are valid targets after a form (no open redirect)."""
    target = str(data.get("next") or "")
    return target if target.startswith("/triage") and "//" not in target else default


@get("/triage", sync_to_thread=True, include_in_schema=False)
def queue(request: Request, appliance: Appliance, who: Principal) -> Template:
    triage.require_triage(appliance, who)
    taxonomy = _taxonomy(appliance)
    return _page(request, "triage_queue.html", who=who, taxonomy=taxonomy,
                 rows=triage.list_items(appliance, state="queued"),
                 waiting=[r for r in triage.list_items(appliance, state="awaiting_info")
                          if not r.item.category])  # routed ones wait in their department's inbox


@post("/triage/items/{item_id:int}/accept", sync_to_thread=True, include_in_schema=False)
def accept(appliance: Appliance, who: Principal, item_id: Id, data: dict[str, Any] = FORM) -> Redirect:
    triage.accept_suggestion(appliance, who, item_id, request_retrain)
    return Redirect(_back(data, "/triage"), status_code=303)


@post("/triage/items/{item_id:int}/route", sync_to_thread=True, include_in_schema=False)
def correct(appliance: Appliance, who: Principal, item_id: Id, data: dict[str, Any] = FORM) -> Redirect:
    triage.route_item(appliance, who, item_id, str(data.get("category") or ""), request_retrain)
    return Redirect(_back(data, "/triage"), status_code=303)


def _item_page(request: Request, appliance: Appliance, who: Principal, item_id: int, *,
               status: int = 200, error: str = "") -> Template:
    row = triage.get_item(appliance, item_id)
    taxonomy = _taxonomy(appliance)
    check, draft = (None, None)
    if taxonomy is not None:
        check, draft = triage.assess_missing(appliance, item_id)  # a read: nothing is stored
    request_info = row.item.meta.get("info_request") or {}
    lang = language_of(request)
    return _page(request, "triage_item.html", who=who, status=status, error=error, row=row, item=row.item,
                 taxonomy=taxonomy, check=check, draft=draft, request_info=request_info,
                 field_name=lambda name: triage.field_label(name, lang),
                 can_send=triage.may_answer(row.item))


@get("/triage/items/{item_id:int}", sync_to_thread=True, include_in_schema=False)
def item(request: Request, appliance: Appliance, who: Principal, item_id: Id) -> Template:
    triage.require_triage(appliance, who)
    return _item_page(request, appliance, who, item_id)


@post("/triage/items/{item_id:int}/request", sync_to_thread=True, include_in_schema=False)
def send_request(request: Request, appliance: Appliance, who: Principal, item_id: Id,
                 data: dict[str, Any] = FORM) -> Template | Redirect:
    triage.require_triage(appliance, who)
    try:
        triage.approve_and_send(appliance, who, item_id, subject=str(data.get("subject") or ""),
                                        body=str(data.get("body") or ""))
    except BelfortError as exc:
        if exc.status >= 500 or exc.status == 404:
            raise
        return _item_page(request, appliance, who, item_id, status=exc.status,
                          error=error_text(language_of(request), exc.code, exc.message))
    return Redirect(f"/triage/items/{item_id}", status_code=303)


@post("/triage/items/{item_id:int}/close", sync_to_thread=True, include_in_schema=False)
def close(appliance: Appliance, who: Principal, item_id: Id, data: dict[str, Any] = FORM) -> Redirect:
    triage.require_triage(appliance, who)
    triage.close_item(appliance, who, item_id)
    return Redirect(_back(data, f"/triage/items/{item_id}"), status_code=303)


@get("/triage/departments/{key:str}", sync_to_thread=True, include_in_schema=False)
def department(request: Request, appliance: Appliance, who: Principal, key: str) -> Template:
    triage.require_triage(appliance, who)
    taxonomy = _taxonomy(appliance)
    rows = triage.department_items(appliance, key)
    dept = taxonomy.department(key) if taxonomy else None
    return _page(request, "triage_department.html", who=who, rows=rows, key=key,
                 dept_name=(dept.name if dept and dept.name else key), taxonomy=taxonomy)


@get("/triage/dashboard", sync_to_thread=True, include_in_schema=False)
def dashboard(request: Request, appliance: Appliance, who: Principal,
              days: int = Parameter(query="days", default=30, ge=1, le=3650)) -> Template:
    triage.require_triage(appliance, who)
    return _page(request, "triage_dashboard.html", who=who, stats=triage.triage_stats(appliance, days=days),
                 days=days, taxonomy=_taxonomy(appliance), panels=triage_panels(metrics.triage_weeks(appliance)))


HANDLERS = [queue, accept, correct, item, send_request, close, department, dashboard]
