"""Capacity forecast: the calendar, the count model, its backtest on held-back weeks, too little history."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from appliance.access import SYSTEM, accounts
from appliance.errors import BelfortError
from appliance.insight import (
    MIN_WEEKS,
    backtest,
    csv_text,
    forecast,
    intake_forecast,
    school_holidays,
    series_names,
    week_calendar,
)
from tests.insight_data import weekly_history
from tests.unit.triage_items import add_item


def _span(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


@pytest.mark.parametrize("year, holidays", [
    # published Flemish school calendars 2024-2025 and 2025-2026
    (2024, [(date(2024, 10, 28), date(2024, 11, 3)), (date(2024, 12, 23), date(2024, 12, 31))]),
    (2025, [(date(2025, 1, 1), date(2025, 1, 5)), (date(2025, 3, 3), date(2025, 3, 9)),
            (date(2025, 4, 7), date(2025, 4, 21)), (date(2025, 7, 1), date(2025, 8, 31)),
            (date(2025, 10, 27), date(2025, 11, 2)), (date(2025, 12, 22), date(2025, 12, 31))]),
    (2026, [(date(2026, 1, 1), date(2026, 1, 4)), (date(2026, 2, 16), date(2026, 2, 22)),
            (date(2026, 4, 6), date(2026, 4, 19))]),
])
def test_flemish_school_holidays_follow_the_published_calendars(year, holidays) -> None:
    days = school_holidays(year)
    for first, last in holidays:
        assert _span(first, last) <= days, (first, last)
    assert date(year, 9, 15) not in days and date(year, 6, 15) not in days


def test_a_week_with_a_public_holiday_has_fewer_working_days() -> None:
    assert week_calendar(date(2025, 4, 14)) == (5, 5)  # Easter holidays
    assert week_calendar(date(2025, 4, 21)) == (4, 0)  # Easter Monday, the holidays' last day
    assert week_calendar(date(2025, 11, 10)) == (4, 0)  # 11 November
    assert week_calendar(date(2025, 9, 15)) == (5, 0)
    assert week_calendar(date(2025, 7, 21)) == (4, 4)  # national day, summer holidays


def test_two_weeks_of_history_say_so_instead_of_drawing_a_line() -> None:
    mondays, counts = weekly_history(2)
    result = forecast("total", mondays, counts)
    assert result.status == "too_little_history" and result.history_weeks == 2
    assert result.needed_weeks == MIN_WEEKS
    assert result.weeks == [] and result.mean == [] and result.backtest is None
    assert csv_text(result).splitlines() == ["week,mean,lower,upper,workdays,school_holiday_days"]


def test_a_short_history_without_holidays_still_expects_less_in_a_holiday_week() -> None:
    mondays, counts = weekly_history(10, start=date(2025, 9, 1))  # no public holiday on a weekday in it
    result = forecast("total", mondays, counts)
    assert result.status == "ok" and not result.seasonal and result.weeks[0] == "2025-11-10"
    assert result.workdays[:2] == [4, 5]  # 11 November
    assert result.mean[0] == pytest.approx(result.mean[1] * 4 / 5, rel=0.01)
    assert result.upper[0] - result.lower[0] < 3 * np.sqrt(result.mean[1]) * 2.6  # no runaway interval


def test_the_backtest_scores_held_back_weeks_only() -> None:
    mondays, counts = weekly_history(60)
    first = backtest(mondays, counts, held_back=8, origins=2)
    assert first is not None and first.origins == [mondays[44].isoformat(), mondays[52].isoformat()]
    assert first.actual == counts[44:60] and len(first.predicted) == 16
    # The last window's predictions come from weeks before it: changing the held-back weeks changes
    # what is scored, never what was predicted for them.
    changed = counts[:52] + [c * 5 + 50 for c in counts[52:]]
    second = backtest(mondays, changed, held_back=8, origins=1)
    only_last = backtest(mondays, counts, held_back=8, origins=1)
    assert second is not None and only_last is not None
    assert second.predicted == only_last.predicted and second.actual != only_last.actual
    assert second.mae > only_last.mae * 3
    # ... while a change to a training week does change the prediction.
    earlier = counts[:40] + [counts[40] + 200] + counts[41:]
    moved = backtest(mondays, earlier, held_back=8, origins=1)
    assert moved is not None and moved.predicted != only_last.predicted


def test_two_years_with_seasonality_forecast_within_the_noise() -> None:
    mondays, counts = weekly_history(104)
    result = forecast("total", mondays, counts)
    assert result.status == "ok" and result.seasonal and len(result.weeks) == 8
    assert result.weeks[0] == (mondays[-1] + timedelta(days=7)).isoformat()
    assert all(lo <= m <= hi for lo, m, hi in zip(result.lower, result.mean, result.upper, strict=True))
    bt = result.backtest
    assert bt is not None and len(bt.actual) == 32 and len(bt.origins) == 4
    # Better than the naive forecast (each window: the mean of the 8 weeks before it).
    naive = np.concatenate([np.full(8, np.mean(counts[s - 8:s])) for s in (72, 80, 88, 96)])
    naive_mae = float(np.mean(np.abs(naive - np.asarray(bt.actual))))
    assert bt.mae < naive_mae
    assert bt.mape is not None and bt.mape < 0.4 and bt.coverage >= 0.6
    rows = csv_text(result).splitlines()
    assert len(rows) == 9 and rows[1].startswith(result.weeks[0] + ",")
    # The same input gives the same forecast (seeded simulation).
    assert forecast("total", mondays, counts).as_dict() == result.as_dict()


def test_intake_series_from_the_database(appliance) -> None:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    rng = np.random.default_rng(5)
    for week in range(30):
        monday = datetime(2026, 4, 27, 9, tzinfo=UTC) + timedelta(days=7 * (week - 1))
        for i in range(int(rng.poisson(6))):
            add_item(appliance, f"Melding {week}-{i}", suggested="afval" if i % 2 else "wegschade",
                     department="omgeving" if i % 2 else "openbare-werken",
                     received_at=monday + timedelta(days=i % 5, hours=i))
    names = series_names(appliance, SYSTEM, None, now=now)
    assert names[:2] == ["total", "tickets"] and "department:omgeving" in names and "category:afval" in names
    total = intake_forecast(appliance, SYSTEM, "total", now=now)
    part = intake_forecast(appliance, SYSTEM, "category:afval", now=now)
    assert total.status == part.status == "ok" and total.history_weeks == part.history_weeks == 31  # up to the last complete week
    assert sum(c for _w, c in part.history) < sum(c for _w, c in total.history)
    assert total.weeks[0] == "2026-11-23" and total.history[-1] == ("2026-11-16", 0)  # the week in progress is forecast
    assert abs(sum(total.weekday_share) - 1) < 1e-3 and total.weekday_share[5] == 0
    assert intake_forecast(appliance, SYSTEM, "tickets", now=now).status == "too_little_history"
    with pytest.raises(BelfortError) as err:
        intake_forecast(appliance, SYSTEM, "street:x", now=now)
    assert err.value.code == "insight.unknown_series"
    outsider = accounts.create_user(appliance, "otto", "Wachtwoord-voor-otto-1", role="staff")
    with pytest.raises(BelfortError) as err:
        intake_forecast(appliance, outsider, "total", now=now)
    assert err.value.status == 403


def test_cli_forecast_and_themes(capsys, tmp_path) -> None:
    from ops.cli import main

    config = tmp_path / "belfort.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\nmodels_dir = "{tmp_path / "models"}"\n'
                      'profile = "test"\n[search]\nembedder = "fake"\n', "utf-8")
    base = ["--config", str(config), "insight"]
    assert main([*base, "forecast"]) == 1
    assert "no forecast" in capsys.readouterr().err
    assert main([*base, "forecast", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "too_little_history"
    assert main([*base, "themes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["themes"] == []
