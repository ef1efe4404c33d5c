"""`belfort eval triage --train TRAIN --test TEST --text FIELD --label FIELD [--zero-shot] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from appliance.ai_register import record_evaluation
from appliance.evaluation import run_triage_eval as run
from appliance.storage.layout import DataLayout
from appliance.triage import load_taxonomy
from ops.commands._common import eval_embedder, settings_from


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    taxonomy = load_taxonomy(Path(args.taxonomy)) if args.taxonomy else None
    details: dict[str, object] = {}
    result = run(
        Path(args.train) if args.train else None,
        Path(args.test),
        text_field=args.text,
        label_field=args.label,
        embedder=eval_embedder(settings, args.embedder),
        zero_shot=args.zero_shot,
        taxonomy=taxonomy,
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        details=details,
        # the taxonomy's prototype vectors, by content hash: a rerun does not embed them again
        prototype_cache=Path(args.cache_dir) if args.cache_dir
        else DataLayout.of(settings).eval_embeddings / "triage-prototypes",
    )
    record_evaluation(settings, "triage", result, dataset=args.test, model=args.embedder or settings.search.embedder)
    if args.verbose and details:
        print(json.dumps(details, indent=1), file=sys.stderr)
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        f"n_train = {result['n_train']}  n_test = {result['n_test']}  labels = {result['labels']}"
        + ("  (zero-shot, descriptions: " + result["descriptions"] + ")" if result.get("zero_shot") else "")
    )
    print(f"{'':9} {'accuracy':>9} {'macro-F1':>9} {'acc@80%':>9} {'threshold':>9}")
    for name in ("baseline", "belfort"):
        m = result[name]
        print(
            f"{name:9} {m['accuracy']:9.3f} {m['macro_f1']:9.3f} {m['accuracy_at_80_coverage']:9.3f} "
            f"{m['threshold_at_80_coverage']:9.3f}"
        )
    return 0


def register(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser(
        "triage",
        help="triage classifier vs TF-IDF + logistic regression: accuracy, "
        "macro-F1, accuracy at 80%% coverage",
    )
    p.add_argument("--train", help="JSONL or CSV of labelled training rows (not needed with --zero-shot)")
    p.add_argument("--test", required=True, help="JSONL or CSV of labelled test rows")
    p.add_argument("--text", required=True, help="field holding the item's text")
    p.add_argument(
        "--label", required=True, help="field holding the category; rows with an empty one are left out"
    )
    p.add_argument(
        "--zero-shot",
        action="store_true",
        help="no training rows: score from category descriptions (--taxonomy, else the label names)",
    )
    p.add_argument(
        "--taxonomy", help="taxonomy YAML whose category keys are the labels (zero-shot descriptions)"
    )
    p.add_argument("--embedder", help="embedding engine instead of the search.embedder setting (e5 | fake)")
    p.add_argument(
        "--cache-dir", help="keep item vectors here between runs (keyed by text hash and embedder)"
    )
    p.add_argument("--verbose", action="store_true", help="print the parameter selection to stderr")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)
