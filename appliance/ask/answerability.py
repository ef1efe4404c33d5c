"""Answerability: answer, or "I don't know", decided from several pieces of evidence at once.

After the relevance gate (a passage must carry the question's rare words, or be close in meaning
across languages) one threshold on one measure cannot tell the passage that answers a question from
a passage about a neighbouring question: both share the subject. The evidence combined here:
- how much of the question the best passage carries (IDF-weighted coverage) and how close it is in
  meaning (embedding cosine);
- how far the best document stands above the next document on both measures (a question about a
  neighbouring subject finds several similar documents, none standing out);
- whether the lexical and the vector measure agree on the best document;
- how much of the question the best single sentence carries (the one a composed answer quotes);
- the length of the question (coverage is low by nature for a long question);
- for a long question, search's document ranking (appliance.search.documents): the probability the
  ranking gives the best document among the candidates (a question whose answer is absent finds
  several neighbouring documents, none standing out). A second model, with this feature, decides
  those questions (`answerability_documents.json`); shorter ones keep the first. Such a question is
  answered from the document the ranking puts first (compose.candidates `lead`): the ranking finds
  the right document more often than the single sentence that carries most of a long question.
A logistic model over these gives the probability that the answer would come from the right
document. Its weights are fitted on the development questions only (`bench/answerability_fit.py`,
which reports the calibration) and ship in `answerability.json`; the setting
`ask.min_answerable` is the probability below which Ask says "I don't know" (`ask.min_answerable_long`
for the long questions' model, each chosen on its own cross-validated calibration). The model holds for
what it was fitted on: questions over passages in their own language, with this embedder; across
languages the closeness of the quoted sentence decides instead (compose.MIN_SCORE).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

WEIGHTS_FILE = Path(__file__).with_name("answerability.json")
DOCUMENTS_WEIGHTS_FILE = Path(__file__).with_name("answerability_documents.json")
FEATURES = ("relevance", "similarity", "relevance_margin", "similarity_margin", "agree",
            "sentence", "question_words")
DOCUMENT_FEATURES = (*FEATURES, "document")


class Evidence(Protocol):
    """What answerability reads of a retrieved passage (appliance.ask.types.Source has it)."""

    document_id: int
    relevance: float
    similarity: float | None
    document_probability: float | None


@dataclass(frozen=True)
class Features:
    relevance: float
    similarity: float
    relevance_margin: float
    similarity_margin: float
    agree: float
    sentence: float
    question_words: float
    document: float | None = None  # search's document ranking, where it ranked (a long question)
    document_margin: float | None = None  # its best document's probability above the second's
    document_coverage: float | None = None  # share of the question its best document's passages carry
    document_agree: float | None = None  # 1 when the quoted sentence comes from that document

    def vector(self, names: Sequence[str] = FEATURES) -> list[float]:
        return [float(getattr(self, name)) for name in names]

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items() if v is not None}


def _best_per_document(sources: Sequence[Evidence], key: str) -> list[tuple[float, int]]:
    best: dict[int, float] = {}
    for s in sources:
        v = getattr(s, key)
        if v is not None:
            best[s.document_id] = max(best.get(s.document_id, -1.0), float(v))
    return sorted(((v, d) for d, v in best.items()), reverse=True)


def features(sources: Sequence[Evidence], *, sentence: float, question_words: int, sentence_document: int = 0,
             coverage: Callable[[int], float] | None = None) -> Features:
    """The evidence of one question over its retrieved (readable) passages. `sentence_document`: the
    document of the sentence a composed answer would quote first; `coverage(document)`: how much of the
    question a document's retrieved passages carry together (the document ranking's evidence needs both)."""
    rel = _best_per_document(sources, "relevance")
    sim = _best_per_document(sources, "similarity")
    rel1 = rel[0][0] if rel else 0.0
    sim1 = sim[0][0] if sim else 0.0
    ranked = _best_per_document(sources, "document_probability")
    best = ranked[0] if ranked else None
    return Features(
        relevance=rel1,
        similarity=sim1,
        relevance_margin=rel1 - (rel[1][0] if len(rel) > 1 else 0.0),
        similarity_margin=sim1 - (sim[1][0] if len(sim) > 1 else sim1),
        agree=1.0 if rel and sim and rel[0][1] == sim[0][1] else 0.0,
        sentence=sentence,
        question_words=math.log1p(question_words),
        document=best[0] if best else None,
        document_margin=best[0] - (ranked[1][0] if len(ranked) > 1 else 0.0) if best else None,
        document_coverage=coverage(best[1]) if best and coverage is not None else None,
        document_agree=float(best[1] == sentence_document) if best else None,
    )


@dataclass(frozen=True)
class Model:
    """Logistic regression over standardised features (weights from answerability.json)."""

    mean: Sequence[float]
    scale: Sequence[float]
    coef: Sequence[float]
    intercept: float
    embedder: str = ""  # the embedder whose cosines it was fitted on (their scales differ)
    fitted_on: str = ""
    features: tuple[str, ...] = FEATURES

    def probability(self, f: Features) -> float:
        z = self.intercept + sum(c * (x - m) / (s or 1.0) for c, x, m, s in
                                 zip(self.coef, f.vector(self.features), self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def load_model(path: Path = WEIGHTS_FILE, features: tuple[str, ...] = FEATURES) -> Model | None:
    """A shipped model; None when the file is absent (then only the relevance gate decides)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if list(data.get("features", [])) != list(features):
        raise ValueError(f"{path}: fitted on features {data.get('features')}, expected {list(features)}")
    return Model(mean=data["mean"], scale=data["scale"], coef=data["coef"],
                 intercept=float(data["intercept"]), embedder=str(data.get("embedder", "")),
                 fitted_on=str(data.get("fitted_on", "")), features=features)


def model_for(f: Features) -> Model | None:
    """The documents model where search's document ranking gave its evidence (and it is shipped),
    else the passages model."""
    if f.document is not None:
        documents = load_model(DOCUMENTS_WEIGHTS_FILE, DOCUMENT_FEATURES)
        if documents is not None:
            return documents
    return load_model()


def decide(f: Features, min_probability: float, embedder: str, model: Model | None = None,
           min_long: float | None = None) -> tuple[bool, float | None]:
    """(answer?, probability). `min_long`: the threshold where the long questions' model decides
    (default `min_probability`). The model holds only for the embedder it was fitted with: with
    another one (or none fitted) every question past the relevance gate is answered, probability
    None."""
    m = model if model is not None else model_for(f)
    if m is None or m.embedder != embedder:
        return True, None
    p = m.probability(f)
    threshold = min_long if min_long is not None and "document" in m.features else min_probability
    return p >= threshold, round(p, 4)
