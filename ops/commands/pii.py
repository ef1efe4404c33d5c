"""`belfort pii FILE [--json]`: personal data found in a document (any kind ingest can read)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from appliance.privacy import ENTITY_TYPES, PiiSpan, default_first_names, detect_pii
from models.base import ModelError
from models.registry import NER_ENGINES, build_ner
from ops.commands._common import close_engine, error_exit


def _pages(path: Path) -> list[tuple[int, str]]:
    """(page number, text) of the document; plain text when no extractor is available."""
    try:
        from ingest.extract import extract
    except ImportError:
        return [(1, path.read_text(encoding="utf-8", errors="replace"))]
    extracted = extract(path)
    return [(p.number, p.text) for p in extracted.pages]


def _run(args: argparse.Namespace) -> int:
    from ingest.types import IngestError

    path = Path(args.file)
    try:
        pages = _pages(path)
        ner = build_ner(args.ner)
    except (IngestError, ModelError) as exc:
        return error_exit(exc)
    if ner is None:
        print("note: no NER engine installed; names come from context rules only", file=sys.stderr)
    entities = set(args.entities.split(",")) if args.entities else None
    found: list[tuple[int, PiiSpan]] = []
    try:
        for number, text in pages:
            spans = detect_pii(
                text, ner=ner, entities=entities, min_score=args.min_score, first_names=default_first_names()
            )
            found.extend((number, s) for s in spans)
    except ValueError as exc:
        print(f"error [pii.entities]: {exc}\nhint: types are {', '.join(ENTITY_TYPES)}", file=sys.stderr)
        return 2
    except ModelError as exc:
        return error_exit(exc)
    finally:
        close_engine(ner)
    # Span texts are personal data: they go to the console (or JSON) only, never to a log.
    if args.json:
        print(json.dumps([{"page": n} | s.as_dict() for n, s in found], ensure_ascii=False))
    else:
        for n, s in found:
            print(f"p{n}\t{s.start}-{s.end}\t{s.entity_type}\t{s.score:.2f}\t{s.text}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pii", help="find personal data (Belgian identifiers, names, addresses) in a document")
    p.add_argument("file", help="document to scan (PDF, Office, HTML, mail, text)")
    p.add_argument("--json", action="store_true", help="print a JSON list of spans (with page numbers)")
    p.add_argument(
        "--ner", choices=NER_ENGINES, default="auto", help="NER engine (default: Frog if installed)"
    )
    p.add_argument("--entities", help="comma-separated entity types to report (default: all)")
    p.add_argument("--min-score", type=float, default=0.0, help="drop spans scored lower than this")
    p.set_defaults(func=_run)
