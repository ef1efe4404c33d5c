"""The capacity forecast on a generated two-year intake history, end to end through the database.

    python bench/insight_forecast_bench.py [--weeks 104] [--seed 3]

Writes a seeded synthetic history (yearly season +-30 %, 10 %/year growth, fewer items on public
holidays and in Flemish school holidays, negative-binomial noise; tests/insight_data.py) as triage
items with received dates into a fresh appliance in a temporary folder, runs the same forecast as
`belfort insight forecast` and prints the backtest on held-back weeks next to two naive forecasts
(the mean of the 8 weeks before each window, and the same weeks a year earlier).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appliance.access import SYSTEM
from appliance.context import open_appliance
from appliance.db.engine import write_session
from appliance.db.tables import TriageItem
from appliance.insight import intake_forecast
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.insight_data import weekly_history, weekly_rate


def _store(app, mondays, counts, seed: int) -> int:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    weekday_weight = np.array([0.26, 0.22, 0.2, 0.18, 0.14])  # more mail on Monday
    n = 0
    with write_session(app.db) as s:
        for monday, count in zip(mondays, counts, strict=True):
            for day in rng.choice(5, size=count, p=weekday_weight):
                at = datetime.combine(monday, datetime.min.time(), tzinfo=UTC) + timedelta(days=int(day), hours=10)
                s.add(TriageItem(source="api", external_id=f"bench-{n}", subject="x", received_at=at,
                                 suggested="afval", department="omgeving"))
                n += 1
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    mondays, counts = weekly_history(args.weeks, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        app = open_appliance(make_settings(Path(tmp)), embedder=FakeEmbedder())
        items = _store(app, mondays, counts, args.seed)
        now = datetime.combine(mondays[-1] + timedelta(days=7), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
        started = time.perf_counter()
        result = intake_forecast(app, SYSTEM, "total", now=now)
        seconds = time.perf_counter() - started
    bt = result.backtest
    print(f"history: {result.history_weeks} weeks, {items} items; forecast {result.weeks[0]}..{result.weeks[-1]} "
          f"in {seconds:.1f} s (seasonal: {result.seasonal})")
    if bt is None:
        print("no backtest: too little history")
        return 1
    actual = np.asarray(bt.actual, dtype=float)
    starts = [mondays.index(datetime.fromisoformat(o).date()) for o in bt.origins]
    mean8 = np.concatenate([np.full(bt.held_back, np.mean(counts[s - 8:s])) for s in starts])
    print(f"backtest: {len(bt.origins)} windows x {bt.held_back} held-back weeks (from {bt.origins[0]}): "
          f"MAE {bt.mae:.2f}, MAPE {bt.mape:.1%}, {int(result.level * 100)}% interval coverage {bt.coverage:.0%}")
    print(f"naive mean of the 8 weeks before: MAE {np.mean(np.abs(mean8 - actual)):.2f}, "
          f"MAPE {np.mean(np.abs(mean8 - actual) / np.maximum(actual, 1)):.1%}")
    if all(s >= 52 for s in starts):
        year = np.concatenate([np.asarray(counts[s - 52:s - 52 + bt.held_back], dtype=float) for s in starts])
        print(f"naive same weeks a year earlier: MAE {np.mean(np.abs(year - actual)):.2f}, "
              f"MAPE {np.mean(np.abs(year - actual) / np.maximum(actual, 1)):.1%}")
    truth = np.concatenate([[weekly_rate(m, mondays[0]) for m in mondays[s:s + bt.held_back]] for s in starts])
    print(f"the true weekly rate itself (the noise floor): MAE {np.mean(np.abs(truth - actual)):.2f}, "
          f"MAPE {np.mean(np.abs(truth - actual) / np.maximum(actual, 1)):.1%}")
    print("weekday share (Mon..Sun): " + " ".join(f"{v:.2f}" for v in result.weekday_share))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
