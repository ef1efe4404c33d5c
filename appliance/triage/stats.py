"""The pilot's KPIs over a period: volume per category, the share routed without a person, how often a
person agreed with the suggestion, and the median time from receipt to routing."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import TriageItem, TriageLabel, utcnow


@dataclass
class TriageStats:
    since: str
    until: str
    received: int = 0
    volume: dict[str, int] = field(default_factory=dict)  # category (or suggestion while waiting) -> items
    by_state: dict[str, int] = field(default_factory=dict)
    routed: int = 0
    auto_routed: int = 0
    auto_share: float | None = None  # auto-routed / routed
    confirmed: int = 0  # items a person gave a category
    agreed: int = 0  # ... equal to the model's suggestion
    accuracy: float | None = None  # agreed / confirmed
    median_minutes_to_route: float | None = None
    median_minutes_by_person: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def compute(app: Appliance, *, days: int = 30, now: datetime | None = None) -> TriageStats:
    """KPIs of the items received in the last `days` days."""
    now = now or utcnow()
    since = now - timedelta(days=days)
    with read_session(app.db) as s:
        items = s.exec(select(TriageItem).where(col(TriageItem.received_at) >= since,
                                                col(TriageItem.received_at) <= now)).all()
        ids = [i.id for i in items]
        labels = s.exec(select(TriageLabel).where(col(TriageLabel.item_id).in_(ids))
                        .order_by(col(TriageLabel.id))).all() if ids else []
    out = TriageStats(since=since.isoformat(), until=now.isoformat(), received=len(items))
    out.volume = dict(Counter(i.category or i.suggested or "?" for i in items).most_common())
    out.by_state = dict(Counter(i.state for i in items))
    routed = [i for i in items if i.routed_at is not None and i.routed_by]
    out.routed = len(routed)
    out.auto_routed = sum(1 for i in routed if i.routed_by == "auto")
    out.auto_share = round(out.auto_routed / out.routed, 4) if routed else None
    newest: dict[int, TriageLabel] = {}
    for label in labels:  # a second correction of the same item replaces the first
        newest[label.item_id] = label
    judged = [lab for lab in newest.values() if lab.previous]
    out.confirmed = len(judged)
    out.agreed = sum(1 for lab in judged if lab.category == lab.previous)
    out.accuracy = round(out.agreed / out.confirmed, 4) if judged else None

    def minutes(rows: list[TriageItem]) -> float | None:
        waits = [(_aware(i.routed_at) - _aware(i.received_at)).total_seconds() / 60  # type: ignore[arg-type]
                 for i in rows]
        return round(statistics.median(waits), 1) if waits else None

    out.median_minutes_to_route = minutes(routed)
    out.median_minutes_by_person = minutes([i for i in routed if i.routed_by != "auto"])
    return out
