"""`belfort subject search|export|erase`: data-subject requests (GDPR art. 15 and 17)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ops.commands._common import appliance_from

ACTOR = "cli"


def _who(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="the person's name (first name and surname)")
    p.add_argument("--rrn", default="", help="their national number (rijksregisternummer), any spelling")
    p.add_argument("--email", default="", help="their e-mail address")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("subject", help="find, export or erase a person's data (data-subject requests)")
    actions = p.add_subparsers(dest="subject_action", metavar="ACTION", required=True)
    s = actions.add_parser("search", help="find the person across documents, mail, transcripts, tickets, answers")
    _who(s)
    s.add_argument("--json", action="store_true", help='print {"items": [...]}')
    s.set_defaults(func=cmd_search)
    e = actions.add_parser("export", help="write everything found as one zip archive with an index (art. 15)")
    _who(e)
    e.add_argument("--output", "-o", required=True, help="the zip file to write")
    e.set_defaults(func=cmd_export)
    x = actions.add_parser("erase", help="delete or anonymise found items (art. 17)")
    _who(x)
    x.add_argument("--item", action="append", required=True, help="an item's ref from search (kind:id), repeatable")
    x.add_argument("--action", choices=("delete", "anonymise"), default="anonymise")
    x.add_argument("--reason", required=True, help="why (the request's date and number)")
    x.set_defaults(func=cmd_erase)


def cmd_search(args: argparse.Namespace) -> int:
    from appliance.governance import search_subject

    found = search_subject(appliance_from(args), ACTOR, args.name, rrn=args.rrn, email=args.email)
    items = [f.as_dict() for f in found]
    if args.json:
        print(json.dumps({"items": items}, ensure_ascii=False))
        return 0
    for i in items:
        state = "erasable" if i["erasable"] else ("legal hold" if i["hold"] else "duty to keep")
        print(f"{i['ref']:<22} {','.join(i['matched']):<14} {state:<12} {i['where'] or '-'}: {i['title']}")
    print(f"{len(items)} item(s)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from appliance.governance import export_zip

    data = export_zip(appliance_from(args), ACTOR, args.name, rrn=args.rrn, email=args.email)
    Path(args.output).write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from appliance.governance import erase

    result = erase(appliance_from(args), ACTOR, args.name, args.item, action=args.action, reason=args.reason,
                   rrn=args.rrn, email=args.email)
    print(json.dumps(result))
    return 0 if not result["refused"] else 1
