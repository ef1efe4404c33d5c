"""`belfort insight ...`: themes and trends of the intake, and the weekly capacity forecast."""

from __future__ import annotations

import argparse
import json
import sys

from appliance.access import SYSTEM
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.insight import build_themes, csv_text, intake_forecast
from appliance.triage import Taxonomy, active_taxonomy
from ops.commands._common import appliance_from, write_output


def _taxonomy(app: Appliance) -> Taxonomy | None:
    try:
        return active_taxonomy(app.settings)
    except BelfortError:
        return None


def _themes(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    report = build_themes(app, SYSTEM, period=args.period, periods=args.periods, taxonomy=_taxonomy(app))
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
        return 0
    print(f"{report.entries} entries since {report.since[:10]}: {len(report.themes)} themes, "
          f"{report.ungrouped} ungrouped" + (" (truncated to the newest)" if report.truncated else ""))
    for theme in report.themes:
        rising = " RISING" if theme.rising else ""
        print(f"- {theme.label or '(no shared words)'}: {theme.size} ({' '.join(map(str, theme.volume))}){rising}")
    return 0


def _forecast(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    result = intake_forecast(app, SYSTEM, args.series, taxonomy=_taxonomy(app))
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
        return 0
    if result.status != "ok":
        print(f"{args.series}: only {result.history_weeks} complete weeks of history; a forecast needs "
              f"{result.needed_weeks}: no forecast", file=sys.stderr)
        return 1
    if args.csv:
        return write_output(csv_text(result), args.output)
    for week, mean, low, high in zip(result.weeks, result.mean, result.lower, result.upper, strict=True):
        print(f"{week}: {mean:.1f} ({low:.0f}-{high:.0f})")
    bt = result.backtest
    if bt is not None:
        mape = f"{bt.mape:.1%}" if bt.mape is not None else "-"
        print(f"backtest on {len(bt.actual)} held-back weeks: MAE {bt.mae:.2f}, MAPE {mape}, "
              f"interval coverage {bt.coverage:.0%}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("insight", help="themes and trends of incoming items; the weekly capacity forecast")
    cmds = parser.add_subparsers(dest="insight_command", metavar="ACTION", required=True)
    p = cmds.add_parser("themes", help="cluster the intake of the last periods into themes")
    p.add_argument("--period", choices=("week", "month"), default="week")
    p.add_argument("--periods", type=int, default=8, help="how many periods back (with the current one)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(func=_themes)
    p = cmds.add_parser("forecast", help="forecast the weekly intake of the next 8 weeks, with its backtest")
    p.add_argument("--series", default="total", help="total | tickets | department:KEY | category:KEY")
    p.add_argument("--json", action="store_true", help="print the forecast as one JSON object")
    p.add_argument("--csv", action="store_true", help="print the forecast as CSV")
    p.add_argument("--output", help="write the CSV to this file")
    p.set_defaults(func=_forecast)
