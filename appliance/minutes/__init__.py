"""The minutes feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.minutes.draft import draft_minutes
from appliance.minutes.export.besluit import node_id
from appliance.minutes.export.data import ExportData, timecode
from appliance.minutes.export.formats import FORMATS, export_minutes, list_minutes, load_minutes, segments_of
from appliance.minutes.reading import is_reviewer, item_of, readable_minutes
from appliance.minutes.review import ITEM_STATES, add_item, edit_item, get_minutes, set_item_state
from appliance.minutes.review import approve as approve_minutes

__all__ = [
    "FORMATS",
    "ITEM_STATES",
    "ExportData",
    "add_item",
    "approve_minutes",
    "draft_minutes",
    "edit_item",
    "export_minutes",
    "get_minutes",
    "is_reviewer",
    "item_of",
    "list_minutes",
    "load_minutes",
    "node_id",
    "readable_minutes",
    "segments_of",
    "set_item_state",
    "timecode",
]
