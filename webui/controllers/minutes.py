"""Minutes review: the secretary accepts, rejects, edits or adds items, then approves; exports.

Roles: archivists and admins review and approve drafts; staff read minutes once they are approved
(accepted items only) and download their exports. A draft stays labelled as AI-generated until a
person approves it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError, NotFound
from appliance.ids import MAX_ID, Id
from appliance.minutes import (
    ITEM_STATES,
    ExportData,
    add_item,
    approve_minutes,
    check_minutes,
    edit_item,
    export_minutes,
    is_reviewer,
    item_of,
    list_minutes,
    load_minutes,
    readable_minutes,
    segments_of,
    set_item_state,
    timecode,
)
from webui.web import language_of, page, require_role

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
# What the draft's checks changed or doubt (appliance.minutes.draft / minutes_verify), shown to the
# reviewer; "unsupported" is shown through `supported` itself.
FLAGS = ("invented_segments", "missing_number", "attributed", "owner_cleared", "deadline_cleared", "vote_cleared")


@get("/minutes", sync_to_thread=True, include_in_schema=False)
def index(request: Request, appliance: Appliance, who: Principal) -> Template:
    rows = list_minutes(appliance, who)
    return page(request, "minutes_list.html", who=who, rows=rows, reviewer=is_reviewer(who))


@get("/minutes/{minutes_id:int}", sync_to_thread=True, include_in_schema=False)
def show(request: Request, appliance: Appliance, who: Principal, minutes_id: Id) -> Template:
    minutes, items = readable_minutes(appliance, who, minutes_id)  # staff: approved minutes only
    reviewer = is_reviewer(who)
    data = ExportData(minutes, items)
    segments = segments_of(appliance, items)
    counts = {state: sum(i.state == state for i in items) for state in ITEM_STATES}
    agenda = [(int(a.get("number", 0) or 0), str(a.get("title", ""))) for a in minutes.agenda or []]
    levels = check_minutes(appliance, minutes_id) if reviewer else []  # LBLOD publication level
    return page(request, "minutes.html", who=who, minutes=minutes, groups=data.groups(), segments=segments,
                counts=counts, reviewer=reviewer, editable=reviewer and minutes.state == "draft",
                agenda=agenda, timecode=timecode, flags=FLAGS, lblod_levels=levels,
                transcript_link=_transcript_visible(appliance, who, minutes.recording_id))


def _transcript_visible(appliance: Appliance, who: Principal, recording_id: int | None) -> bool:
    # Staff reading approved minutes may not see the recording itself: times then show without a link.
    from appliance.recordings import get_visible

    if recording_id is None:
        return False
    try:
        get_visible(appliance, who, recording_id)
    except NotFound:
        return False
    return True


def _back(minutes_id: int, item_id: int | None = None) -> Redirect:
    return Redirect(f"/minutes/{minutes_id}" + (f"#item-{item_id}" if item_id else ""), status_code=303)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return str(value[0] if isinstance(value, list) else value)


@post("/minutes/{minutes_id:int}/items/{item_id:int}/state", sync_to_thread=True, include_in_schema=False)
def set_state(appliance: Appliance, who: Principal, minutes_id: Id, item_id: Id,
              data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    item_of(appliance, who, minutes_id, item_id)
    set_item_state(appliance, who, item_id, _text(data, "state"))
    return _back(minutes_id, item_id)


@post("/minutes/{minutes_id:int}/items/{item_id:int}", sync_to_thread=True, include_in_schema=False)
def edit(appliance: Appliance, who: Principal, minutes_id: Id, item_id: Id,
         data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    item = item_of(appliance, who, minutes_id, item_id)
    changes: dict[str, Any] = {"text": _text(data, "text")}
    if item.kind == "action":
        changes["owner"] = _text(data, "owner")
        changes["deadline"] = _text(data, "deadline")
    if item.kind == "decision":
        changes["vote"] = {k: _text(data, f"vote_{k}").strip() for k in ("for", "against", "abstain")}
    edit_item(appliance, who, item_id, **changes)
    return _back(minutes_id, item_id)


@post("/minutes/{minutes_id:int}/items", sync_to_thread=True, include_in_schema=False)
def add(appliance: Appliance, who: Principal, minutes_id: Id, data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    load_minutes(appliance, minutes_id, who)
    try:
        number = int(_text(data, "agenda_number") or 0)
    except ValueError as exc:
        raise BelfortError("minutes.bad_agenda", "the agenda item is not a number") from exc
    if not 0 <= number <= MAX_ID:
        raise BelfortError("minutes.bad_agenda", "the agenda item number is out of range")
    kind = _text(data, "kind")
    item = add_item(appliance, who, minutes_id, kind, _text(data, "text"), agenda_number=number,
                           owner=_text(data, "owner") if kind == "action" else "",
                           deadline=_text(data, "deadline") if kind == "action" else "")
    return _back(minutes_id, item.id)


@post("/minutes/{minutes_id:int}/approve", sync_to_thread=True, include_in_schema=False)
def approve(appliance: Appliance, who: Principal, minutes_id: Id) -> Redirect:
    require_role(who, "archivist")
    load_minutes(appliance, minutes_id, who)
    approve_minutes(appliance, who, minutes_id)
    return _back(minutes_id)


@get("/minutes/{minutes_id:int}/export/{fmt:str}", sync_to_thread=True, include_in_schema=False)
def export(request: Request, appliance: Appliance, who: Principal, minutes_id: Id,
           fmt: str) -> Response[bytes]:
    content, name, mime = export_minutes(appliance, minutes_id, fmt, lang=language_of(request),
                                                 who=who)
    return Response(content, media_type=mime, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


HANDLERS = [index, show, set_state, edit, add, approve, export]
