"""`belfort audit verify|export|head`: the answer audit trail (append-only, hash-chained)."""

from __future__ import annotations

import argparse
import json
import sys

from ops.commands._common import appliance_from, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="verify or export the answer audit trail")
    actions = p.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    v = actions.add_parser("verify", help="check the hash chain; exit 1 when a record was altered")
    v.add_argument("--json", action="store_true", help="print one JSON object")
    v.set_defaults(func=cmd_verify)
    e = actions.add_parser("export", help="write the whole trail as CSV or JSON lines")
    e.add_argument("--format", choices=("csv", "json"), default="json")
    e.add_argument("--output", "-o", help="file to write (default: standard output)")
    e.set_defaults(func=cmd_export)
    h = actions.add_parser("head", help="record count and newest hash (keep it elsewhere to detect truncation)")
    h.set_defaults(func=cmd_head)


def cmd_verify(args: argparse.Namespace) -> int:
    from appliance.audit import chain_head as head
    from appliance.audit import verify_chain

    app = appliance_from(args)
    ok, bad = verify_chain(app)
    count, last = head(app)
    if args.json:
        print(json.dumps({"ok": ok, "first_bad_id": bad, "records": count, "head": last}))
    elif ok:
        print(f"audit trail intact: {count} records, head {last[:16]}…")
    else:
        print(f"audit trail BROKEN at record {bad}: it was altered, removed or reordered", file=sys.stderr)
    return 0 if ok else 1


def cmd_export(args: argparse.Namespace) -> int:
    from appliance.audit import export_trail as export

    data = export(appliance_from(args), args.format)
    return write_output(data, args.output)


def cmd_head(args: argparse.Namespace) -> int:
    from appliance.audit import chain_head as head

    count, last = head(appliance_from(args))
    print(json.dumps({"records": count, "head": last}))
    return 0
