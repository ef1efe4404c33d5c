"""The publication page of minutes (LBLOD): the secretary completes what the recording cannot know
(governing body, times, place, attendees, chair, secretary, public or closed items, decision texts,
vote details), sees the maturity level each published document reaches and what is missing, and
publishes approved minutes. Archivists and admins only; drafts are never published.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.ids import Id
from appliance.mandates import list_bodies
from appliance.minutes import (
    AGENDA_ITEM_TYPES,
    check_record,
    load_minutes,
    load_record,
    publish_minutes,
    save_agenda_item,
    save_decision,
    save_meeting,
)
from webui.web import page, require_role

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
VOTE_CHOICES = ("for", "against", "abstain")


def _one(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return str(value[0] if isinstance(value, list) and value else value or "")


def _many(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v]


def _back(minutes_id: int, anchor: str = "") -> Redirect:
    return Redirect(f"/minutes/{minutes_id}/publication" + (f"#{anchor}" if anchor else ""), status_code=303)


@get("/minutes/{minutes_id:int}/publication", sync_to_thread=True, include_in_schema=False)
def show(request: Request, appliance: Appliance, who: Principal, minutes_id: Id) -> Template:
    require_role(who, "archivist")
    load_minutes(appliance, minutes_id, who)  # not found: a hidden recording's minutes
    record = load_record(appliance, minutes_id)
    reports = check_record(record, appliance.settings.minutes.lblod_base_uri or None)
    numbers = record.agenda_numbers()
    decisions = [(n, record.decisions_of(n)) for n in numbers]
    return page(request, "minutes_publication.html", who=who, record=record, minutes=record.minutes,
                meeting=record.meeting, bodies=list_bodies(appliance), people=list(record.people.values()),
                reports=reports, numbers=numbers, decisions=decisions,
                editable=record.minutes.state != "approved", approved=record.minutes.state == "approved",
                base_uri=appliance.settings.minutes.lblod_base_uri, item_types=AGENDA_ITEM_TYPES)


@post("/minutes/{minutes_id:int}/publication/meeting", sync_to_thread=True, include_in_schema=False)
def meeting(appliance: Appliance, who: Principal, minutes_id: Id, data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    load_minutes(appliance, minutes_id, who)
    values = {k: _one(data, k) for k in ("body_uri", "planned_start", "planned_end", "started_at", "ended_at",
                                         "location", "chair_uri", "secretary_uri")}
    current = load_record(appliance, minutes_id).meeting
    if values["body_uri"] != current.body_uri:  # another body: its people are picked next
        values.update(chair_uri="", secretary_uri="")
        save_meeting(appliance, who, minutes_id, **values, present_at_start=[])
    else:
        save_meeting(appliance, who, minutes_id, **values, present_at_start=_many(data, "present_at_start"))
    return _back(minutes_id, "meeting")


@post("/minutes/{minutes_id:int}/publication/items/{number:int}", sync_to_thread=True, include_in_schema=False)
def agenda_item(appliance: Appliance, who: Principal, minutes_id: Id, number: Id,
                data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    load_minutes(appliance, minutes_id, who)
    save_agenda_item(appliance, who, minutes_id, number, public=_one(data, "public") != "no",
                     item_type=_one(data, "item_type").strip(), arrived=_many(data, "arrived"),
                     left=_many(data, "left"))
    return _back(minutes_id, f"item-{number}")


@post("/minutes/{minutes_id:int}/publication/decisions/{item_id:int}", sync_to_thread=True,
      include_in_schema=False)
def decision(appliance: Appliance, who: Principal, minutes_id: Id, item_id: Id,
             data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    record = load_record(appliance, load_minutes(appliance, minutes_id, who).id or 0)
    if item_id not in {i.id for i in record.items}:
        raise BelfortError("minutes.item_not_found", f"no decision {item_id} in minutes {minutes_id}", status=404)
    voters: dict[str, list[str]] = {k: [] for k in VOTE_CHOICES}
    for uri in record.people:
        choice = _one(data, f"vote:{uri}")
        if choice in voters:
            voters[choice].append(uri)
    save_decision(appliance, who, item_id, title=_one(data, "title"), description=_one(data, "description"),
                  motivation=_one(data, "motivation"), legal_text=_one(data, "legal_text"),
                  outcome=_one(data, "outcome"), secret=_one(data, "secret") == "yes",
                  voters_for=voters["for"], voters_against=voters["against"], voters_abstain=voters["abstain"])
    return _back(minutes_id, f"decision-{item_id}")


@post("/minutes/{minutes_id:int}/publish", sync_to_thread=True, include_in_schema=False)
def publish(appliance: Appliance, who: Principal, minutes_id: Id) -> Redirect:
    require_role(who, "archivist")
    load_minutes(appliance, minutes_id, who)
    publish_minutes(appliance, who, minutes_id)  # refuses drafts and an unset or non-http base URI
    return _back(minutes_id, "publish")


HANDLERS = [show, meeting, agenda_item, decision, publish]
