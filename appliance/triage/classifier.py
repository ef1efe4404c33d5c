"""Triage: classify an incoming item, decide whether it may be routed without a person, flag urgency.

The rule this module exists for: doubt goes to a person, never the other way round. An item is routed
automatically only when its calibrated confidence reaches its category's threshold AND the category
is not `human_only`; everything else abstains to the human queue with the suggestion kept.

Scorers live in `triage_model` (trained linear model, zero-shot), the taxonomy in `triage_taxonomy`,
model versions and rollback in `triage_store`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from appliance.db.tables import TriageItem
from appliance.triage.features import embed_items
from appliance.triage.model import TriageModel, check_embedder
from appliance.triage.taxonomy import Taxonomy
from appliance.triage.zero_shot import ZeroShotModel
from ingest.chunk import detect_language  # one language detector for the whole appliance
from models.base import Embedder

# Why a reason and not only a flag: the queue UI and the audit log say why an item waits for a person.
REASON_AUTO = "auto"
REASON_BELOW_THRESHOLD = "below_threshold"
REASON_HUMAN_ONLY = "human_only"
REASON_UNKNOWN_CATEGORY = "unknown_category"  # the model knows a category the taxonomy no longer has
REASON_NO_TEXT = "no_text"  # nothing to read (an attachment nobody could extract text from): a person looks
# A zero-shot scorer calibrated on the taxonomy's own prototypes (leave-one-out, see triage.zero_shot)
# is held against each category's threshold like a trained model. One the taxonomy is too thin to
# calibrate has a fixed temperature, not a probability: it routes only near-certain suggestions.
ZERO_SHOT_MIN_CONFIDENCE = 0.9

# Words that make a person look first, whatever the category. Kept short and literal on purpose:
# a false "urgent" costs a glance, a missed one costs a citizen.
URGENCY_TERMS: dict[str, tuple[str, ...]] = {
    "nl": (
        "dringend",
        "spoed",
        "spoedig",
        "onmiddellijk",
        "meteen",
        "zo snel mogelijk",
        "z.s.m.",
        "gevaar",
        "gevaarlijk",
        "levensgevaarlijk",
        "noodgeval",
        "gaslek",
        "brand",
        "overstroming",
        "ingestort",
        "instortingsgevaar",
        "gewond",
        "dakloos",
        "uithuiszetting",
        "vandaag nog",
    ),
    "fr": (
        "urgent",
        "urgence",
        "immédiatement",
        "au plus vite",
        "dès que possible",
        "danger",
        "dangereux",
        "fuite de gaz",
        "incendie",
        "inondation",
        "effondré",
        "blessé",
        "expulsion",
        "sans abri",
        "aujourd'hui même",
    ),
    "en": (
        "urgent",
        "urgently",
        "emergency",
        "immediately",
        "asap",
        "as soon as possible",
        "danger",
        "dangerous",
        "gas leak",
        "fire",
        "flooding",
        "collapsed",
        "injured",
        "homeless",
        "eviction",
    ),
}
_URGENCY_RE = re.compile(
    r"(?<!\w)("
    + "|".join(sorted({re.escape(t) for ts in URGENCY_TERMS.values() for t in ts}, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)


class Scorer(Protocol):
    labels: list[str]
    embedder_id: str
    version: str
    kind: str

    def proba_from_vectors(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Decision:
    route: str | None  # category key when routed automatically, else None
    abstain: bool  # True: the item waits in the human queue
    reason: str  # auto | below_threshold | human_only | unknown_category | no_text
    suggestion: str  # best category, kept for the person even when abstaining
    confidence: float  # calibrated probability of the suggestion
    threshold: float  # the suggestion's threshold this decision was held against
    department: str
    candidates: tuple[tuple[str, float], ...]  # top categories with probabilities, best first
    language: str  # nl | fr | en | de | '' when unsure
    urgent: bool
    urgency_terms: tuple[str, ...]
    deadline_days: int | None
    model_version: str
    model_kind: str  # supervised | zero_shot

    def as_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "abstain": self.abstain,
            "reason": self.reason,
            "suggestion": self.suggestion,
            "confidence": round(self.confidence, 4),
            "threshold": self.threshold,
            "department": self.department,
            "candidates": [{"category": k, "probability": round(p, 4)} for k, p in self.candidates],
            "language": self.language,
            "urgent": self.urgent,
            "urgency_terms": list(self.urgency_terms),
            "deadline_days": self.deadline_days,
            "model_version": self.model_version,
            "model_kind": self.model_kind,
        }


def detect_urgency(text: str) -> tuple[str, ...]:
    """Urgency keywords (nl/fr/en) found in the text, lower-cased and de-duplicated in order."""
    found = [m.group(1).lower() for m in _URGENCY_RE.finditer(text or "")]
    return tuple(dict.fromkeys(found))


class TriageClassifier:
    """Taxonomy + embedder + scorer. Without a trained model it scores zero-shot from the taxonomy."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder: Embedder,
        model: TriageModel | None = None,
        *,
        top_k: int = 3,
        prototype_cache: Path | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.embedder = embedder
        self.top_k = top_k
        self.scorer: Scorer = (
            model
            if model is not None
            else ZeroShotModel.build(taxonomy, embedder, cache_dir=prototype_cache)
        )
        check_embedder(self.scorer.embedder_id, embedder)

    @property
    def max_chars(self) -> int:
        model = self.scorer
        return model.params.max_chars if isinstance(model, TriageModel) else model.max_chars  # type: ignore[attr-defined]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(self.scorer, ZeroShotModel):  # its own query vectors: subjects weighted in
            return self.scorer.proba(self.embedder, texts)
        vectors = embed_items(self.embedder, texts, self.max_chars)
        return self.scorer.proba_from_vectors(vectors, texts)

    def classify(self, text: str) -> Decision:
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[Decision]:
        if not texts:
            return []
        probs = self.probabilities(texts)
        return [self.decide(row, text) for row, text in zip(probs, texts)]

    def decide(self, probs: np.ndarray, text: str) -> Decision:
        """Turn one row of probabilities into a decision; the routing rules live here and only here."""
        order = np.argsort(-probs)
        labels = self.scorer.labels
        best = labels[int(order[0])]
        confidence = float(probs[order[0]])
        candidates = tuple((labels[int(i)], float(probs[i])) for i in order[: self.top_k])
        category = self.taxonomy.get(best)
        if category is None:
            reason, threshold = REASON_UNKNOWN_CATEGORY, 1.0
        elif not any(ch.isalnum() for ch in text):  # a score of nothing is a prior, not a suggestion
            reason, threshold = REASON_NO_TEXT, 1.0
        elif category.human_only:  # AI Act high-risk: a person decides, whatever the confidence
            reason, threshold = REASON_HUMAN_ONLY, category.threshold
        else:
            threshold = category.threshold
            if self.scorer.kind == "zero_shot" and not getattr(self.scorer, "calibrated", False):
                threshold = max(threshold, ZERO_SHOT_MIN_CONFIDENCE)
            reason = REASON_BELOW_THRESHOLD if confidence < threshold else REASON_AUTO
        terms = detect_urgency(text)
        auto = reason == REASON_AUTO
        return Decision(
            route=best if auto else None,
            abstain=not auto,
            reason=reason,
            suggestion=best,
            confidence=confidence,
            threshold=threshold,
            department=category.department if category else "",
            candidates=candidates,
            language=detect_language(text),
            urgent=bool(terms),
            urgency_terms=terms,
            deadline_days=category.deadline_days if category else None,
            model_version=self.scorer.version,
            model_kind=self.scorer.kind,
        )


def item_text(item: TriageItem) -> str:
    """What the classifier reads of an item (as intake classifies it): subject, then the body."""
    return "\n".join(x for x in (item.subject, item.text) if x)
