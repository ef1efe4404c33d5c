"""`belfort eval KIND ...`: each module in ops/evals registers one evaluation."""

from __future__ import annotations

import argparse
import importlib
import pkgutil

import ops.evals


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("eval", help="measure retrieval, answers, OCR, PII, ASR, triage on data files")
    kinds = parser.add_subparsers(dest="eval_kind", metavar="KIND", required=True)
    for info in sorted(pkgutil.iter_modules(ops.evals.__path__), key=lambda m: m.name):
        importlib.import_module(f"ops.evals.{info.name}").register(kinds)
