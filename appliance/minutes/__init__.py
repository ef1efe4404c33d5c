"""The minutes feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.minutes.draft import draft_minutes
from appliance.minutes.export.besluit import node_id
from appliance.minutes.export.data import ExportData, timecode
from appliance.minutes.export.formats import FORMATS, export_minutes, list_minutes, load_minutes, segments_of
from appliance.minutes.lblod import (  # LBLOD publication (issue 12)
    AGENDA_ITEM_TYPES,
    MAX_BASE_CHARS,
    check_minutes,
    check_record,
    load_record,
    minutes_overview,
    publish_minutes,
    save_agenda_item,
    save_decision,
    save_meeting,
)
from appliance.minutes.reading import is_reviewer, item_of, readable_minutes
from appliance.minutes.review import ITEM_STATES, add_item, edit_item, get_minutes, set_item_state
from appliance.minutes.review import approve as approve_minutes

__all__ = [
    "AGENDA_ITEM_TYPES",
    "FORMATS",
    "ITEM_STATES",
    "MAX_BASE_CHARS",
    "ExportData",
    "add_item",
    "approve_minutes",
    "check_minutes",
    "check_record",
    "draft_minutes",
    "edit_item",
    "export_minutes",
    "get_minutes",
    "is_reviewer",
    "item_of",
    "list_minutes",
    "load_minutes",
    "load_record",
    "minutes_overview",
    "node_id",
    "publish_minutes",
    "readable_minutes",
    "save_agenda_item",
    "save_decision",
    "save_meeting",
    "segments_of",
    "set_item_state",
    "timecode",
]
