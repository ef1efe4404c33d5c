"""`belfort minutes list|check|publish`: find minutes, check their LBLOD maturity, publish approved ones.

`ops/commands/minutes.py` owns the `minutes` command and calls `register_lblod(actions)`; this module
adds no top-level command of its own.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ops.commands._common import appliance_from


def register(sub: argparse._SubParsersAction) -> None:  # sub-commands only, through register_lblod
    return None


def register_lblod(actions: argparse._SubParsersAction) -> None:
    p = actions.add_parser("list", help="list minutes: id, meeting date, governing body, state (draft/approved)")
    p.add_argument("--json", action="store_true", help="print one JSON array")
    p.set_defaults(func=_list)
    p = actions.add_parser("check", help="the LBLOD maturity level (Niveau 1-3) of the notulen and besluitenlijst, "
                           "and what is missing")
    p.add_argument("minutes_id", type=int)
    p.add_argument("--base-uri", default="", help="base URI of the ids (default: minutes.lblod_base_uri)")
    p.add_argument("--json", action="store_true", help="print one JSON array")
    p.set_defaults(func=_check)
    p = actions.add_parser("publish", help="write besluitenlijst/notulen (HTML+RDFa, Turtle, JSON-LD) and the agenda "
                           "of approved minutes")
    p.add_argument("minutes_id", type=int)
    p.add_argument("--base-uri", default="", help="http(s) base URI of the ids (default: minutes.lblod_base_uri)")
    p.add_argument("--out", type=Path, help="folder to write (default: minutes.lblod_publish_dir)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_publish)


def _list(args: argparse.Namespace) -> int:
    from appliance.minutes import minutes_overview

    rows = minutes_overview(appliance_from(args))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        print(f"{r['id']:>5}  {r['meeting_date'] or '----------':10s}  {r['state']:8s}  "
              f"{r['governing_body'] or '-'}  {r['title']}")
    return 0


def _print_reports(reports: list) -> None:
    for report in reports:
        print(f"{report.document}: Niveau {report.level}")
        for f in report.findings:
            print(f"  Niveau {f.level}  {f.cls}.{f.name}: {f.problem}  {f.subject}")


def _check(args: argparse.Namespace) -> int:
    from appliance.minutes import check_minutes

    reports = check_minutes(appliance_from(args), args.minutes_id, args.base_uri or None)
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False))
    else:
        _print_reports(reports)
    return 0


def _publish(args: argparse.Namespace) -> int:
    from appliance.access import SYSTEM
    from appliance.minutes import publish_minutes

    result = publish_minutes(appliance_from(args), SYSTEM, args.minutes_id, base=args.base_uri or None,
                             out_dir=args.out)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
        return 0
    for path in result.files:
        print(path)
    print(f"zitting: {result.zitting}")
    _print_reports(result.reports)
    return 0
