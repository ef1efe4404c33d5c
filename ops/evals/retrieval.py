"""`belfort eval retrieval FILE.jsonl [--limit N] [--json]`: Recall@k and MRR@10, Belfort vs plain BM25
over chunks (`bm25`) and over whole documents (`bm25_doc`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from appliance.ai_register import record_evaluation
from appliance.evaluation import run_retrieval_eval
from ops.commands._common import eval_embedder, settings_from


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    result = run_retrieval_eval(Path(args.file), settings, limit=args.limit, embedder=eval_embedder(settings),
                                cache_dir=Path(args.cache) if args.cache else None)
    record_evaluation(settings, "retrieval", result, dataset=args.file)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"n = {result['n']}")
        print(f"{'':8} {'R@1':>7} {'R@5':>7} {'R@10':>7} {'MRR@10':>7}")
        for name in ("bm25", "bm25_doc", "belfort"):
            m = result[name]
            print(f"{name:8} {m['recall@1']:7.3f} {m['recall@5']:7.3f} {m['recall@10']:7.3f} {m['mrr@10']:7.3f}")
    return 0


def register(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser("retrieval", help="questions vs their own answers: Recall@1/5/10 and MRR@10")
    p.add_argument("file", help="JSONL with 'question' and 'answer' fields")
    p.add_argument("--limit", type=int, default=None, help="ask only the first N questions (all answers indexed)")
    p.add_argument("--cache", default=None,
                   help="folder that keeps embeddings between runs of the same data (same results, faster reruns)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)
