"""Who reads which minutes, and how much of them: archivists and admins (reviewers) read drafts with
every item and its review state; staff read approved minutes only, and only their accepted items."""

from __future__ import annotations

from appliance.access import Principal
from appliance.context import Appliance
from appliance.db.tables import Minutes, MinutesItem
from appliance.errors import NotFound
from appliance.minutes.export.formats import REVIEWER_ROLES, load_minutes
from appliance.minutes.review import get_minutes


def is_reviewer(who: Principal) -> bool:
    return who.role in REVIEWER_ROLES


def readable_minutes(app: Appliance, who: Principal, minutes_id: int) -> tuple[Minutes, list[MinutesItem]]:
    load_minutes(app, minutes_id, who)  # not found: hidden recording, or a draft for staff
    minutes, items = get_minutes(app, minutes_id)
    if not is_reviewer(who):
        items = [i for i in items if i.state == "accepted"]
    return minutes, items


def item_of(app: Appliance, who: Principal, minutes_id: int, item_id: int) -> MinutesItem:
    """One item of minutes `who` may read (an item of other minutes is not found here)."""
    load_minutes(app, minutes_id, who)  # not found for minutes of a hidden recording
    _minutes, items = get_minutes(app, minutes_id)
    for item in items:
        if item.id == item_id:
            return item
    raise NotFound("minutes.item_not_found", f"no item {item_id} in minutes {minutes_id}")
