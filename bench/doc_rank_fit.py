"""Fit search's document ranking for long questions on the Chamber development questions.

    python bench/doc_rank_fit.py [--file ../shared/eval/dekamer_dev.jsonl] [--cache DIR] [--write] [--json]

Every answer of the file is indexed in a fresh appliance (as `belfort eval retrieval` does). For each
question the product's keyword and vector candidates are taken (`search.candidates` each) and every
candidate document gets the features of appliance.search.documents. A linear model is fitted
listwise: per question, a softmax over its candidate documents, the question's own answer the one to
pick (questions whose answer is no candidate teach nothing and are left out), with a small L2 penalty.

Reported, so that the figure is not the fit's own: two-fold cross-validation (fitted on the even
rows, measured on the odd ones, and the other way round): Recall@1/5/10 and MRR@10 of the documents
as ranked by the model, beside the passage fusion alone. `--write` fits on all rows and stores the
model in appliance/search/doc_rank.json (features, standardisation, weights, embedder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appliance.access import SYSTEM
from appliance.context import open_appliance
from appliance.db.engine import read_session
from appliance.evaluation import CachedEmbedder
from appliance.evaluation.retrieval import build_corpus, eval_settings, load_rows, metrics
from appliance.index.acl import hidden_chunk_ids
from appliance.index.text import keyword_terms
from appliance.search.documents import FEATURES, WEIGHTS_FILE, candidate_features
from appliance.search.fusion import fuse
from appliance.search.query import _documents_of, _scope, keyword_ranking, vector_ranking
from appliance.settings import build_settings
from ops.commands._common import eval_embedder

L2 = 0.01


def collect(path: Path, cache: Path | None, log: Any) -> tuple[list[dict[str, Any]], str]:
    """Per question: candidate documents, their features, the own document, the fusion's order."""
    settings = build_settings([])
    rows, asked = load_rows(path)
    embedder: Any = eval_embedder(settings)
    if cache is not None:
        embedder = CachedEmbedder(embedder, cache, flush_every=256)
    out = []
    with tempfile.TemporaryDirectory(prefix="belfort-docrank-") as tmp:
        app = open_appliance(eval_settings(settings, Path(tmp)), embedder=embedder)
        doc_of_row, _, _ = build_corpus(app, rows, log)
        cfg = app.settings.search
        for j, i in enumerate(asked):
            q = rows[i]["question"][: cfg.max_query_chars]
            terms = keyword_terms(q)
            with read_session(app.db) as s:
                scope = _scope(s, SYSTEM, None)
                kw = keyword_ranking(s, scope, terms, cfg.candidates)
                vec = vector_ranking(app, scope, q, cfg.candidates, hidden_chunk_ids(s, scope)) or []
                fused = fuse([kw, vec], cfg.rrf_k, (cfg.keyword_weight, 1.0))
                doc_of = _documents_of(s, [c for c, _ in fused])
                docs, x = candidate_features(s, scope, kw, vec, doc_of, terms, q)
            out.append({"row": i, "docs": docs, "x": np.array(x, dtype=float), "own": doc_of_row[i],
                        "fused": list(dict.fromkeys(doc_of[c] for c, _ in fused))})
            if (j + 1) % 200 == 0:
                log(f"features of {j + 1}/{len(asked)} questions")
        if isinstance(embedder, CachedEmbedder):
            embedder.flush()
    return out, str(embedder.id)


def fit(data: list[dict[str, Any]], mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    groups = [((d["x"] - mean) / scale, d["docs"].index(d["own"])) for d in data if d["own"] in d["docs"]]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, i in groups:
            s = x @ w
            s = s - s.max()
            p = np.exp(s)
            p /= p.sum()
            total -= float(np.log(p[i] + 1e-12))
            grad -= x[i] - p @ x
        n = max(len(groups), 1)
        return total / n + L2 * float(w @ w), grad / n + 2 * L2 * w

    return np.asarray(minimize(loss, np.zeros(mean.shape[0]), jac=True, method="L-BFGS-B").x)


def _rank(order: list[int], own: int) -> int | None:
    return next((k for k, d in enumerate(order[:10], start=1) if d == own), None)


def measure(data: list[dict[str, Any]], w: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> dict[str, float]:
    ranks = []
    for d in data:
        s = ((d["x"] - mean) / scale) @ w
        ranks.append(_rank([d["docs"][k] for k in np.argsort(-s, kind="stable")], d["own"]))
    return metrics(ranks)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", default=str(ROOT.parent / "shared" / "eval" / "dekamer_dev.jsonl"))
    ap.add_argument("--cache", default=None, help="embedding cache folder (as `belfort eval retrieval --cache`)")
    ap.add_argument("--write", action="store_true", help=f"store the model fitted on all rows in {WEIGHTS_FILE}")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    data, embedder = collect(Path(args.file), Path(args.cache) if args.cache else None, _say)
    allx = np.vstack([d["x"] for d in data])
    mean, scale = allx.mean(axis=0), allx.std(axis=0) + 1e-9
    folds = {}
    for name, train, test in (("even->odd", 0, 1), ("odd->even", 1, 0)):
        w = fit([d for k, d in enumerate(data) if k % 2 == train], mean, scale)
        held = [d for k, d in enumerate(data) if k % 2 == test]
        folds[name] = {"model": measure(held, w, mean, scale),
                       "fusion": metrics([_rank(d["fused"], d["own"]) for d in held])}
    w = fit(data, mean, scale)
    result = {"n": len(data), "cross_validated": folds,
              "cv_mean": {k: round((folds["even->odd"]["model"][k] + folds["odd->even"]["model"][k]) / 2, 4)
                          for k in folds["even->odd"]["model"]},
              "in_sample": measure(data, w, mean, scale), "weights": dict(zip(FEATURES, np.round(w, 4).tolist()))}
    if args.write:
        WEIGHTS_FILE.write_text(json.dumps({
            "features": list(FEATURES), "mean": mean.tolist(), "scale": scale.tolist(), "coef": w.tolist(),
            "embedder": embedder,
            "fitted_on": f"{Path(args.file).name}: {len(data)} questions, listwise, {dt.date.today().isoformat()}",
        }, indent=2) + "\n", encoding="utf-8")
        _say(f"wrote {WEIGHTS_FILE}")
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
