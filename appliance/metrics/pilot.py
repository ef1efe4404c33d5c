"""The pilot's KPIs per week, as the Flemish pilot playbook asks for them after 8-12 weeks: questions
asked and answered, the "don't know" rate, thumbs up and down, tickets and their handling time,
minutes drafted and the share of their items accepted, triage volume, the auto-routed share and the
accuracy of the suggestions, and the time saved at the organisation's own minutes per item.

Counts only: no question, name or text leaves this module. Weeks are ISO weeks (Monday, UTC).
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from appliance.db.engine import read_session
from appliance.db.tables import AnswerRecord, Minutes, MinutesItem, Ticket, TriageItem, TriageLabel, utcnow

if TYPE_CHECKING:
    from appliance.context import Appliance

ANSWERED = ("answered", "extractive")  # an answer was given (a model's or quoted passages)


@dataclass
class PilotWeek:
    week: str  # ISO week, e.g. 2026-W49
    start: date  # its Monday
    asked: int = 0
    answered: int = 0
    dont_know: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    tickets: int = 0
    tickets_handled: int = 0
    handling_hours: float | None = None  # median, of the week's tickets that were handled
    minutes_drafted: int = 0
    minutes_items: int = 0  # items the model drafted
    minutes_accepted: int = 0  # ... that a person accepted
    triage_received: int = 0
    triage_routed: int = 0
    triage_auto: int = 0
    triage_judged: int = 0  # items a person gave a category to, over a suggestion
    triage_agreed: int = 0  # ... the same as the suggestion
    minutes_saved: float = 0.0

    @property
    def dont_know_rate(self) -> float | None:
        return _share(self.dont_know, self.asked)

    @property
    def accepted_share(self) -> float | None:
        return _share(self.minutes_accepted, self.minutes_items)

    @property
    def auto_share(self) -> float | None:
        return _share(self.triage_auto, self.triage_routed)

    @property
    def accuracy(self) -> float | None:
        return _share(self.triage_agreed, self.triage_judged)

    @property
    def hours_saved(self) -> float:
        return round(self.minutes_saved / 60, 1)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _Weeks:
    """Maps a moment to its week's row (None outside the window)."""

    def __init__(self, now: datetime, count: int) -> None:
        today = _aware(now).astimezone(UTC).date()
        self.first = today - timedelta(days=today.weekday()) - timedelta(weeks=count - 1)
        self.since = datetime(self.first.year, self.first.month, self.first.day, tzinfo=UTC)
        self.rows = []
        for i in range(count):
            monday = self.first + timedelta(weeks=i)
            year, week, _day = monday.isocalendar()
            self.rows.append(PilotWeek(week=f"{year}-W{week:02d}", start=monday))

    def of(self, moment: datetime | str | None) -> PilotWeek | None:
        if moment is None:
            return None
        when = _aware(datetime.fromisoformat(moment) if isinstance(moment, str) else moment).astimezone(UTC)
        i = (when.date() - self.first).days // 7
        return self.rows[i] if 0 <= i < len(self.rows) else None


def pilot_weeks(app: Appliance, *, weeks: int | None = None, now: datetime | None = None) -> list[PilotWeek]:
    """One row per week, oldest first, the current week last."""
    grid = _Weeks(now or utcnow(), weeks or app.settings.pilot.weeks)
    with read_session(app.db) as s:
        _answers(s, grid)
        _tickets(s, grid)
        _minutes(s, grid)
        triage_into(s, grid)
    p = app.settings.pilot
    for row in grid.rows:
        row.minutes_saved = round(row.answered * p.minutes_per_answer + row.triage_auto * p.minutes_per_triage_item
                                  + row.minutes_accepted * p.minutes_per_minutes_item, 1)
    return grid.rows


def triage_weeks(app: Appliance, *, weeks: int | None = None, now: datetime | None = None) -> list[PilotWeek]:
    """Only the triage figures per week (the triage dashboard's charts)."""
    grid = _Weeks(now or utcnow(), weeks or app.settings.pilot.weeks)
    with read_session(app.db) as s:
        triage_into(s, grid)
    return grid.rows


def _answers(s: Session, grid: _Weeks) -> None:
    since = grid.since.isoformat()
    for at, status in s.exec(select(AnswerRecord.at, AnswerRecord.status).where(
            AnswerRecord.kind == "answer", AnswerRecord.at >= since)).all():
        week = grid.of(at)
        if week is not None:
            week.asked += 1
            week.answered += status in ANSWERED
            week.dont_know += status == "dont_know"
    feedback: dict[int | None, tuple[str, bool]] = {}  # the newest feedback on an answer counts
    for at, ref_id, payload in s.exec(select(AnswerRecord.at, AnswerRecord.ref_id, AnswerRecord.payload).where(
            AnswerRecord.kind == "feedback", AnswerRecord.at >= since).order_by(col(AnswerRecord.id))).all():
        feedback[ref_id] = (at, _helpful(payload))
    for at, helpful in feedback.values():
        week = grid.of(at)
        if week is not None:
            week.thumbs_up += helpful
            week.thumbs_down += not helpful


def _helpful(payload: str) -> bool:
    try:
        return bool(json.loads(payload or "{}").get("helpful"))
    except (ValueError, AttributeError):
        return False


def _tickets(s: Session, grid: _Weeks) -> None:
    waits: dict[str, list[float]] = {}
    for t in s.exec(select(Ticket).where(col(Ticket.created_at) >= grid.since)).all():
        week = grid.of(t.created_at)
        if week is None:
            continue
        week.tickets += 1
        ends = [_aware(d) for d in (t.replied_at, t.closed_at) if d is not None]
        if ends:
            week.tickets_handled += 1
            waits.setdefault(week.week, []).append((min(ends) - _aware(t.created_at)).total_seconds() / 3600)
    for row in grid.rows:
        if waits.get(row.week):
            row.handling_hours = round(statistics.median(waits[row.week]), 1)


def _minutes(s: Session, grid: _Weeks) -> None:
    drafted = s.exec(select(Minutes.id, Minutes.created_at).where(
        col(Minutes.created_at) >= grid.since,
        col(Minutes.state).in_(("draft", "approved")))).all()
    week_of = {mid: grid.of(at) for mid, at in drafted}
    for week in week_of.values():
        if week is not None:
            week.minutes_drafted += 1
    ids = [mid for mid, week in week_of.items() if week is not None]
    if not ids:
        return
    for mid, state in s.exec(select(MinutesItem.minutes_id, MinutesItem.state).where(
            col(MinutesItem.minutes_id).in_(ids), MinutesItem.source == "ai")).all():
        week = week_of[mid]
        if week is not None:
            week.minutes_items += 1
            week.minutes_accepted += state == "accepted"


def triage_into(s: Session, grid: _Weeks) -> None:
    items = s.exec(select(TriageItem.id, TriageItem.received_at, TriageItem.routed_at, TriageItem.routed_by)
                   .where(col(TriageItem.received_at) >= grid.since)).all()
    week_of = {}
    for item_id, received, routed_at, routed_by in items:
        week = grid.of(received)
        if week is None:
            continue
        week_of[item_id] = week
        week.triage_received += 1
        if routed_at is not None and routed_by:
            week.triage_routed += 1
            week.triage_auto += routed_by == "auto"
    if not week_of:
        return
    newest: dict[int, TriageLabel] = {}
    for label in s.exec(select(TriageLabel).where(col(TriageLabel.item_id).in_(list(week_of)))
                        .order_by(col(TriageLabel.id))).all():
        newest[label.item_id] = label  # a second correction of the same item replaces the first
    for label in newest.values():
        if label.previous:
            week_of[label.item_id].triage_judged += 1
            week_of[label.item_id].triage_agreed += label.category == label.previous


# The columns of the dashboard's tables and of its CSV, in one order: (key, format).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("week", "text"), ("asked", "int"), ("answered", "int"), ("dont_know", "int"), ("dont_know_rate", "pct"),
    ("thumbs_up", "int"), ("thumbs_down", "int"), ("tickets", "int"), ("tickets_handled", "int"),
    ("handling_hours", "num"), ("minutes_drafted", "int"), ("minutes_items", "int"), ("minutes_accepted", "int"),
    ("accepted_share", "pct"), ("triage_received", "int"), ("triage_routed", "int"), ("triage_auto", "int"),
    ("auto_share", "pct"), ("triage_judged", "int"), ("triage_agreed", "int"), ("accuracy", "pct"),
    ("hours_saved", "num"),
)


def cell(row: PilotWeek, key: str) -> str:
    """A figure as the table and the CSV both write it: rates in percent with one decimal, no
    figure (nothing to divide by) as an empty string."""
    value = getattr(row, key)
    fmt = dict(COLUMNS)[key]
    if value is None:
        return ""
    if fmt == "pct":
        return f"{value * 100:.1f}"
    if fmt == "num":
        return f"{value:.1f}"
    return str(value)


def pilot_csv(rows: list[PilotWeek]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([key for key, _fmt in COLUMNS])
    for row in rows:
        writer.writerow([cell(row, key) for key, _fmt in COLUMNS])
    return out.getvalue()
