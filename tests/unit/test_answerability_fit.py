"""bench/answerability_fit.py's cross-validation: out-of-fold, by question, and its figures per fold."""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.answerability_fit import cross_validated


def _data(n: int, informative: bool, seed: int = 0, noise: int = 1) -> dict[str, Any]:
    """n questions asked twice: the positive asking finds its own document (label 1), the negative
    does not (label 0). Feature 'a' tells them apart when `informative`, else it is noise; features
    'n0'.. are noise."""
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {"train_x": [], "train_y": [], "train_set": [], "train_row": [], "train_rows": []}
    for q in range(100, 100 + n):
        data["train_rows"].append(q)
        for tag, label in (("pos", 1), ("neg", 0)):
            a = (1.0 if label else -1.0) + 0.3 * rng.standard_normal() if informative else rng.standard_normal()
            data["train_x"].append({"a": float(a), **{f"n{j}": float(rng.standard_normal()) for j in range(noise)}})
            data["train_y"].append(label)
            data["train_set"].append(tag)
            data["train_row"].append(q)
    return data


def test_a_feature_that_separates_gives_right_answers_and_dont_knows_out_of_fold() -> None:
    out = cross_validated(_data(80, informative=True), ("a", "n0"), folds=8)
    at = out["thresholds"]["0.5"]
    assert at["positive_right_answered"] >= 0.95 and at["negative_dont_know"] >= 0.95
    assert out["thresholds_lowest_fold"]["0.5"]["negative_dont_know"] >= 0.8
    assert out["n"] == 160 and out["folds"] == 8


def test_noise_is_not_learned_out_of_fold() -> None:
    """In sample a model over 20 noise features fits 30 questions well; out of fold it cannot, so the
    log loss is no better than chance."""
    names = ("a", *(f"n{j}" for j in range(20)))
    out = cross_validated(_data(30, informative=False, seed=1, noise=20), names, folds=5)
    assert out["log_loss"] >= 0.69  # chance is ln 2 = 0.693
    low = out["thresholds_lowest_fold"]["0.5"]
    assert low["positive_right_answered"] < out["thresholds"]["0.5"]["positive_right_answered"]


def test_a_question_the_gate_declined_counts_over_every_question() -> None:
    """A question without evidence (the relevance gate said "don't know" to both askings) has no
    asking to predict; it still counts: a positive not answered, a negative declined."""
    data = _data(40, informative=True, seed=2)
    gated = {100, 101, 102, 103}
    for key in ("train_x", "train_y", "train_set"):
        data[key] = [v for v, q in zip(data[key], data["train_row"], strict=True) if q not in gated]
    data["train_row"] = [q for q in data["train_row"] if q not in gated]
    at = cross_validated(data, ("a", "n0"), folds=4)["thresholds"]["0.5"]
    assert at["positive_right_answered"] == 0.9  # 36 of 40
    assert at["negative_dont_know"] == 1.0
