"""Chart geometry for server-drawn SVG: numbers only. The templates draw the shapes and write every
label through Jinja's autoescape, so a theme label or a category key from a hostile mail stays text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    value: float
    series: int = 0  # which series of a grouped chart (0 for a single one)


@dataclass
class Tick:
    pos: float
    label: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    history: str = ""  # polyline points
    forecast: str = ""  # polyline points (joined to the last history point)
    band: str = ""  # polygon points of the interval
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    baseline: float = HEIGHT - BOTTOM
    divider: float | None = None  # x where the forecast begins


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


def _y_ticks(top: float, plot_h: float) -> list[Tick]:
    return [Tick(round(HEIGHT - BOTTOM - plot_h * f, 1), f"{top * f:g}") for f in (0, 0.5, 1)]


def bar_chart(labels: list[str], values: list[float]) -> Chart:
    """Vertical bars, one per label (a theme's volume per period)."""
    chart = Chart()
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(values), 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        chart.bars.append(Bar(round(LEFT + i * slot + slot * 0.15, 1), round(HEIGHT - BOTTOM - h, 1),
                              round(slot * 0.7, 1), round(h, 1), label, value))
    every = max(1, math.ceil(len(labels) / 8))
    chart.x_ticks = [Tick(round(LEFT + (i + 0.5) * slot, 1), label) for i, label in enumerate(labels)
                     if i % every == 0]
    chart.y_ticks = _y_ticks(top, plot_h)
    return chart


def grouped_bar_chart(labels: list[str], series: list[list[float]]) -> Chart:
    """Bars side by side per label, one per series (asked and answered per week)."""
    chart = bar_chart(labels, [0.0] * len(labels))
    chart.bars = []
    top = _nice_max(max((v for values in series for v in values), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    width = slot * 0.8 / max(len(series), 1)
    for k, values in enumerate(series):
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            h = plot_h * value / top
            chart.bars.append(Bar(round(LEFT + i * slot + slot * 0.1 + k * width, 1), round(HEIGHT - BOTTOM - h, 1),
                                  round(width, 1), round(h, 1), label, value, series=k))
    chart.y_ticks = _y_ticks(top, plot_h)
    return chart


@dataclass
class Panel:
    """A chart with the table of its figures beside it (for screen readers and keyboards). Titles,
    headers and legend are i18n keys; rows are the figures, already written as text."""

    id: str
    title: str
    chart: Chart
    headers: list[str]
    rows: list[list[str]]
    legend: list[str] = field(default_factory=list)  # one key per series of a grouped chart


def _points(xs: list[float], ys: list[float]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def line_chart(history: list[tuple[str, float]], weeks: list[str], mean: list[float], lower: list[float],
               upper: list[float]) -> Chart:
    """The history as a line, the forecast as a dashed line in its interval band."""
    chart = Chart()
    labels = [w for w, _v in history] + weeks
    top = _nice_max(max([v for _w, v in history] + upper + mean, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
    xs = [LEFT + i * step for i in range(len(labels))]

    def y(value: float) -> float:
        return HEIGHT - BOTTOM - plot_h * value / top

    hist_x = xs[:len(history)]
    chart.history = _points(hist_x, [y(v) for _w, v in history])
    if weeks:
        fx = xs[len(history):]
        joined_x, joined_y = ([hist_x[-1]], [y(history[-1][1])]) if history else ([], [])
        chart.forecast = _points(joined_x + fx, joined_y + [y(v) for v in mean])
        chart.band = _points(fx + fx[::-1], [y(v) for v in upper] + [y(v) for v in lower][::-1])
        chart.divider = round(fx[0], 1)
    every = max(1, math.ceil(len(labels) / 6))
    chart.x_ticks = [Tick(round(x, 1), label) for i, (x, label) in enumerate(zip(xs, labels, strict=True))
                     if i % every == 0]
    chart.y_ticks = _y_ticks(top, plot_h)
    return chart
