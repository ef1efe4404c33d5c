"""`belfort doctor [--json]`: the checks of appliance.checks; exit 1 when a required one fails."""

from __future__ import annotations

import argparse
import json

from appliance.checks import Check, failed_required, run_checks, summary
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.remote_checks import remote_checks
from appliance.settings import Settings
from ops.commands._common import settings_from


def print_checks(checks: list[Check]) -> None:
    marks = {"ok": "ok  ", "warning": "WARN", "error": "FAIL"}
    for c in checks:
        print(f"[{marks[c.level]}] {c.name:20} {c.message}")
        if not c.ok and c.hint:
            print(f"       {'':20} hint: {c.hint}")
    print(summary(checks))


def doctor_appliance(settings: Settings) -> Appliance:
    """The appliance, migrated where its store answers; a store that does not is the doctor's finding
    (db.open: store.unreachable), not a reason to stop before the other checks."""
    app = Appliance(settings)
    try:
        app.migrate(wait=False)
    except BelfortError as exc:
        if exc.code != "store.unreachable":
            raise
    return app


def _doctor(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    checks = remote_checks(settings)  # first, and without opening the appliance: they say which part is down
    checks += run_checks(doctor_appliance(settings))  # a database that is down: db.open, the local checks still run
    if args.json:
        print(json.dumps([c.as_dict() for c in checks], indent=2))
    else:
        print_checks(checks)
    return 1 if failed_required(checks) else 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("doctor", help="check folders, disk, database, models, OCR, CPU; exit 1 on errors")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.set_defaults(func=_doctor)
