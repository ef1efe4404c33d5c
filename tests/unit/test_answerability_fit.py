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


def test_the_model_learns_right_documents_and_the_table_counts_the_rows_own() -> None:
    """A question sent to two ministers has two right answers: half the positive askings here quote
    the other one (label 'right' 1, 'own' 0). Fitted on 'right', those are answered too; the thresholds
    table still counts only the row's own answer, as `belfort eval answers` does."""
    data = _data(80, informative=True, seed=3)
    data["train_right"] = list(data["train_y"])
    data["train_y"] = [y if (q % 2 or s == "neg") else 0
                       for y, q, s in zip(data["train_y"], data["train_row"], data["train_set"], strict=True)]
    at = cross_validated(data, ("a", "n0"), folds=8, label="right")["thresholds"]["0.5"]
    assert at["positive_answered"] >= 0.95 and at["negative_dont_know"] >= 0.95
    assert at["positive_right_answered"] == 0.5  # the 40 odd questions quote their own answer
    # Learnt on the own answer alone (the default), feature 'a' no longer tells an answer from none.
    own = cross_validated(data, ("a", "n0"), folds=8)["thresholds"]["0.5"]
    assert own["positive_answered"] < at["positive_answered"]


def test_the_unseen_rows_are_neither_fitted_nor_reported_on() -> None:
    from bench.answerability_fit import training_rows
    from bench.answers_unseen import reorder, unseen_rows

    for total, unseen in ((1777, 50), (900, 50), (120, 0)):  # 120 rows: every row after the first 50 is fitted
        rows = [{"question": f"q{i}"} for i in range(total)]
        first = unseen_rows(rows, 50)
        fitted = set(training_rows(total, 800, 50))
        assert len(first) == unseen and first == sorted(first) and not set(first) & fitted
        assert all(50 <= i < total for i in first)
    first = unseen_rows([{"question": f"q{i}"} for i in range(1777)], 50)
    assert first[-1] - first[0] > 1000  # spread over the file, not its last rows
    # A question that a fitted row asks too is not unseen; one asked by several unseen rows counts once.
    rows = [{"question": f"q{i}"} for i in range(1777)]
    rows[51]["question"] = rows[52]["question"] = "Dezelfde vraag"  # 52 is fitted
    rows[53]["question"] = rows[55]["question"] = rows[57]["question"] = "Een vraag aan drie ministers"
    pool = unseen_rows(rows, 2000)
    assert 51 not in pool and 53 in pool and 55 not in pool and 57 not in pool
    lines = [f"row {i}" for i in range(10)]
    assert reorder(lines, [7, 9]) == ["row 7", "row 9"] + [f"row {i}" for i in range(10) if i not in (7, 9)]
