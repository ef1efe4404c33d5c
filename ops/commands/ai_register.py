"""`belfort ai-register export --format json|md|csv [--org-file FILE] [--output FILE]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from appliance.ai_register import build_register, to_csv, to_markdown
from ops.commands._common import appliance_from, write_output


def _export(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    register = build_register(app, Path(args.org_file) if args.org_file else None)
    for warning in register["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    if args.format == "json":
        text = json.dumps(register, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "md":
        text = to_markdown(register)
    else:
        text = to_csv(register)
    return write_output(text, args.output)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ai-register", help="the AI register (Algoritmeregister fields) of this appliance")
    cmds = parser.add_subparsers(dest="ai_register_command", metavar="ACTION", required=True)
    p = cmds.add_parser("export", help="write the register entries of every AI system in use",
                        description="One entry per AI system (Ask, Minutes, Document AI, Triage, writing aid, "
                        "insight) in the fields of the Dutch Algoritmeregister publication standard, with "
                        "the models (version, sha256) and the last `belfort eval` figures. The organisation's "
                        "fields come from <data_dir>/governance/ai-register.toml (or --org-file).")
    p.add_argument("--format", choices=("json", "md", "csv"), default="json")
    p.add_argument("--org-file", help="TOML with the organisation's fields (default: "
                   "<data_dir>/governance/ai-register.toml)")
    p.add_argument("--output", help="write to this file instead of standard output")
    p.set_defaults(func=_export)
