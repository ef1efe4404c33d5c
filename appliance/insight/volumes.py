"""Intake volumes per week for the forecast: triage items (all, per category, per department) and tickets.

Only counts leave this module, and only for the group `triage` and administrators (who read every
item anyway). The history is the complete weeks from the first week with intake up to the last
Monday before `now`; the week in progress is forecast, not counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select

from appliance.access import Principal
from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import Ticket, TriageItem
from appliance.errors import NotFound
from appliance.insight.forecast import Forecast, forecast
from appliance.triage import Taxonomy, require_triage

TOTAL = "total"
TICKETS = "tickets"


@dataclass(frozen=True)
class Intake:
    day: date
    category: str
    department: str


def _day(value: datetime) -> date:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).date()


def _intake(app: Appliance, until: datetime, taxonomy: Taxonomy | None) -> tuple[list[Intake], list[date]]:
    with read_session(app.db) as s:
        items = s.exec(select(TriageItem.received_at, TriageItem.category, TriageItem.suggested,
                              TriageItem.department).where(col(TriageItem.received_at) < until)).all()
        tickets = s.exec(select(Ticket.created_at).where(col(Ticket.created_at) < until)).all()
    out = []
    for received, category, suggested, department in items:
        cat = category or suggested
        if not department and taxonomy is not None and (found := taxonomy.get(cat)) is not None:
            department = found.department
        out.append(Intake(_day(received), cat or "?", department or "?"))
    return out, [_day(t) for t in tickets]


def series_names(app: Appliance, who: Principal, taxonomy: Taxonomy | None,
                 now: datetime | None = None) -> list[str]:
    """'total', 'tickets', 'department:<key>' and 'category:<key>' of the intake so far."""
    require_triage(app, who)
    items, _tickets = _intake(app, now or datetime.now(UTC), taxonomy)
    departments = sorted({i.department for i in items})
    categories = sorted({i.category for i in items})
    return ([TOTAL, TICKETS] + [f"department:{d}" for d in departments]
            + [f"category:{c}" for c in categories])


def _weeks(days: list[date], first: date | None, until: date) -> tuple[list[date], list[int]]:
    """Consecutive Mondays from `first` to the last complete week before `until`, with their counts."""
    if first is None:
        return [], []
    start = first - timedelta(days=first.weekday())
    end = until - timedelta(days=until.weekday())  # the week in progress is not history
    per_week = Counter(d - timedelta(days=d.weekday()) for d in days)
    mondays = [start + timedelta(days=7 * i) for i in range(max(0, (end - start).days // 7))]
    return mondays, [per_week.get(m, 0) for m in mondays]


def intake_forecast(app: Appliance, who: Principal, series: str = TOTAL, *, taxonomy: Taxonomy | None = None,
                    now: datetime | None = None, horizon: int = 8) -> Forecast:
    """The weekly forecast of one series (see `series_names`), with its backtest."""
    require_triage(app, who)
    now = now or datetime.now(UTC)
    items, tickets = _intake(app, now, taxonomy)
    kind, _sep, key = series.partition(":")
    if series == TOTAL:
        days = [i.day for i in items]
    elif series == TICKETS:
        days = tickets
    elif kind in ("department", "category") and key:
        days = [i.day for i in items if (i.department if kind == "department" else i.category) == key]
    else:
        raise NotFound("insight.unknown_series", f"no intake series '{series[:60]}'",
                       hint="total, tickets, department:<key> or category:<key>")
    # The intake's own first week: a category that started later counts its earlier weeks as zero.
    first = min(tickets if series == TICKETS else [i.day for i in items], default=None)
    mondays, counts = _weeks(days, first, now.date())
    return forecast(series, mondays, counts, horizon=horizon, days=days)
