"""`belfort eval answers FILE.jsonl [--limit N] [--model PATH] [--no-llm] [--json]`: Ask end to end."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from appliance.ai_register import record_evaluation
from appliance.context import Appliance
from appliance.evaluation import run_answers_eval
from appliance.storage.layout import DataLayout
from models.base import LLM
from ops.commands._common import eval_embedder, settings_from


def _llm(app: Appliance, args: argparse.Namespace) -> LLM | None:
    if args.no_llm:
        return None
    if args.model:
        from models.llamacpp import LlamaCppLLM

        return LlamaCppLLM(Path(args.model), **app.registry.llm_runtime())
    return app.registry.llm()


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    app = Appliance(settings)  # only for settings and the hardware profile; the eval builds its own
    llm = _llm(app, args)
    print(f"model: {getattr(llm, 'name', 'none (extractive)')}", file=sys.stderr)
    from appliance.evaluation import CachedEmbedder

    # Vectors of the corpus are kept between runs: indexing is the slow part on 2 cores.
    embedder = CachedEmbedder(eval_embedder(settings), DataLayout.of(settings).eval_embeddings)
    result = run_answers_eval(Path(args.file), settings, llm, limit=args.limit, corpus=args.corpus,
                              embedder=embedder, negative=not args.no_negative,
                              progress=Path(args.progress) if args.progress else None)
    record_evaluation(settings, "answers", result, dataset=args.file, model=getattr(llm, "name", "none"))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


def register(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser("answers", help="questions through the full Ask pipeline: answered, citations, negatives")
    p.add_argument("file", help="JSONL with 'question' and 'answer' fields")
    p.add_argument("--limit", type=int, default=None, help="ask only the first N questions (all answers indexed)")
    p.add_argument("--corpus", type=int, default=None,
                   help="index only N answers (the asked ones included); default: all")
    p.add_argument("--progress", help="write the summary so far to this file after every question")
    p.add_argument("--model", help="a .gguf file or model folder instead of the configured LLM")
    p.add_argument("--no-llm", action="store_true", help="extractive answers only (no LLM)")
    p.add_argument("--no-negative", action="store_true", help="skip the negative set")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)
