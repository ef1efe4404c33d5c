"""`belfort write FILE [--json]`: a text in plain language (B1), with its readability before and after
and what changed; `belfort write --news MINUTES_ID ITEM_ID`: a draft news item from an approved
decision, with a link to it. Nothing leaves the box."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from appliance.access import SYSTEM
from ops.commands._common import appliance_from

TEXT_SUFFIXES = {".txt", ".md", ""}


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    path = Path(name)
    if path.suffix.lower() in TEXT_SUFFIXES:
        return path.read_text(encoding="utf-8", errors="replace")
    from ingest.extract import extract  # a letter as PDF, DOCX, HTML, mail

    return "\n\n".join(p.text for p in extract(path).pages)


def _rewrite(args: argparse.Namespace) -> int:
    from appliance.plain import rewrite

    app = appliance_from(args)
    result = rewrite(app, _read(args.file), language=args.language or "", actor="cli", mode=args.mode or "")
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(result.text)
    b, a = result.before, result.after
    print(f"\n{b.formula}: {b.score} -> {a.score} (higher is easier); LIX {b.lix} -> {a.lix}; "
          f"words per sentence {b.words_per_sentence} -> {a.words_per_sentence}", file=sys.stderr)
    for c in result.changes:
        print(f"{c.kind}: {c.before}" + (f" -> {c.after}" if c.kind in ("word", "tone") else ""), file=sys.stderr)
    return 0


def _news(args: argparse.Namespace) -> int:
    from appliance.plain import news_draft

    minutes_id, item_id = args.news
    draft = news_draft(appliance_from(args), SYSTEM, minutes_id, item_id, lang=args.language or "nl")
    if args.json:
        print(json.dumps(draft, ensure_ascii=False, indent=2))
    else:
        print(f"{draft['title']}\n\n{draft['body']}")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.news:
        return _news(args)
    if not args.file:
        print("error [cli.usage]: give a FILE (or - for standard input) or --news MINUTES_ID ITEM_ID",
              file=sys.stderr)
        return 2
    return _rewrite(args)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("write", help="rewrite a text in plain language (B1), or draft a news item from a decision")
    p.add_argument("file", nargs="?", help="text to rewrite (.txt, .md, or a document ingest reads; - for stdin)")
    p.add_argument("--json", action="store_true", help="print the rewrite, scores and changes as JSON")
    p.add_argument("--language", choices=("nl", "fr", "en"), help="language of the text (default: detected)")
    p.add_argument("--mode", choices=("rules", "llm"), help="override plain.rewrite_mode")
    p.add_argument("--news", nargs=2, type=int, metavar=("MINUTES_ID", "ITEM_ID"),
                   help="draft a news item from an accepted decision of approved minutes")
    p.add_argument("--config", help="belfort.toml to use")
    p.set_defaults(func=_run)
