"""`belfort compare OLD NEW`: two versions of a regulation (files, or document ids of this appliance)
aligned by article; a plain list of changes, or JSON, Markdown, or a DOCX with tracked changes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ops.commands._common import appliance_from, error_exit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare two versions of a regulation article by article")
    p.add_argument("old", help="the old version: a file, or a document id")
    p.add_argument("new", help="the new version: a file, or a document id (the same id with --*-version)")
    p.add_argument("--old-version", type=int, default=None, help="version id of the old document")
    p.add_argument("--new-version", type=int, default=None, help="version id of the new document")
    p.add_argument("--user", default="", help="read the documents as this user (default: system)")
    p.add_argument("--lang", default="nl", choices=["nl", "fr", "en"], help="language of the report")
    p.add_argument("--summary", action="store_true",
                   help="add the AI summary (configured LLM; checked statements only; audited)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the comparison as one JSON object")
    out.add_argument("--markdown", action="store_true", help="print the comparison as Markdown")
    p.add_argument("--docx", type=Path, default=None, help="also write a DOCX with tracked changes here")
    p.set_defaults(func=_run)


def _is_id(value: str) -> bool:
    return value.isdigit() and not Path(value).exists()


def _run(args: argparse.Namespace) -> int:
    from appliance.access import SYSTEM
    from appliance.compare import compare_documents, compare_files, summarise_comparison
    from ingest.types import IngestError
    from ops.commands.ask import _principal

    app = appliance_from(args) if args.summary or _is_id(args.old) or _is_id(args.new) else None
    try:
        if _is_id(args.old) and _is_id(args.new):
            assert app is not None
            who = _principal(app, args.user)
            comparison = compare_documents(app, who, int(args.old), int(args.new),
                                           old_version=args.old_version, new_version=args.new_version)
        elif not _is_id(args.old) and not _is_id(args.new):
            comparison, who = compare_files(Path(args.old), Path(args.new)), SYSTEM
        else:
            print("error: give two files or two document ids", file=sys.stderr)
            return 2
    except IngestError as exc:
        return error_exit(exc)
    summary = None
    if args.summary and app is not None:
        summary = summarise_comparison(app, who, comparison, args.lang, reference=f"{args.old} -> {args.new}")
    return _print(args, comparison, summary)


def _print(args: argparse.Namespace, comparison, summary) -> int:  # type: ignore[no-untyped-def]
    from appliance.compare import change_list, to_docx, to_markdown

    if args.docx:
        args.docx.write_bytes(to_docx(comparison, args.lang, summary))
    if args.json:
        body = comparison.as_dict()
        body["changes"] = change_list(comparison, args.lang)
        body["summary"] = summary.as_dict() if summary is not None else None
        print(json.dumps(body, ensure_ascii=False))
    elif args.markdown:
        print(to_markdown(comparison, args.lang, summary))
    else:
        from appliance.i18n import t

        print(t(args.lang, f"compare.status.{comparison.status}"))
        for line in change_list(comparison, args.lang):
            print(f"- {line}")
        for s in summary.statements if summary is not None else []:
            kind = f"({t(args.lang, f'compare.state.{s.kind}')}) " if s.kind else ""
            print(f"* [AI] {kind}{s.text} ({', '.join(s.cites)})")
    return 0
