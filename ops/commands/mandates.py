"""`belfort mandates import|list`: the governing bodies and mandatarissen of the municipality.

IT downloads the Mandatendatabank export (Turtle or JSON-LD) once and imports it here; a meeting's
body, attendees, chair and secretary are then picked from it on the minutes' publication page.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from ops.commands._common import appliance_from


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("mandates", help="governing bodies and mandatarissen (Mandatendatabank export)")
    actions = parser.add_subparsers(dest="mandates_action", metavar="ACTION", required=True)
    p = actions.add_parser("import", help="replace the bodies and mandatarissen with those of a .ttl or .jsonld "
                           "export (all or nothing)")
    p.add_argument("file", type=Path, help="the Mandatendatabank export (.ttl or .jsonld), downloaded once by IT")
    p.set_defaults(func=_import)
    p = actions.add_parser("list", help="list the governing bodies and their mandatarissen")
    p.add_argument("--json", action="store_true", help="print one JSON array")
    p.set_defaults(func=_list)


def _import(args: argparse.Namespace) -> int:
    from appliance.mandates import import_mandates

    parsed = import_mandates(appliance_from(args), args.file, actor="cli")
    print(f"imported {len(parsed.bodies)} governing bodies and {len(parsed.people)} mandatarissen"
          + (f" ({parsed.skipped} tied to no body, skipped)" if parsed.skipped else ""))
    return 0


def _list(args: argparse.Namespace) -> int:
    from appliance.mandates import list_bodies

    bodies = list_bodies(appliance_from(args))
    if args.json:
        print(json.dumps([asdict(b) for b in bodies], ensure_ascii=False))
        return 0
    if not bodies:
        print("no governing bodies: import a Mandatendatabank export with `belfort mandates import FILE`")
    for body in bodies:
        print(f"{body.name}  <{body.uri}>")
        for p in body.people:
            print(f"  {p.kind:12s} {p.name} ({p.role})  <{p.uri}>")
    return 0
