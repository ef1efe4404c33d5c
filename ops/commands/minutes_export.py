"""`belfort minutes export|purge`: the export and retention sub-commands of `belfort minutes`.

`ops/commands/minutes.py` owns the `minutes` command and calls `register_export(actions)` with its
sub-parsers; this module adds no top-level command of its own.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ops.commands._common import appliance_from

FORMAT_CHOICES = ("docx", "odt", "md", "actions.csv", "actions.ics", "besluit.jsonld")


def register(sub: argparse._SubParsersAction) -> None:  # sub-commands only, through register_export
    return None


def register_export(actions: argparse._SubParsersAction) -> None:
    p = actions.add_parser("export", help="export minutes (accepted items only) as a document or data file")
    p.add_argument("minutes_id", type=int)
    p.add_argument("--format", dest="fmt", choices=FORMAT_CHOICES, default="docx")
    p.add_argument("--lang", choices=("nl", "fr", "en"), default="", help="language of the document's labels")
    p.add_argument("--out", type=Path, help="file or folder to write (default: the export's name, here)")
    p.set_defaults(func=_export)
    p = actions.add_parser("purge",
                           help="delete the stored audio of recordings past minutes.recording_retention_days")
    p.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    p.set_defaults(func=_purge)


def _export(args: argparse.Namespace) -> int:
    from appliance.minutes import export_minutes

    app = appliance_from(args)
    content, name, _mime = export_minutes(app, args.minutes_id, args.fmt, lang=args.lang)
    out: Path = args.out or Path(name)
    if out.is_dir():
        out = out / name
    out.write_bytes(content)
    print(f"{out} ({len(content)} bytes)")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from appliance.recordings import plan_purge, purge_recordings

    app = appliance_from(args)
    days = app.settings.minutes.recording_retention_days
    if days <= 0:
        print("retention is off (minutes.recording_retention_days = 0): nothing deleted")
        return 0
    if args.dry_run:
        plan = plan_purge(app)
        print(f"{len(plan.files)} audio file(s) older than {days} days would be deleted; kept: "
              f"{plan.kept_recent} recent, {plan.kept_busy} still transcribing, "
              f"{plan.outside} not stored by Belfort")
        return 0
    deleted = purge_recordings(app)
    print(f"{deleted} audio file(s) older than {days} days deleted; transcripts and minutes kept")
    return 0
