"""The audit feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.audit.erasure import erase_answer_records
from appliance.audit.log import export as export_trail
from appliance.audit.log import head as chain_head
from appliance.audit.log import record_answer, record_feedback, verify_chain
from appliance.audit.search import (
    KINDS,
    STATUSES,
    Page,
    RecordFilter,
    chain_status,
    download_trail,
    event_actions,
    record_detail,
    search_events,
    search_records,
)

__all__ = [
    "KINDS",
    "STATUSES",
    "Page",
    "RecordFilter",
    "chain_head",
    "chain_status",
    "download_trail",
    "erase_answer_records",
    "event_actions",
    "export_trail",
    "record_answer",
    "record_detail",
    "record_feedback",
    "search_events",
    "search_records",
    "verify_chain",
]
