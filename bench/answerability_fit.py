"""Fit and calibrate Ask's answerability model on the Chamber development questions.

    python bench/answerability_fit.py [--file ../shared/eval/dekamer_dev.jsonl] [--train 800]
                                      [--holdout 50] [--documents] [--label right|own] [--write] [--json]

Every answer of the file is indexed in a fresh appliance (as `belfort eval answers` does). Each
question is asked without an LLM twice: with its own answer document readable (label 1 when the
sentence a composed answer would quote first comes from that document, else 0) and with it
deactivated, with every other answer to the very same question (label 0: whatever is found is a
neighbouring document; `belfort eval answers` builds its negative set the same way). `--label right`
learns instead whether that sentence comes from a right document: the row's own answer or another
answer to the very same question (one written question sent to two ministers: each answer answers
it); measured on the dev questions it gives the same frontier, so the shipped models learn the own
answer. The thresholds table always counts the row's own answer, as `belfort eval answers` does.
The evidence Ask records
(appliance.ask.answerability.features) is the input of a logistic regression. Rows
`--holdout`.. are the training questions (every k-th, `--train` of them); the first `--holdout`
rows (those `belfort eval answers --limit 50` asks) are kept out of the fit and used to report the
calibration: Brier score, log loss, a reliability table, and per threshold the share of positive
questions that would be answered from the right document and of negative ones that would get
"I don't know". `--write` stores the model in appliance/ask/answerability.json.

The report also gives cross-validated figures over the training questions (`--folds`, default 8):
each question's askings are predicted by a model fitted on the other folds' questions, so the
thresholds table is an estimate for questions no fit saw, over `--train` questions instead of the
`--holdout` 50, with the lowest fold's figures beside it (how far one sample of a fold's size can
fall).

`--cache FILE` keeps the observed askings (every recorded feature), so that a second fit of the
same questions reads them instead of asking again.

`--documents` fits the model for long questions instead: the same features plus search's document
ranking (the best document's probability among the candidates, appliance.search.documents), over
the askings where search ranked documents; `--write` then stores answerability_documents.json.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appliance.ask import answer
from appliance.ask.answerability import DOCUMENT_FEATURES, DOCUMENTS_WEIGHTS_FILE, FEATURES, WEIGHTS_FILE
from appliance.context import open_appliance
from appliance.evaluation import CachedEmbedder
from appliance.evaluation.answers import _set_active
from appliance.evaluation.retrieval import build_corpus, eval_settings, load_rows, same_question
from appliance.settings import build_settings
from appliance.storage.layout import DataLayout
from ops.commands._common import eval_embedder

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7)


def _observe(app: Any, who: Any, question: str) -> tuple[dict[str, float], int] | None:
    """(every recorded feature, the document the answer would quote first) of one asking; None when
    the relevance gate already said "I don't know"."""
    a = answer(app, who, question, use_llm=False)
    judged = a.checks.get("answerability")
    if not judged:
        return None
    return {k: float(v) for k, v in judged["features"].items()}, int(judged["document"])


def training_rows(total: int, train: int, holdout: int) -> list[int]:
    """The rows fitted on: every k-th after the first `holdout`, `train` of them."""
    step = max(1, (total - holdout) // max(train, 1))
    return list(range(holdout, total, step))[:train]


def collect(path: Path, train: int, holdout: int, log: Any) -> dict[str, list[Any]]:
    settings = build_settings([])
    rows, _ = load_rows(path)
    picks = {"train": training_rows(len(rows), train, holdout), "holdout": list(range(min(holdout, len(rows))))}
    embedder = CachedEmbedder(eval_embedder(settings), DataLayout.of(settings).eval_embeddings, flush_every=256)
    out: dict[str, list[Any]] = {f"{part}_{k}": [] for part in picks for k in ("x", "y", "right", "set", "row")}
    out["embedder"] = []
    out["train_rows"] = picks["train"]
    with tempfile.TemporaryDirectory(prefix="belfort-answerability-") as tmp:
        app = open_appliance(eval_settings(settings, Path(tmp)), embedder=embedder)
        app.engines.set("llm", None)
        out["embedder"] = [str(app.embedder.id)]
        doc_of_row, who, _ = build_corpus(app, rows, log)
        twins = same_question(rows)  # the negative asking removes every answer to the same question
        for part, idx in picks.items():
            for j, i in enumerate(idx):
                q, own = rows[i]["question"][:4000], doc_of_row[i]
                answers = [doc_of_row[k] for k in (i, *twins[i])]
                for tag, seen in (("pos", _observe(app, who, q)), ("neg", None)):
                    if tag == "neg":
                        _set_active(app, answers, False)
                        try:
                            seen = _observe(app, who, q)
                        finally:
                            _set_active(app, answers, True)
                    if seen is not None:
                        out[f"{part}_x"].append(seen[0])
                        out[f"{part}_y"].append(int(tag == "pos" and seen[1] == own))
                        out[f"{part}_right"].append(int(tag == "pos" and seen[1] in answers))
                        out[f"{part}_set"].append(tag)
                        out[f"{part}_row"].append(i)
                if (j + 1) % 25 == 0:
                    log(f"{part}: {j + 1}/{len(idx)}")
                    embedder.flush()
    embedder.flush()
    return out


def kept(data: dict[str, list[Any]], part: str, names: tuple[str, ...]) -> list[int]:
    """Indices of the askings of `part` that carry every feature of `names`."""
    return [i for i, f in enumerate(data[f"{part}_x"]) if all(k in f for k in names)]


def select(data: dict[str, list[Any]], part: str, names: tuple[str, ...],
           label: str = "own") -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The askings of `part` that carry every feature of `names` (a long question's document ranking),
    with their `label`: 'own' (the answer would quote the row's own answer: what `belfort eval answers`
    counts) or 'right' (a right document: the own answer or another answer to the very same question).
    A cache collected before 'right' was recorded has only 'own'."""
    keep = kept(data, part, names)
    x = np.array([[data[f"{part}_x"][i][k] for k in names] for i in keep]).reshape(len(keep), len(names))
    key = f"{part}_right" if label == "right" and f"{part}_right" in data else f"{part}_y"
    return x, np.array([data[key][i] for i in keep]), [data[f"{part}_set"][i] for i in keep]


def cross_validated(data: dict[str, list[Any]], names: tuple[str, ...], folds: int, label: str = "own") -> dict[str, Any]:
    """Calibration of out-of-fold predictions over the training questions: fold k holds every k-th
    question (both its askings), predicted by the model fitted on the others. `thresholds_lowest_fold`
    gives, per threshold, each figure's lowest share over the folds (each fold over its own questions)."""
    x, y, sets = select(data, "train", names, label)
    own = select(data, "train", names, "own")[1]
    rows = np.array([data["train_row"][i] for i in kept(data, "train", names)])
    questions = list(data["train_rows"])
    helds = [np.isin(rows, questions[k::folds]) for k in range(folds)]
    p = np.zeros(len(y))
    lowest: dict[str, dict[str, float]] = {}
    for held in helds:
        rest = y[~held]
        if len(set(rest.tolist())) == 2:
            p[held] = predict(fit(x[~held], rest), x[held])
        else:  # the other folds hold one label (or none): their rate is all a fit could learn
            p[held] = float(rest.mean()) if rest.size else 0.5
    for k, held in enumerate(helds):
        n = len(questions[k::folds])
        if n == 0:
            continue
        fold = calibration(p[held], y[held], [s for s, h in zip(sets, held, strict=True) if h], n, n, own[held])
        for th, figures in fold["thresholds"].items():
            low = lowest.setdefault(th, dict(figures))
            for name, v in figures.items():
                low[name] = min(low[name], v)
    return {"folds": folds, **calibration(p, y, sets, len(questions), len(questions), own),
            "thresholds_lowest_fold": lowest}


def fit(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=1000).fit((x - mean) / scale, y)
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": model.coef_[0].tolist(),
            "intercept": float(model.intercept_[0])}


def predict(m: dict[str, Any], x: np.ndarray) -> np.ndarray:
    z = m["intercept"] + ((x - np.array(m["mean"])) / np.array(m["scale"])) @ np.array(m["coef"])
    return 1.0 / (1.0 + np.exp(-z))


def calibration(p: np.ndarray, y: np.ndarray, sets: list[str], n_pos: int, n_neg: int,
                own: np.ndarray | None = None) -> dict[str, Any]:
    """Brier, log loss, reliability bins (against the fitted label `y`); per threshold: positives
    answered from their own answer document (`own`, as `belfort eval answers` counts; `y` when not
    given) over all positive questions, the gate's "don't know"s included, and negatives declined."""
    hit = y if own is None else own
    eps = 1e-9
    bins = []
    for lo in np.arange(0.0, 1.0, 0.2):
        sel = (p >= lo) & (p < lo + 0.2 + (1e-9 if lo >= 0.8 else 0))
        if sel.any():
            bins.append({"bin": f"{lo:.1f}-{lo + 0.2:.1f}", "n": int(sel.sum()),
                         "mean_predicted": round(float(p[sel].mean()), 3), "observed": round(float(y[sel].mean()), 3)})
    pos = np.array([s == "pos" for s in sets])
    per = {}
    for th in THRESHOLDS:
        ans = p >= th
        per[str(th)] = {"positive_right_answered": round(float((ans & pos & (hit == 1)).sum()) / max(n_pos, 1), 3),
                        "positive_answered": round(float((ans & pos).sum()) / max(n_pos, 1), 3),
                        "negative_dont_know": round(1 - float((ans & ~pos).sum()) / max(n_neg, 1), 3)}
    return {"n": len(y), "brier": round(float(((p - y) ** 2).mean()), 4),
            "log_loss": round(float(-(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)).mean()), 4),
            "reliability": bins, "thresholds": per}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", default=str(ROOT.parent / "shared/eval/dekamer_dev.jsonl"))
    ap.add_argument("--train", type=int, default=800)
    ap.add_argument("--holdout", type=int, default=50)
    ap.add_argument("--documents", action="store_true",
                    help=f"fit the long questions' model (with the document ranking): {DOCUMENTS_WEIGHTS_FILE.name}")
    ap.add_argument("--write", action="store_true", help=f"store the model in {WEIGHTS_FILE.name}")
    ap.add_argument("--features", default=None,
                    help="comma-separated feature names to fit on (default: the model's own list); not with --write")
    ap.add_argument("--cache", default=None,
                    help="JSON file of the observed askings: written after collecting, read instead of collecting")
    ap.add_argument("--folds", type=int, default=8, help="cross-validation folds over the training questions")
    ap.add_argument("--label", choices=("own", "right"), default="own",
                    help="what the model learns: the answer quotes the row's own answer (default, what the eval "
                         "counts) or a right document (own or another answer to the very same question)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)
    names, target = (DOCUMENT_FEATURES, DOCUMENTS_WEIGHTS_FILE) if args.documents else (FEATURES, WEIGHTS_FILE)
    if args.features:
        if args.write:
            ap.error("--features tries other feature sets; the shipped models keep their own lists")
        names = tuple(args.features.split(","))
    cache = Path(args.cache) if args.cache else None
    if cache is not None and cache.is_file():
        data = json.loads(cache.read_text(encoding="utf-8"))
    else:
        data = collect(Path(args.file), args.train, args.holdout, log)
        if cache is not None:
            cache.write_text(json.dumps(data), encoding="utf-8")
    x, y, sets = select(data, "train", names, args.label)
    model = fit(x, y)
    hx, hy, hsets = select(data, "holdout", names, args.label)
    own, hown = select(data, "train", names, "own")[1], select(data, "holdout", names, "own")[1]
    report = {"features": list(names), "label": args.label, **model,
              "train": calibration(predict(model, x), y, sets, args.train, args.train, own),
              "holdout": calibration(predict(model, hx), hy, hsets, args.holdout, args.holdout, hown)}
    if "train_row" in data and args.folds > 1:
        report["cross_validated"] = cross_validated(data, names, args.folds, args.label)
    if args.write:
        stored = {"features": list(names), **model, "embedder": data["embedder"][0], "fitted_on": f"{Path(args.file).name}: {len(y)} "
                  f"askings of {args.train} questions (rows {args.holdout}+), label {args.label}, {dt.date.today().isoformat()}"}
        target.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
