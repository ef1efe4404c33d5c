"""LBLOD publication of minutes (issue 12): the meeting's record, the OSLO Besluit graph, its RDFa
pages, the maturity check written from the LBLOD decision-validation blueprints, and publishing."""

from appliance.minutes.lblod.check import Finding, Report, check_graph
from appliance.minutes.lblod.graph import DOCUMENT_TYPES, MAX_BASE_CHARS, build_graph, check_base
from appliance.minutes.lblod.publish import (
    FILES,
    Publication,
    check_minutes,
    check_record,
    minutes_overview,
    publish_minutes,
    render,
)
from appliance.minutes.lblod.rdfa import to_html
from appliance.minutes.lblod.record import (
    AGENDA_ITEM_TYPES,
    Record,
    check_vote,
    load_record,
    save_agenda_item,
    save_decision,
    save_meeting,
)

__all__ = ["AGENDA_ITEM_TYPES", "DOCUMENT_TYPES", "FILES", "MAX_BASE_CHARS", "Finding", "Publication", "Record", "Report", "build_graph", "check_base",
           "check_graph", "check_minutes", "check_record", "check_vote", "load_record", "minutes_overview", "publish_minutes",
           "render", "save_agenda_item", "save_decision", "save_meeting", "to_html"]
