"""The pilot dashboard's charts and tables (also the triage dashboard's): one Panel per figure, its
table holding exactly the cells the CSV writes (appliance.metrics.cell)."""

from __future__ import annotations

from appliance.metrics import PilotWeek, cell
from webui.charts import Panel, bar_chart, grouped_bar_chart


def _panel(rows: list[PilotWeek], pid: str, keys: list[str], series: list[str]) -> Panel:
    """A chart of `series` (one or two columns) per week, with a table of `keys` beside it."""
    labels = [r.week.split("-")[-1] for r in rows]

    def values(key: str) -> list[float]:
        scale = 100.0 if key in ("dont_know_rate", "accepted_share", "auto_share", "accuracy") else 1.0
        return [float(getattr(r, key) or 0.0) * scale for r in rows]

    chart = (bar_chart(labels, values(series[0])) if len(series) == 1
             else grouped_bar_chart(labels, [values(k) for k in series]))
    return Panel(id=pid, title=f"pilot.chart_{pid}", chart=chart,
                 headers=["pilot.col_week"] + [f"pilot.col_{k}" for k in keys],
                 rows=[[r.week] + [cell(r, k) for k in keys] for r in rows],
                 legend=[f"pilot.col_{k}" for k in series] if len(series) > 1 else [])


def triage_panels(rows: list[PilotWeek]) -> list[Panel]:
    return [
        _panel(rows, "triage_volume", ["triage_received", "triage_routed", "triage_auto"], ["triage_received"]),
        _panel(rows, "triage_quality", ["auto_share", "triage_judged", "triage_agreed", "accuracy"],
               ["auto_share", "accuracy"]),
    ]


def pilot_panels(rows: list[PilotWeek]) -> list[Panel]:
    return [
        _panel(rows, "questions", ["asked", "answered", "dont_know"], ["asked", "answered"]),
        _panel(rows, "dont_know", ["dont_know_rate"], ["dont_know_rate"]),
        _panel(rows, "feedback", ["thumbs_up", "thumbs_down"], ["thumbs_up", "thumbs_down"]),
        _panel(rows, "tickets", ["tickets", "tickets_handled"], ["tickets", "tickets_handled"]),
        _panel(rows, "handling", ["handling_hours"], ["handling_hours"]),
        _panel(rows, "minutes", ["minutes_drafted", "minutes_items", "minutes_accepted", "accepted_share"],
               ["accepted_share"]),
        *triage_panels(rows),
        _panel(rows, "saved", ["hours_saved"], ["hours_saved"]),
    ]
