"""`belfort eval pii CONLL_FILE [--limit N] [--ner auto|frog|none] [--json]`: PER spans, P/R/F1.
`belfort eval pii --spans FILE [--ner ...] [--json]`: every entity type on labelled character spans."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from appliance.evaluation import LabelledText, SpanScores, evaluate_pii, read_labelled, span_detector
from appliance.privacy import default_first_names, load_first_names
from models.base import ModelError, NerTagger
from models.registry import NER_ENGINES, build_ner
from ops.commands._common import close_engine, error_exit, settings_from


def _show_misses(docs: list[LabelledText], scores: SpanScores, predict: Callable) -> None:
    """Missed gold spans and predictions without gold, on stderr (the file's own invented text)."""
    for i, doc in enumerate(docs, 1):
        pred = predict(doc)
        for start, end, kind in scores.add(doc.spans, pred):
            print(f"miss  line {i} {kind}: {doc.text[start:end]!r}", file=sys.stderr)
        for start, end, kind in pred:
            if not any(g[2] == kind and g[0] < end and start < g[1] for g in doc.spans):
                print(f"extra line {i} {kind}: {doc.text[start:end]!r}", file=sys.stderr)


def _record(args: argparse.Namespace, out: dict, dataset: str, ner: NerTagger | None) -> None:
    from appliance.ai_register import record_evaluation

    record_evaluation(settings_from(args), "pii", out, dataset=str(dataset), model=getattr(ner, "name", "rules"))


def _run_spans(args: argparse.Namespace, ner: NerTagger | None, first_names: frozenset[str]) -> int:
    docs = read_labelled(Path(args.spans))
    predict = span_detector(ner, first_names)
    scores = SpanScores()
    if args.show_misses:
        _show_misses(docs, scores, predict)
    else:
        for doc in docs:
            scores.add(doc.spans, predict(doc))
    out = scores.as_dict()
    _record(args, out, args.spans, ner)
    if args.json:
        print(json.dumps(out))
        return 0
    per_kind = out["per_kind"]
    assert isinstance(per_kind, dict)
    for kind, m in per_kind.items():
        print(f"{kind:22} R={_num(m['recall'])} P={_num(m['precision'])} support={m['support']}")
    print(f"{'all':22} R={_num(out['recall'])} P={_num(out['precision'])}; "
          f"documents without a miss: {_num(out['documents_without_miss'])} of n={out['n']}"
          f" (ner: {getattr(ner, 'name', 'none')})")
    return 0


def _num(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "-"


def _run(args: argparse.Namespace) -> int:
    if (args.conll_file is None) == (args.spans is None):
        print("give either a CoNLL file or --spans FILE", file=sys.stderr)
        return 2
    try:
        ner = build_ner(args.ner)
    except ModelError as exc:
        return error_exit(exc)
    if ner is None:
        print("note: no NER engine; names come from context rules only", file=sys.stderr)
    first_names = load_first_names(Path(args.first_names)) if args.first_names else default_first_names()
    if args.no_first_names:
        first_names = frozenset()
    if args.spans is not None:
        try:
            return _run_spans(args, ner, first_names)
        except ModelError as exc:
            return error_exit(exc)
        finally:
            close_engine(ner)
    try:
        result = evaluate_pii(Path(args.conll_file), ner=ner, limit=args.limit, first_names=first_names)
    except ModelError as exc:
        return error_exit(exc)
    finally:
        close_engine(ner)
    out = result.as_dict() | {"ner": getattr(ner, "name", "none")}
    _record(args, out, args.conll_file, ner)
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
    p = kinds.add_parser(
        "pii", help="precision/recall/F1 of person names on a CoNLL-2002 file, or of every type on labelled spans"
    )
    p.add_argument("conll_file", nargs="?", help="CoNLL-2002 file (token [POS] IOB-tag per line)")
    p.add_argument(
        "--spans", metavar="FILE",
        help='JSONL of {"text", "spans": [{"start", "end", "kind"}]}: per-type recall (a gold span covered by '
        "a predicted span of its type, review proposals included) and precision, share of documents without a miss",
    )
    p.add_argument("--show-misses", action="store_true", help="with --spans: list misses and extra spans on stderr")
    p.add_argument("--limit", type=int, default=None, help="only the first N sentences")
    p.add_argument(
        "--ner", choices=NER_ENGINES, default="auto", help="NER engine (default: Frog if installed)"
    )
    p.add_argument("--first-names", help="file of first names, one per line (default: frogdata's list)")
    p.add_argument("--no-first-names", action="store_true", help="use no first-name list")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)
