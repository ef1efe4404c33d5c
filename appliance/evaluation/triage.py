"""`belfort eval triage`: Belfort's classifier beside a TF-IDF + logistic-regression baseline, same rows.

Metrics per system: accuracy, macro-F1, and the accuracy on the most confident 80 % of test items with
the confidence threshold that keeps them (what a pilot sees when one item in five goes to a person).
Both systems choose their settings by cross-validation on the training rows only.
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from appliance.errors import BelfortError
from appliance.evaluation.embed_cache import CachedEmbedder
from appliance.triage import (
    ZERO_SHOT_MIN_CONFIDENCE,
    Taxonomy,
    Tfidf,
    TrainParams,
    ZeroShotModel,
    embed_items,
    train_auto,
)
from models.base import Embedder

COVERAGE = 0.8
BASELINE_C = (1.0, 10.0, 100.0)


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSON-lines file, or of a CSV file (by extension; header row required)."""
    path = Path(path)
    if not path.is_file():
        raise BelfortError(
            "eval.file_missing", f"{path} does not exist", hint="pass an existing file", status=404
        )
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [dict(r) for r in csv.DictReader(fh)]
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    raise BelfortError(
                        "eval.bad_jsonl",
                        f"{path} line {n} is not JSON",
                        hint="one JSON object per line (or a .csv file)",
                    ) from None
    return rows


def labelled(
    rows: Sequence[dict[str, Any]], text_field: str, label_field: str
) -> tuple[list[str], list[str]]:
    """(texts, labels), leaving out rows with an empty label."""
    missing = [f for f in (text_field, label_field) if not any(f in r for r in rows)]
    if rows and missing:
        fields = sorted({k for r in rows[:50] for k in r})
        raise BelfortError(
            "eval.field_missing",
            f"field(s) {', '.join(missing)} in no row",
            hint="available fields: " + ", ".join(fields),
        )
    texts, labels = [], []
    for r in rows:
        label = r.get(label_field)
        label = "" if label is None else str(label).strip()
        if label:
            texts.append(str(r.get(text_field) or ""))
            labels.append(label)
    return texts, labels


def metrics(
    truth: Sequence[str], predicted: Sequence[str], confidence: np.ndarray, coverage: float = COVERAGE
) -> dict[str, float]:
    from sklearn.metrics import f1_score

    truth_a, pred_a = np.array(truth), np.array(predicted)
    correct = truth_a == pred_a
    n = len(correct)
    keep_n = max(1, math.ceil(coverage * n))
    # the threshold is the confidence of the last item still inside the kept share; ties keep a bit more
    threshold = float(np.sort(confidence)[::-1][keep_n - 1])
    kept = confidence >= threshold
    return {
        "accuracy": round(float(correct.mean()), 4),
        "macro_f1": round(float(f1_score(truth_a, pred_a, average="macro", zero_division=0)), 4),
        "accuracy_at_80_coverage": round(float(correct[kept].mean()), 4),
        "threshold_at_80_coverage": round(threshold, 4),
    }


def _baseline_supervised(
    train_texts: list[str], train_labels: list[str], test_texts: list[str]
) -> tuple[list[str], np.ndarray]:
    """TF-IDF (word 1-2 grams, sublinear) + balanced logistic regression, C chosen by 5-fold CV."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline

    pipe = Pipeline(
        [
            ("tfidf", TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2)),
            ("lr", LogisticRegression(max_iter=2000, class_weight="balanced")),
        ]
    )
    counts = np.unique(train_labels, return_counts=True)[1]
    folds = max(2, min(5, int(counts.max())))
    search = GridSearchCV(
        pipe,
        {"lr__C": list(BASELINE_C)},
        scoring="f1_macro",
        cv=StratifiedKFold(folds, shuffle=True, random_state=0),
        n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rare classes with fewer rows than folds are expected
        search.fit(train_texts, train_labels)
    probs = search.predict_proba(test_texts)
    return [str(c) for c in search.classes_], probs


def _baseline_zero_shot(taxonomy: Taxonomy, test_texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Lexical zero-shot: TF-IDF cosine between an item and each category's description + examples."""
    profiles = [" ".join([c.profile_text(), *c.examples]) for c in taxonomy.categories]
    tfidf = Tfidf.fit(profiles, min_df=1)
    sims = (tfidf.transform(test_texts) @ tfidf.transform(profiles).T).toarray()
    return taxonomy.keys, sims


def _predictions(labels: list[str], probs: np.ndarray) -> tuple[list[str], np.ndarray]:
    return [labels[i] for i in probs.argmax(axis=1)], probs.max(axis=1)


_Systems = tuple[dict[str, Any], tuple[list[str], np.ndarray], tuple[list[str], np.ndarray]]


def calibration_error(truth: Sequence[str], predicted: Sequence[str], confidence: np.ndarray,
                      bins: int = 10) -> float:
    """Expected calibration error: |accuracy - mean confidence| per confidence bin, weighted by size."""
    right = np.array(truth) == np.array(predicted)
    edges = np.minimum((np.asarray(confidence) * bins).astype(int), bins - 1)
    total = sum(abs(right[edges == b].mean() - confidence[edges == b].mean()) * (edges == b).sum()
                for b in range(bins) if (edges == b).any())
    return round(float(total) / max(1, len(right)), 4)


def routed_share(taxonomy: Taxonomy, calibrated: bool, truth: Sequence[str], predicted: Sequence[str],
                 confidence: np.ndarray) -> dict[str, float]:
    """What the taxonomy's thresholds would route without a person (human_only never; an uncalibrated
    zero-shot scorer only near-certain items): the share routed and the accuracy among those."""
    routed = []
    for label, conf in zip(predicted, confidence):
        category = taxonomy.get(label)
        if category is None or category.human_only:
            routed.append(False)
            continue
        threshold = category.threshold if calibrated else max(category.threshold, ZERO_SHOT_MIN_CONFIDENCE)
        routed.append(float(conf) >= threshold)
    mask = np.array(routed, dtype=bool)
    right = np.array(truth) == np.array(predicted)
    return {"share": round(float(mask.mean()), 4) if len(mask) else 0.0,
            "accuracy": round(float(right[mask].mean()), 4) if mask.any() else 0.0}


def _zero_shot_systems(embedder: Embedder, taxonomy: Taxonomy | None, test_texts: list[str],
                       test_labels: list[str], prototype_cache: Path | None) -> _Systems:
    """(result fields, Belfort's predictions, baseline labels and scores) without training rows."""
    tax = taxonomy or Taxonomy.from_labels(sorted(set(test_labels)))
    if not set(tax.keys) & set(test_labels):
        raise BelfortError(
            "eval.taxonomy_mismatch",
            "no test label is a category key of the taxonomy",
            hint="category keys must equal the labels; e.g. " + ", ".join(sorted(set(test_labels))[:5]),
        )
    zs = ZeroShotModel.build(tax, embedder, cache_dir=prototype_cache)
    baseline = _baseline_zero_shot(tax, test_texts)
    probs = zs.proba(embedder, test_texts)
    result = {
        "n_train": 0,
        "labels": len(tax.keys),
        "zero_shot": True,
        "descriptions": "taxonomy" if taxonomy else "label_names",
        "calibration": {"calibrated": zs.calibrated, "temperature": round(zs.temperature, 5),
                        "rows": zs.calibration.rows, "loo_accuracy": round(zs.calibration.accuracy, 4),
                        "ece": calibration_error(test_labels, *_predictions(zs.labels, probs))},
        "routed": routed_share(tax, zs.calibrated, test_labels, *_predictions(zs.labels, probs)),
    }
    return result, _predictions(zs.labels, probs), baseline


def _supervised_systems(embedder: Embedder, train_texts: list[str], train_labels: list[str],
                        test_texts: list[str], candidates: Sequence[TrainParams] | None,
                        details: dict[str, Any] | None) -> _Systems:
    """(result fields, Belfort's predictions, baseline labels and scores) trained on the train rows."""
    if len(set(train_labels)) < 2:
        raise BelfortError(
            "eval.too_few_labels",
            "the training rows hold fewer than two labels",
            hint="pass more training rows, or --zero-shot",
        )
    model, selection = train_auto(embedder, train_texts, train_labels, candidates)
    if details is not None:
        details.update(
            {"selection": selection, "model_version": model.version, "temperature": model.temperature}
        )
    vecs = embed_items(embedder, test_texts, model.params.max_chars)
    belfort_pred = _predictions(model.labels, model.proba_from_vectors(vecs, test_texts))
    baseline = _baseline_supervised(train_texts, train_labels, test_texts)
    return {"n_train": len(train_texts)}, belfort_pred, baseline


def evaluate(
    train_rows: Sequence[dict[str, Any]],
    test_rows: Sequence[dict[str, Any]],
    *,
    text_field: str,
    label_field: str,
    embedder: Embedder,
    zero_shot: bool = False,
    taxonomy: Taxonomy | None = None,
    candidates: Sequence[TrainParams] | None = None,
    details: dict[str, Any] | None = None,
    prototype_cache: Path | None = None,
) -> dict[str, Any]:
    """One JSON-ready result for both systems. `details` (optional) receives the parameter selection."""
    test_texts, test_labels = labelled(test_rows, text_field, label_field)
    if not test_texts:
        raise BelfortError(
            "eval.no_test_rows",
            "no test row has a label",
            hint=f"check --label (rows with an empty '{label_field}' are left out)",
        )
    if zero_shot:
        result, belfort_pred, baseline = _zero_shot_systems(embedder, taxonomy, test_texts, test_labels,
                                                            prototype_cache)
    else:
        train_texts, train_labels = labelled(train_rows, text_field, label_field)
        result, belfort_pred, baseline = _supervised_systems(
            embedder, train_texts, train_labels, test_texts, candidates, details)
        result["labels"] = len(set(train_labels) | set(test_labels))
    base_pred, base_conf = _predictions(*baseline)
    ordered = {
        "baseline": metrics(test_labels, base_pred, base_conf),
        "belfort": metrics(test_labels, *belfort_pred),
        "n_train": result.pop("n_train"),
        "n_test": len(test_texts),
        "labels": result.pop("labels"),
    }
    ordered.update(result)
    return ordered


def run(
    train: Path | None,
    test: Path,
    *,
    text_field: str,
    label_field: str,
    embedder: Embedder,
    zero_shot: bool = False,
    taxonomy: Taxonomy | None = None,
    cache_dir: Path | None = None,
    details: dict[str, Any] | None = None,
    prototype_cache: Path | None = None,
) -> dict[str, Any]:
    if train is None and not zero_shot:
        raise BelfortError(
            "eval.train_missing",
            "--train is required unless --zero-shot is given",
            hint="pass --train FILE, or --zero-shot to score from category descriptions",
        )
    if cache_dir is not None:
        embedder = CachedEmbedder(embedder, cache_dir)
    train_rows = read_rows(train) if train is not None and not zero_shot else []
    return evaluate(
        train_rows,
        read_rows(test),
        text_field=text_field,
        label_field=label_field,
        embedder=embedder,
        zero_shot=zero_shot,
        taxonomy=taxonomy,
        details=details,
        prototype_cache=prototype_cache or cache_dir,
    )
