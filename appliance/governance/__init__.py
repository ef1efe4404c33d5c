"""The governance feature (issue 14): retention rules, legal holds and data-subject requests. Its public
surface: the jobs, the CLI and the pages import from here."""

from appliance.governance.export import export_zip
from appliance.governance.holds import HOLD_KINDS, active_holds, place_hold, release_hold
from appliance.governance.items import KINDS, TARGETS
from appliance.governance.matching import subject
from appliance.governance.retention import apply as apply_retention
from appliance.governance.retention import dry_run as retention_dry_run
from appliance.governance.retention import last_run as last_retention_run
from appliance.governance.rules import ConfirmEverything, get_rule, list_rules, remove_rule, save_rule
from appliance.governance.subject import Found, erase
from appliance.governance.subject import search as search_subject

__all__ = [
    "HOLD_KINDS",
    "KINDS",
    "TARGETS",
    "ConfirmEverything",
    "Found",
    "active_holds",
    "apply_retention",
    "erase",
    "export_zip",
    "get_rule",
    "last_retention_run",
    "list_rules",
    "place_hold",
    "release_hold",
    "remove_rule",
    "retention_dry_run",
    "save_rule",
    "search_subject",
    "subject",
]
