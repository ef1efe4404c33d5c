"""The pilot KPIs: volume per category, auto-routed share, accuracy of suggestions, median time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appliance.db.engine import write_session
from appliance.db.tables import TriageLabel
from appliance.triage.stats import compute
from tests.unit.triage_items import add_item

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _routed(app, category: str, *, by: str, minutes: int, suggested: str, days_ago: int = 1) -> int:
    received = NOW - timedelta(days=days_ago)
    item = add_item(app, "x", suggested=suggested, state="routed", category=category, routed_by=by,
                    received_at=received, routed_at=received + timedelta(minutes=minutes))
    if by != "auto":
        with write_session(app.db) as s:
            s.add(TriageLabel(item_id=item, category=category, previous=suggested, by=by))
    return item


def test_kpis_over_a_period(appliance) -> None:
    app = appliance
    _routed(app, "afval", by="auto", minutes=1, suggested="afval")
    _routed(app, "afval", by="auto", minutes=3, suggested="afval")
    _routed(app, "wegen", by="anna", minutes=60, suggested="wegen")  # accepted
    corrected = _routed(app, "wegen", by="anna", minutes=120, suggested="afval")  # corrected
    add_item(app, "waits", suggested="sociaal", received_at=NOW - timedelta(hours=2))
    _routed(app, "afval", by="auto", minutes=1, suggested="afval", days_ago=40)  # outside the period
    with write_session(app.db) as s:  # a second correction of the same item replaces the first
        s.add(TriageLabel(item_id=corrected, category="wegen", previous="afval", by="bert"))

    stats = compute(app, days=30, now=NOW)
    assert stats.received == 5
    assert stats.volume == {"afval": 2, "wegen": 2, "sociaal": 1}
    assert stats.by_state == {"routed": 4, "queued": 1}
    assert (stats.routed, stats.auto_routed, stats.auto_share) == (4, 2, 0.5)
    assert (stats.confirmed, stats.agreed, stats.accuracy) == (2, 1, 0.5)
    assert stats.median_minutes_to_route == 31.5  # 1, 3, 60, 120
    assert stats.median_minutes_by_person == 90.0

    wide = compute(app, days=60, now=NOW)
    assert wide.received == 6 and wide.auto_routed == 3


def test_an_empty_period_has_no_rates(appliance) -> None:
    stats = compute(appliance, days=7, now=NOW)
    assert stats.received == 0 and stats.auto_share is None and stats.accuracy is None
    assert stats.median_minutes_to_route is None and stats.volume == {}
