"""Zero-shot triage: right from day one, before anyone has labelled an item.

A category's score for an item blends three signals, all from what the taxonomy gives:
- the cosine with the category's centroid (the mean of its prototypes: profile, examples, phrases);
- the best cosine with one of its prototypes, each prototype first lowered by its "hubness" (its mean
  cosine with the other categories' prototypes and with topic-less mail in nl/fr/en/de): a generic
  phrase close to everything must not win every item, nor a lone French example every French mail;
  a specific one ("leefloon", "rijbewijs") should win the items about it;
- BM25 over the category's prototype words with Belfort's analyser (`triage.lexical`), scaled so the
  lexically closest category gets LEXICAL_WEIGHT.
What the item gives: its text embedded as an e5 query, with its subject (a short first line above a
body) embedded once more and added, because a subject names the topic a long body wanders from.

Calibration: every prototype in turn plays an incoming item against the others (leave-one-out); the
softmax temperature that best predicts their categories turns scores into probabilities, so a
category's threshold means what it means after training. A taxonomy too thin to calibrate (one
prototype per category, or one category) keeps the fixed temperature and is marked uncalibrated:
the classifier then routes only near-certain items (ZERO_SHOT_MIN_CONFIDENCE).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from appliance.triage.features import prepare
from appliance.triage.lexical import CategoryBm25, relative
from appliance.triage.model import check_embedder, softmax
from appliance.triage.prototypes import Prototype, embed_prototypes, taxonomy_prototypes
from appliance.triage.taxonomy import Taxonomy
from models.base import Embedder

DEFAULT_TEMPERATURE = 0.02  # e5 cosines sit in a narrow band: differences of 0.02 already matter
CENTROID_WEIGHT = 0.5  # the rest goes to the best single prototype
LEXICAL_WEIGHT = 0.05  # about the cosine gap between a right and a wrong category with e5
SUBJECT_WEIGHT = 0.5
MAX_SUBJECT_CHARS = 150  # a longer first line is a sentence of the body, not a subject
MIN_CALIBRATION_ROWS = 8
# One category: nothing to tell it apart from, so the score says nothing about being right.
ONE_CATEGORY_CONFIDENCE = 0.5
_TEMPERATURES = np.exp(np.linspace(np.log(0.002), np.log(0.5), 200))


def subject_of(text: str) -> str:
    """The first line when it is short and a body follows it (intake writes 'subject\\nbody')."""
    first, _, rest = (text or "").strip().partition("\n")
    first = " ".join(first.split())
    return first if rest.strip() and 0 < len(first) <= MAX_SUBJECT_CHARS else ""


def item_queries(embedder: Embedder, texts: Sequence[str], max_chars: int) -> np.ndarray:
    """Query vectors of items, subjects weighted in; one embedder call (each call has a fixed cost)."""
    prepared = [prepare(t, max_chars) for t in texts]
    subjects = [subject_of(t) for t in texts]
    with_subject = [i for i, s in enumerate(subjects) if s]
    vecs = np.asarray(embedder.embed_queries(prepared + [subjects[i] for i in with_subject]), dtype=np.float64)
    vecs = vecs.reshape(len(prepared) + len(with_subject), embedder.dim)
    out = vecs[: len(prepared)].copy()
    for n, i in enumerate(with_subject):
        out[i] += SUBJECT_WEIGHT * vecs[len(prepared) + n]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    result: np.ndarray = np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)
    return result


def _hubness(passages: np.ndarray, queries: np.ndarray, owner: np.ndarray, background: np.ndarray
             ) -> np.ndarray:
    """Per prototype: its mean cosine with the other categories' prototypes and with topic-less mail in
    every language (all as queries)."""
    sims = queries @ passages.T
    generic = background @ passages.T if len(background) else np.zeros((0, len(owner)))
    hub = np.zeros(len(owner))
    for j in range(len(owner)):
        column = np.concatenate([sims[owner != owner[j], j], generic[:, j]])
        hub[j] = column.mean() if len(column) else 0.0
    return hub


def _embedding_scores(q: np.ndarray, passages: np.ndarray, owner: np.ndarray, hub: np.ndarray,
                      n_labels: int, keep: np.ndarray | None) -> np.ndarray:
    cos = q @ passages.T
    out = np.full((len(q), n_labels), -np.inf)
    for k in range(n_labels):
        mask = owner == k if keep is None else (owner == k) & keep
        if not mask.any():
            continue  # a category left without prototypes cannot win
        centroid = passages[mask].mean(axis=0)
        centroid = centroid / (np.linalg.norm(centroid) or 1.0)
        best = (cos[:, mask] - hub[mask]).max(axis=1)
        out[:, k] = CENTROID_WEIGHT * (q @ centroid) + (1.0 - CENTROID_WEIGHT) * best
    return out


def _scores(q: np.ndarray, passages: np.ndarray, owner: np.ndarray, hub: np.ndarray, n_labels: int,
            lexical: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """(items, categories) blended scores; `keep` masks prototypes out (leave-one-out)."""
    return _embedding_scores(q, passages, owner, hub, n_labels, keep) + LEXICAL_WEIGHT * lexical


@dataclass
class Calibration:
    temperature: float = DEFAULT_TEMPERATURE
    calibrated: bool = False
    rows: int = 0  # held-out prototypes that could be scored
    accuracy: float = 0.0  # their leave-one-out accuracy


def fit_zero_shot_temperature(logits: np.ndarray, y: np.ndarray) -> float | None:
    """The temperature with the least negative log-likelihood; None when every row is right already
    (the likelihood then keeps rising as the temperature falls: it would call everything certain)."""
    if len(y) == 0 or (logits.argmax(axis=1) == y).all():
        return None
    nll = [float(-np.log(np.clip(softmax(logits / t)[np.arange(len(y)), y], 1e-12, None)).mean())
           for t in _TEMPERATURES]
    return float(_TEMPERATURES[int(np.argmin(nll))])


def calibrate(groups: list[list[Prototype]], passages: np.ndarray, queries: np.ndarray, owner: np.ndarray,
              hub: np.ndarray) -> Calibration:
    """Leave-one-out over the prototypes that read like items (examples, description phrases): each
    plays an item, scored against the others. A held-out phrase also takes its category's profile
    out, since the profile's description holds that phrase word for word."""
    n_labels = len(groups)
    if n_labels < 2:
        return Calibration()
    flat = [p for g in groups for p in g]
    rows, truth = [], []
    for i, proto in enumerate(flat):
        k = int(owner[i])
        keep = np.ones(len(flat), dtype=bool)
        keep[i] = False
        if proto.role == "phrase":
            keep &= ~((owner == k) & np.array([p.role == "profile" for p in flat]))
        if not proto.probe or not (keep & (owner == k)).any():
            continue  # nothing to play, or nothing left to recognise its category by
        held = [[p.text for j, p in enumerate(flat) if owner[j] == c and keep[j]] for c in range(n_labels)]
        lexical = relative(CategoryBm25(held).scores([proto.probe]))
        rows.append(_scores(queries[i:i + 1], passages, owner, hub, n_labels, lexical, keep)[0])
        truth.append(k)
    if len(rows) < MIN_CALIBRATION_ROWS:
        return Calibration(rows=len(rows))
    logits, y = np.stack(rows), np.array(truth)
    logits = np.where(np.isfinite(logits), logits, logits[np.isfinite(logits)].min() - 1.0)
    accuracy = float((logits.argmax(axis=1) == y).mean())
    temperature = fit_zero_shot_temperature(logits, y)
    if temperature is None:
        return Calibration(rows=len(rows), accuracy=accuracy)
    return Calibration(temperature, True, len(rows), accuracy)


@dataclass
class ZeroShotModel:
    labels: list[str]
    passages: np.ndarray  # (P, dim) prototype vectors, L2-normalised
    owner: np.ndarray  # (P,) category index of each prototype
    hub: np.ndarray  # (P,) hubness of each prototype
    lexicon: CategoryBm25
    calibration: Calibration
    embedder_id: str
    version: str
    max_chars: int = 1200
    kind: str = "zero_shot"
    prototype_texts: list[list[str]] = field(default_factory=list)

    @property
    def calibrated(self) -> bool:
        return self.calibration.calibrated

    @property
    def temperature(self) -> float:
        return self.calibration.temperature

    @classmethod
    def build(cls, taxonomy: Taxonomy, embedder: Embedder, *, max_chars: int = 1200,
              cache_dir: Path | None = None) -> ZeroShotModel:
        groups = taxonomy_prototypes(taxonomy)
        vectors = embed_prototypes(embedder, groups, cache_dir)
        passages = vectors.passages.astype(np.float64)
        queries = vectors.queries.astype(np.float64)
        owner = np.array([k for k, group in enumerate(groups) for _ in group])
        probed = np.array([bool(p.probe) for g in groups for p in g])
        # hubness is measured with item-like texts; a profile has none and stands in as it is
        background = vectors.background.astype(np.float64)
        hub = _hubness(passages, np.where(probed[:, None], queries, passages), owner, background)
        calibration = calibrate(groups, passages, queries, owner, hub)
        h = hashlib.sha256(f"{vectors.key}:{taxonomy.keys}:{calibration.temperature}:{max_chars}".encode())
        texts = [[p.text for p in g] for g in groups]
        return cls(taxonomy.keys, passages, owner, hub, CategoryBm25(texts), calibration,
                   embedder.id, "zs-" + h.hexdigest()[:13], max_chars, prototype_texts=texts)

    def scores(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        lexical = relative(self.lexicon.scores(texts)) if len(texts) == len(vectors) else 0.0
        q = np.asarray(vectors, dtype=np.float64).reshape(len(vectors), self.passages.shape[1])
        return _scores(q, self.passages, self.owner, self.hub, len(self.labels), np.asarray(lexical))

    def proba_from_vectors(self, vectors: np.ndarray, texts: Sequence[str] = ()) -> np.ndarray:
        if len(self.labels) == 1:
            return np.full((len(vectors), 1), ONE_CATEGORY_CONFIDENCE)
        return softmax(self.scores(vectors, texts) / self.temperature)

    def proba(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        check_embedder(self.embedder_id, embedder)
        return self.proba_from_vectors(item_queries(embedder, texts, self.max_chars), texts)
