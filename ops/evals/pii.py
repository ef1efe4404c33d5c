"""`belfort eval pii CONLL_FILE [--limit N] [--ner auto|frog|none] [--json]`: PER spans, P/R/F1."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from appliance.evaluation import evaluate_pii
from appliance.privacy import default_first_names, load_first_names
from models.base import ModelError
from models.registry import NER_ENGINES, build_ner
from ops.commands._common import close_engine, error_exit


def _run(args: argparse.Namespace) -> int:
    try:
        ner = build_ner(args.ner)
    except ModelError as exc:
        return error_exit(exc)
    if ner is None:
        print("note: no NER engine; names come from context rules only", file=sys.stderr)
    first_names = load_first_names(Path(args.first_names)) if args.first_names else default_first_names()
    if args.no_first_names:
        first_names = frozenset()
    try:
        result = evaluate_pii(Path(args.conll_file), ner=ner, limit=args.limit, first_names=first_names)
    except ModelError as exc:
        return error_exit(exc)
    finally:
        close_engine(ner)
    out = result.as_dict() | {"ner": getattr(ner, "name", "none")}
    if args.json:
        print(json.dumps(out))
    else:
        for key in ("per", "per_overlap"):
            m = out[key]
            assert isinstance(m, dict)
            print(
                f"{key:12} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} support={m['support']}"
            )
        print(
            f"{out['n_sentences']} sentences, {out['n_tokens']} tokens in {out['seconds']} s"
            f" (ner: {out['ner']})"
        )
    return 0


def register(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser("pii", help="precision/recall/F1 of person names on a CoNLL-2002 file")
    p.add_argument("conll_file", help="CoNLL-2002 file (token [POS] IOB-tag per line)")
    p.add_argument("--limit", type=int, default=None, help="only the first N sentences")
    p.add_argument(
        "--ner", choices=NER_ENGINES, default="auto", help="NER engine (default: Frog if installed)"
    )
    p.add_argument("--first-names", help="file of first names, one per line (default: frogdata's list)")
    p.add_argument("--no-first-names", action="store_true", help="use no first-name list")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)
