"""Weekly capacity forecast: a count model of the intake with calendar regressors, and its backtest.

The model is a Poisson GLM (statsmodels) with a free dispersion (quasi-Poisson): a level, a trend
where the history is long enough, yearly seasonality as two Fourier pairs of the week of the year
(from one year of history on), and the calendar of the week: its working days (Belgian public
holidays off; an offset makes the intake proportional to them, a column measures the departure) and
how many of them are Flemish school holidays. A calendar column the history cannot estimate (no
school holiday seen yet) is left out rather than guessed. The prediction interval comes from
simulation with a fixed seed: the mean drawn from its standard error, the count from a negative
binomial with the fitted dispersion. The backtest refits on the history without its last weeks and
scores the forecast of exactly those held-back weeks (MAE, MAPE, interval coverage).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from appliance.insight.calendar import week_calendar

HORIZON = 8  # weeks forecast
MIN_WEEKS = 8  # fewer complete weeks of history: no forecast, the page says so
SEASON_WEEKS = 52  # from one year of history on, the forecast knows the season
TREND_WEEKS = 26
LEVEL = 0.8  # the prediction interval's coverage
DRAWS = 2000
BACKTEST_ORIGINS = 4  # held-back windows, each scored by a fit on the weeks before it
SEED = 17


@dataclass
class Backtest:
    held_back: int  # weeks held back per origin
    origins: list[str]  # Monday of each window's first held-back week: its fit saw only weeks before it
    actual: list[int]  # the held-back weeks of every window, oldest window first
    predicted: list[float]
    mae: float
    mape: float | None  # over held-back weeks with at least one item
    coverage: float  # share of held-back weeks inside the interval


@dataclass
class Forecast:
    series: str
    status: str  # ok | too_little_history
    history_weeks: int
    needed_weeks: int = MIN_WEEKS
    weeks: list[str] = field(default_factory=list)  # forecast Mondays
    mean: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    workdays: list[int] = field(default_factory=list)
    school_days: list[int] = field(default_factory=list)
    level: float = LEVEL
    seasonal: bool = False
    history: list[tuple[str, int]] = field(default_factory=list)  # (Monday, count)
    weekday_share: list[float] = field(default_factory=list)  # Monday..Sunday, from the daily history
    backtest: Backtest | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _design(mondays: list[date], origin: date, *, seasonal: bool, trend: bool) -> tuple[np.ndarray, np.ndarray]:
    """(columns, offset). The offset makes the intake proportional to the week's working days; the
    working-days column then only measures a departure from that (mail still comes in on a holiday)."""
    cols, offset = [], []
    for monday in mondays:
        work, school = week_calendar(monday)
        row = [1.0, work / 5.0, school / 5.0]
        if trend:
            row.append((monday - origin).days / 365.25)
        if seasonal:
            angle = 2 * math.pi * (monday.timetuple().tm_yday + 3) / 365.25
            row += [math.sin(angle), math.cos(angle), math.sin(2 * angle), math.cos(2 * angle)]
        cols.append(row)
        offset.append(math.log(max(work, 0.5) / 5.0))
    return np.asarray(cols, dtype=float), np.asarray(offset, dtype=float)


def _informative(x: np.ndarray) -> np.ndarray:
    """Columns the history can estimate: the level, and each other column where at least two weeks
    differ from its most common value (no school holiday in the history: no school-holiday effect)."""
    keep = np.ones(x.shape[1], dtype=bool)
    for j in range(1, x.shape[1]):
        values, counts = np.unique(np.round(x[:, j], 9), return_counts=True)
        keep[j] = len(values) > 1 and len(x) - counts.max() >= 2
    return keep


@dataclass
class _Fit:
    params: np.ndarray
    cov: np.ndarray
    dispersion: float
    seasonal: bool
    trend: bool
    origin: date
    keep: np.ndarray


def _fit(mondays: list[date], counts: list[int]) -> _Fit:
    import statsmodels.api as sm

    seasonal, trend = len(mondays) >= SEASON_WEEKS, len(mondays) >= TREND_WEEKS
    x, offset = _design(mondays, mondays[0], seasonal=seasonal, trend=trend)
    keep = _informative(x)
    y = np.asarray(counts, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a week of all zeros or a perfect fit: the estimate still stands
        result = sm.GLM(y, x[:, keep], family=sm.families.Poisson(), offset=offset).fit(scale="X2")
    dispersion = float(result.scale) if np.isfinite(result.scale) else 1.0
    return _Fit(np.asarray(result.params), np.asarray(result.cov_params()), max(dispersion, 1.0),
                seasonal, trend, mondays[0], keep)


def _simulate(fit: _Fit, mondays: list[date]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, lower, upper) counts of `mondays`."""
    full, offset = _design(mondays, fit.origin, seasonal=fit.seasonal, trend=fit.trend)
    x = full[:, fit.keep]
    eta = x @ fit.params + offset
    se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", x, fit.cov, x), 0, None))
    rng = np.random.default_rng(SEED)
    mu = np.exp(np.clip(eta[None, :] + rng.standard_normal((DRAWS, len(mondays))) * se[None, :], -20, 20))
    if fit.dispersion > 1.0 + 1e-6:  # negative binomial with variance dispersion * mu
        p = 1.0 / fit.dispersion
        draws = rng.negative_binomial(mu * p / (1 - p), p)
    else:
        draws = rng.poisson(mu)
    tail = (1 - LEVEL) / 2 * 100
    mean = np.exp(np.clip(eta, -20, 20))
    return mean, np.percentile(draws, tail, axis=0), np.percentile(draws, 100 - tail, axis=0)


def backtest(mondays: list[date], counts: list[int], held_back: int = HORIZON,
             origins: int = BACKTEST_ORIGINS) -> Backtest | None:
    """Rolling origin: for each of the last `origins` windows of `held_back` weeks, fit on the weeks before
    the window only and forecast the window; the errors are over those held-back weeks."""
    starts = [len(mondays) - held_back * (k + 1) for k in range(origins)]
    starts = sorted(s for s in starts if s >= MIN_WEEKS)
    if held_back < 1 or not starts:
        return None
    actual_parts, mean_parts, inside_parts = [], [], []
    for train in starts:
        fit = _fit(mondays[:train], counts[:train])
        window = slice(train, train + held_back)
        mean, lower, upper = _simulate(fit, mondays[window])
        actual = np.asarray(counts[window], dtype=float)
        actual_parts.append(actual)
        mean_parts.append(mean)
        inside_parts.append((actual >= lower) & (actual <= upper))
    actual, mean, inside = np.concatenate(actual_parts), np.concatenate(mean_parts), np.concatenate(inside_parts)
    nonzero = actual > 0
    mape = float(np.mean(np.abs(mean[nonzero] - actual[nonzero]) / actual[nonzero])) if nonzero.any() else None
    return Backtest(held_back=held_back, origins=[mondays[s].isoformat() for s in starts],
                    actual=[int(v) for v in actual], predicted=[round(float(v), 2) for v in mean],
                    mae=round(float(np.mean(np.abs(mean - actual))), 3),
                    mape=round(mape, 4) if mape is not None else None,
                    coverage=round(float(inside.mean()), 3))


def weekday_share(days: list[date]) -> list[float]:
    """Share of the history's items per weekday, Monday first ([] without items)."""
    if not days:
        return []
    counts = np.bincount([d.weekday() for d in days], minlength=7).astype(float)
    return [round(float(v), 4) for v in counts / counts.sum()]


def forecast(series: str, mondays: list[date], counts: list[int], *, horizon: int = HORIZON,
             days: list[date] | None = None) -> Forecast:
    """The next `horizon` weeks after `mondays` (consecutive Mondays of complete weeks, oldest first)."""
    out = Forecast(series=series, status="ok", history_weeks=len(mondays),
                   history=[(m.isoformat(), int(c)) for m, c in zip(mondays, counts, strict=True)],
                   weekday_share=weekday_share(days or []))
    if len(mondays) < MIN_WEEKS:
        out.status = "too_little_history"
        return out
    fit = _fit(mondays, counts)
    ahead = [mondays[-1] + timedelta(days=7 * (i + 1)) for i in range(horizon)]
    mean, lower, upper = _simulate(fit, ahead)
    out.weeks = [m.isoformat() for m in ahead]
    out.mean = [round(float(v), 2) for v in mean]
    out.lower = [float(v) for v in lower]
    out.upper = [float(v) for v in upper]
    calendar = [week_calendar(m) for m in ahead]
    out.workdays, out.school_days = [w for w, _s in calendar], [s for _w, s in calendar]
    out.seasonal = fit.seasonal
    out.backtest = backtest(mondays, counts, min(horizon, len(mondays) - MIN_WEEKS))
    return out


def csv_text(result: Forecast) -> str:
    """The forecast as CSV (week, mean, interval, calendar); a header only when there is none."""
    lines = ["week,mean,lower,upper,workdays,school_holiday_days"]
    for row in zip(result.weeks, result.mean, result.lower, result.upper, result.workdays, result.school_days,
                   strict=True):
        lines.append(",".join(str(v) for v in row))
    return "\n".join(lines) + "\n"
