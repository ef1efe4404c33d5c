"""Insight: themes and trends in what comes in, and the capacity forecast. Its public surface: the
entry points and the CLI import from here."""

from appliance.insight.calendar import SOURCE as CALENDAR_SOURCE
from appliance.insight.calendar import public_holidays, school_holidays, week_calendar
from appliance.insight.forecast import HORIZON, MIN_WEEKS, Backtest, Forecast, backtest, csv_text, forecast
from appliance.insight.sources import Entry, place_of, readable_entries
from appliance.insight.themes import PERIODS, Theme, ThemeReport, build_themes, cluster, warm_vectors
from appliance.insight.volumes import TICKETS, TOTAL, intake_forecast, series_names

__all__ = [
    "CALENDAR_SOURCE",
    "HORIZON",
    "MIN_WEEKS",
    "PERIODS",
    "TICKETS",
    "TOTAL",
    "Backtest",
    "Entry",
    "Forecast",
    "Theme",
    "ThemeReport",
    "backtest",
    "build_themes",
    "cluster",
    "csv_text",
    "forecast",
    "intake_forecast",
    "place_of",
    "public_holidays",
    "readable_entries",
    "school_holidays",
    "series_names",
    "warm_vectors",
    "week_calendar",
]
