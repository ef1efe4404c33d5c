"""Triage scorer: a calibrated linear model on embeddings (+ optional TF-IDF); zero-shot is `triage.zero_shot`.

It returns a probability per category. The model is trained with scikit-learn's
LogisticRegression, then kept as plain arrays (coef, intercept, temperature) so that a saved model is
numpy + JSON, loads without pickle and predicts with numpy alone. Confidence is calibrated by
temperature scaling fitted on out-of-fold logits of the training rows (never on test rows).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from appliance.errors import BelfortError
from appliance.triage.features import Tfidf, combine, embed_items, prepare
from models.base import Embedder

FORMAT_VERSION = 1  # bump when the saved layout changes; older folders then refuse to load


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    p: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return p


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of the true labels (grid in log space).

    When every out-of-fold row is already right the likelihood keeps rising as the temperature falls,
    and the fit would call every later item certain: then the model's own scale (1.0) is kept."""
    if (logits.argmax(axis=1) == y).all():
        return 1.0
    best_t, best_nll = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.05), np.log(20.0), 240)):
        p = softmax(logits / t)[np.arange(len(y)), y]
        nll = float(-np.log(np.clip(p, 1e-12, None)).mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


@dataclass
class TrainParams:
    c: float = 4.0  # inverse L2 strength of the logistic regression
    tfidf: bool = False  # concatenate TF-IDF columns to the embedding
    tfidf_weight: float = 1.0
    balanced: bool = True  # class weights against frequent categories drowning rare ones (macro-F1)
    max_chars: int = 1200
    folds: int = 5
    seed: int = 0


@dataclass
class TriageModel:
    """A trained, calibrated linear model. `version` identifies labels + params + embedder."""

    labels: list[str]
    coef: np.ndarray  # (K, D)
    intercept: np.ndarray  # (K,)
    temperature: float
    embedder_id: str
    params: TrainParams
    version: str
    tfidf: Tfidf | None = None
    n_train: int = 0
    label_counts: dict[str, int] = field(default_factory=dict)
    cv_macro_f1: float = 0.0
    created: float = 0.0
    kind: str = "supervised"

    def logits(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        prepared = [prepare(t, self.params.max_chars) for t in texts]
        x = combine(vectors, self.tfidf.transform(prepared) if self.tfidf else None, self.params.tfidf_weight)
        out: np.ndarray = np.asarray(x @ self.coef.T) + self.intercept
        return out

    def proba_from_vectors(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        return softmax(self.logits(vectors, texts) / self.temperature)

    def proba(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        check_embedder(self.embedder_id, embedder)
        return self.proba_from_vectors(embed_items(embedder, texts, self.params.max_chars), texts)

    # --- persistence: numpy arrays + JSON, no pickle ---
    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {"coef": self.coef, "intercept": self.intercept}
        if self.tfidf is not None:
            arrays["idf"] = self.tfidf.idf
        np.savez(folder / "weights.npz", allow_pickle=False, **arrays)
        meta = {
            "format": FORMAT_VERSION,
            "kind": self.kind,
            "version": self.version,
            "labels": self.labels,
            "temperature": self.temperature,
            "embedder_id": self.embedder_id,
            "params": asdict(self.params),
            "n_train": self.n_train,
            "label_counts": self.label_counts,
            "cv_macro_f1": self.cv_macro_f1,
            "created": self.created,
            "tfidf": self.tfidf.to_json() if self.tfidf else None,
        }
        (folder / "model.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path) -> TriageModel:
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            with np.load(folder / "weights.npz", allow_pickle=False) as w:
                arrays = {k: w[k] for k in w.files}
        except (FileNotFoundError, ValueError, KeyError, OSError) as exc:
            raise BelfortError(
                "triage.model_corrupt",
                f"triage model in {folder} cannot be read ({exc})",
                hint="roll back to the previous model or retrain",
            ) from None
        if meta.get("format") != FORMAT_VERSION:
            raise BelfortError(
                "triage.model_format",
                f"triage model format {meta.get('format')} is not {FORMAT_VERSION}",
                hint="retrain the triage model",
            )
        tfidf = Tfidf.from_parts(meta["tfidf"], arrays["idf"]) if meta.get("tfidf") else None
        return cls(
            labels=list(meta["labels"]),
            coef=arrays["coef"],
            intercept=arrays["intercept"],
            temperature=float(meta["temperature"]),
            embedder_id=meta["embedder_id"],
            params=TrainParams(**meta["params"]),
            version=meta["version"],
            tfidf=tfidf,
            n_train=int(meta["n_train"]),
            label_counts=dict(meta["label_counts"]),
            cv_macro_f1=float(meta.get("cv_macro_f1", 0.0)),
            created=float(meta.get("created", 0.0)),
        )


def check_embedder(expected: str, embedder: Embedder) -> None:
    if embedder.id != expected:
        raise BelfortError(
            "triage.embedder_mismatch",
            f"the triage model was built with embedder {expected}, not {embedder.id}",
            hint="retrain the triage model after changing the embedding model",
        )


def model_version(texts: Sequence[str], labels: Sequence[str], params: TrainParams, embedder_id: str) -> str:
    h = hashlib.sha256()
    for text, label in sorted(zip(texts, labels)):
        h.update(hashlib.sha256(text.encode()).digest() + label.encode() + b"\0")
    h.update(json.dumps(asdict(params), sort_keys=True).encode() + embedder_id.encode())
    return h.hexdigest()[:16]


def _fit_lr(x: Any, y: np.ndarray, n_classes: int, params: TrainParams) -> tuple[np.ndarray, np.ndarray]:
    """Fit a multinomial logistic regression; return (coef, intercept) over all n_classes columns."""
    from sklearn.linear_model import LogisticRegression

    present = np.unique(y)
    clf = LogisticRegression(C=params.c, max_iter=2000, class_weight="balanced" if params.balanced else None)
    clf.fit(x, y)
    coef = np.zeros((n_classes, x.shape[1]))
    # a class absent from this fold can never win: a very low intercept, not -inf (keeps softmax finite)
    intercept = np.full(n_classes, -1e4)
    if len(present) == 2:  # binary LR keeps one weight vector: logits (0, w.x + b) give the same softmax
        coef[present[1]] = clf.coef_[0]
        intercept[present[0]], intercept[present[1]] = 0.0, clf.intercept_[0]
    else:
        coef[present] = clf.coef_
        intercept[present] = clf.intercept_
    return coef, intercept


def _features(vectors: np.ndarray, texts: Sequence[str], params: TrainParams, tfidf: Tfidf | None) -> Any:
    return combine(vectors, tfidf.transform(texts) if tfidf else None, params.tfidf_weight)


def cross_validate(
    vectors: np.ndarray, texts: Sequence[str], y: np.ndarray, n_classes: int, params: TrainParams
) -> tuple[np.ndarray, float]:
    """Out-of-fold logits on the training rows and their macro-F1 (TF-IDF refitted inside each fold)."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    counts = np.bincount(y, minlength=n_classes)
    folds = max(2, min(params.folds, int(counts[counts > 0].max())))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=params.seed)
    oof = np.zeros((len(y), n_classes))
    import warnings

    with warnings.catch_warnings():  # rare classes with fewer rows than folds are expected here
        warnings.simplefilter("ignore", UserWarning)
        splits = list(splitter.split(vectors, y))
    for tr, te in splits:
        tfidf = Tfidf.fit([texts[i] for i in tr]) if params.tfidf else None
        coef, intercept = _fit_lr(
            _features(vectors[tr], [texts[i] for i in tr], params, tfidf), y[tr], n_classes, params
        )
        oof[te] = (
            np.asarray(_features(vectors[te], [texts[i] for i in te], params, tfidf) @ coef.T) + intercept
        )
    return oof, float(f1_score(y, oof.argmax(axis=1), average="macro"))


def train_from_vectors(
    vectors: np.ndarray,
    texts: Sequence[str],
    labels: Sequence[str],
    embedder_id: str,
    params: TrainParams | None = None,
) -> TriageModel:
    """Train on precomputed item vectors (`embed_items`); texts feed the optional TF-IDF part."""
    params = params or TrainParams()
    if len(texts) != len(labels) or len(vectors) != len(labels):
        raise BelfortError(
            "triage.train_mismatch",
            "texts, labels and vectors differ in length",
            hint="pass one label per text",
        )
    names = sorted(set(labels))
    if len(names) < 2:
        raise BelfortError(
            "triage.too_few_labels",
            "training needs at least two categories with labels",
            hint="use the zero-shot mode until corrections cover two or more categories",
        )
    index = {name: i for i, name in enumerate(names)}
    y = np.array([index[lab] for lab in labels])
    prepared = [prepare(t, params.max_chars) for t in texts]
    oof, cv_f1 = cross_validate(vectors, prepared, y, len(names), params)
    # only rows whose class was seen in their training fold say anything about calibration
    seen = oof[np.arange(len(y)), y] > -1e3
    temperature = fit_temperature(oof[seen], y[seen]) if seen.sum() >= 2 else 1.0
    tfidf = Tfidf.fit(prepared) if params.tfidf else None
    coef, intercept = _fit_lr(_features(vectors, prepared, params, tfidf), y, len(names), params)
    return TriageModel(
        labels=names,
        coef=coef,
        intercept=intercept,
        temperature=temperature,
        embedder_id=embedder_id,
        params=params,
        version=model_version(texts, labels, params, embedder_id),
        tfidf=tfidf,
        n_train=len(labels),
        label_counts=dict(Counter(labels)),
        cv_macro_f1=cv_f1,
        created=time.time(),
    )


def train(
    embedder: Embedder, texts: Sequence[str], labels: Sequence[str], params: TrainParams | None = None
) -> TriageModel:
    params = params or TrainParams()
    return train_from_vectors(
        embed_items(embedder, texts, params.max_chars), texts, labels, embedder.id, params
    )


def select_params(
    vectors: np.ndarray, texts: Sequence[str], labels: Sequence[str], candidates: Sequence[TrainParams]
) -> tuple[TrainParams, list[dict[str, Any]]]:
    """Pick the candidate with the best out-of-fold macro-F1 on the training rows only."""
    names = sorted(set(labels))
    y = np.array([names.index(lab) for lab in labels])
    results: list[dict[str, Any]] = []
    for p in candidates:
        prepared = [prepare(t, p.max_chars) for t in texts]
        _, f1 = cross_validate(vectors, prepared, y, len(names), p)
        results.append({"params": asdict(p), "cv_macro_f1": round(f1, 4)})
    best = max(range(len(candidates)), key=lambda i: results[i]["cv_macro_f1"])
    return candidates[best], results


def default_candidates() -> list[TrainParams]:
    """A small grid: regularisation strength, and whether TF-IDF columns beside the embedding help.
    Small on purpose: each candidate costs one cross-validation on the appliance's CPU."""
    return [TrainParams(c=c) for c in (1.0, 4.0, 16.0)] + [TrainParams(c=c, tfidf=True) for c in (4.0, 16.0)]


def train_auto(
    embedder: Embedder,
    texts: Sequence[str],
    labels: Sequence[str],
    candidates: Sequence[TrainParams] | None = None,
    vectors: np.ndarray | None = None,
) -> tuple[TriageModel, list[dict[str, Any]]]:
    """Choose parameters by cross-validation on these training rows, then train on all of them."""
    candidates = list(candidates or default_candidates())
    max_chars = candidates[0].max_chars
    if any(p.max_chars != max_chars for p in candidates):
        raise ValueError("candidates must share max_chars (one embedding per text)")
    if vectors is None:
        vectors = embed_items(embedder, texts, max_chars)
    best, results = select_params(vectors, texts, labels, candidates)
    return train_from_vectors(vectors, texts, labels, embedder.id, best), results
