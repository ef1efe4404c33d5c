"""`belfort redact FILE --out X`: batch redaction for archivists, proposals above a confidence floor
accepted automatically, with the redaction log beside the output."""

from __future__ import annotations

import argparse
import functools
import getpass
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("redact", help="redact personal data from a PDF or scan for public access")
    p.add_argument("file", type=Path)
    p.add_argument("--out", type=Path, required=True, help="the redacted PDF to write")
    p.add_argument("--min-score", type=float, default=0.8,
                   help="auto-accept proposals at or above this confidence (default 0.8)")
    p.add_argument("--ground", default="privacy", help="legal ground key for the accepted redactions")
    p.add_argument("--types", default="", help="comma-separated entity types (default: all)")
    p.add_argument("--ner", default="auto", choices=["auto", "frog", "none"])
    p.add_argument("--proposals-only", action="store_true", help="print the proposals as JSON, write nothing")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from appliance.privacy import default_first_names, detect_pii, export_redacted, page_texts, proposals_json
    from appliance.privacy import propose_redactions as propose
    from models.registry import build_ner

    entities = [t.strip() for t in args.types.split(",") if t.strip()] or None
    detect = functools.partial(detect_pii, ner=build_ner(args.ner), entities=entities,
                               first_names=default_first_names())
    proposals = propose(page_texts(args.file), detect, min_score=args.min_score, ground=args.ground)
    if args.proposals_only:
        print(json.dumps(proposals_json(proposals), ensure_ascii=False))
        return 0
    log = export_redacted(args.file, proposals, args.out, actor=getpass.getuser())
    accepted = sum(p.accepted for p in proposals)
    print(f"{accepted} of {len(proposals)} proposals redacted -> {args.out} (log: {log})")
    return 0
