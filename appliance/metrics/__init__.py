"""Operations: the Prometheus figures of a web process (/metrics, the admin console's charts) and the
pilot's weekly KPIs (/admin/pilot). Its public surface: entry points import from here."""

from appliance.metrics.hub import CONTENT_TYPE, Metrics, Sample, total_by
from appliance.metrics.pilot import COLUMNS, PilotWeek, cell, pilot_csv, pilot_weeks, triage_weeks
from appliance.metrics.requests import UNMATCHED
from appliance.metrics.state import QueueDepths

__all__ = [
    "COLUMNS",
    "CONTENT_TYPE",
    "UNMATCHED",
    "Metrics",
    "PilotWeek",
    "QueueDepths",
    "Sample",
    "cell",
    "pilot_csv",
    "pilot_weeks",
    "total_by",
    "triage_weeks",
]
