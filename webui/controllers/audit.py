"""Admin audit view: search the answer audit trail, open a record, chain status, exports, and the
generic AuditEvent log. Read-only: nothing can be edited or deleted through the product."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Response, Template

from appliance import audit
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.ids import MAX_ID, Id
from webui.translate import error_text
from webui.web import language_of, page, require_role

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
EXPORTS = {"csv": ("text/csv; charset=utf-8", "csv"),
           "json": ("application/x-ndjson; charset=utf-8", "jsonl")}


@dataclass
class ExportForm:
    format: str = "csv"


@get("/admin/audit", sync_to_thread=True, include_in_schema=False)
def audit_page(
    request: Request, appliance: Appliance, who: Principal, text: str = "", user: str = "", status: str = "",
    kind: str = "", date_from: str = "", date_to: str = "", verify: str = "",
    page_number: int = Parameter(query="page", default=1, ge=1, le=MAX_ID),
) -> Template:
    require_role(who, "admin")
    f = audit.RecordFilter(text=text[:200], username=user[:100], status=status, kind=kind,
                                  date_from=date_from[:10], date_to=date_to[:10])
    error, code = "", 200
    try:
        result = audit.search_records(appliance, who, f, page=page_number)
    except BelfortError as exc:
        if exc.status >= 500 or exc.status == 403:
            raise
        error, code = error_text(language_of(request), exc.code, exc.message), exc.status
        result = audit.Page([], 1, False, 0)
    query = {"text": f.text, "user": f.username, "status": f.status, "kind": f.kind,
             "date_from": f.date_from, "date_to": f.date_to}
    return page(request, "admin_audit.html", who=who, status=code, error=error, f=f, query=query,
                result=result, chain=audit.chain_status(appliance, who, force=verify == "1"),
                statuses=audit.STATUSES, kinds=audit.KINDS)


@get("/admin/audit/{record_id:int}", sync_to_thread=True, include_in_schema=False)
def record_page(request: Request, appliance: Appliance, who: Principal, record_id: Id) -> Template:
    require_role(who, "admin")
    detail = audit.record_detail(appliance, who, record_id)
    payload = detail.record["payload"]
    return page(request, "admin_audit_record.html", who=who, d=detail, rec=detail.record,
                checks_json=_pretty(payload.get("checks")), params_json=_pretty(payload.get("parameters")))


def _pretty(value: object) -> str:
    return json.dumps(value or {}, ensure_ascii=False, indent=1, default=str)


@post("/admin/audit/export", sync_to_thread=True, include_in_schema=False, status_code=200)
def export(appliance: Appliance, who: Principal, data: Annotated[ExportForm, FORM]) -> Response[str]:
    require_role(who, "admin")
    body = audit.download_trail(appliance, who, data.format)
    media_type, ext = EXPORTS[data.format]
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="belfort-audit-{stamp}.{ext}"',
        "Cache-Control": "no-store",
    })


@get("/admin/audit/events", sync_to_thread=True, include_in_schema=False)
def events_page(
    request: Request, appliance: Appliance, who: Principal, action: str = "", actor: str = "",
    page_number: int = Parameter(query="page", default=1, ge=1, le=MAX_ID),
) -> Template:
    require_role(who, "admin")
    result = audit.search_events(appliance, who, action=action, actor=actor, page=page_number)
    rows = [{**e, "detail_json": json.dumps(e["detail"], ensure_ascii=False, sort_keys=True, default=str)}
            for e in result.rows]
    return page(request, "admin_audit_events.html", who=who, result=result, rows=rows,
                action=action[:200], actor=actor[:200], actions=audit.event_actions(appliance, who),
                query={"action": action[:200], "actor": actor[:200]})


HANDLERS = [audit_page, record_page, export, events_page]
