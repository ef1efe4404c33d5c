"""Redaction measured as a redaction officer would: labelled character spans per document.

The file is JSONL, one document per line: `{"text": "...", "spans": [{"start": 0, "end": 11,
"kind": "PERSON"}, ...]}` with Belfort's entity types as kinds (an optional "language" is passed to
the detector). A gold span is found when one predicted span of the same kind covers it whole; every
predicted span counts, also one proposed for review below the redaction threshold. A predicted span
is right when it overlaps a gold span of its kind. `documents_without_miss` is the share of
documents in which every gold span was found: one miss in a document is a breach.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from appliance.errors import BelfortError
from appliance.privacy import ENTITY_TYPES, detect_pii
from models.base import NerTagger

Span = tuple[int, int, str]  # start, end, kind


@dataclass(frozen=True)
class LabelledText:
    text: str
    spans: tuple[Span, ...]
    language: str = "nl"


def _bad(line: int, why: str) -> BelfortError:
    return BelfortError("eval.bad_spans_file", f"line {line}: {why}",
                        hint='each line: {"text": "...", "spans": [{"start": 0, "end": 11, "kind": "PERSON"}]}')


def _parse(line_no: int, line: str) -> LabelledText:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _bad(line_no, f"not JSON ({exc.msg})") from None
    if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not isinstance(row.get("spans"), list):
        raise _bad(line_no, "needs a string 'text' and a list 'spans'")
    text: str = row["text"]
    spans: list[Span] = []
    for span in row["spans"]:
        if not isinstance(span, dict):
            raise _bad(line_no, "a span is not an object")
        start, end, kind = span.get("start"), span.get("end"), span.get("kind")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise _bad(line_no, f"span {start}..{end} is not inside the text")
        if kind not in ENTITY_TYPES:
            raise _bad(line_no, f"unknown kind {kind!r} (kinds: {', '.join(ENTITY_TYPES)})")
        spans.append((start, end, kind))
    language = row.get("language")
    return LabelledText(text, tuple(spans), language if isinstance(language, str) else "nl")


def read_labelled(path: Path) -> list[LabelledText]:
    """The documents of a JSONL span file; a malformed line fails with its number."""
    docs = []
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if line.strip():
                docs.append(_parse(line_no, line))
    return docs


@dataclass
class KindCounts:
    support: int = 0
    found: int = 0
    predicted: int = 0
    right: int = 0

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "recall": round(self.found / self.support, 4) if self.support else None,
            "precision": round(self.right / self.predicted, 4) if self.predicted else None,
            "support": self.support,
        }


@dataclass
class SpanScores:
    kinds: dict[str, KindCounts] = field(default_factory=dict)
    documents: int = 0
    documents_without_miss: int = 0

    def add(self, gold: Iterable[Span], predicted: Iterable[Span]) -> list[Span]:
        """Count one document; the gold spans it missed are returned."""
        gold, predicted = list(gold), list(predicted)
        missed = [g for g in gold if not any(p[2] == g[2] and p[0] <= g[0] and g[1] <= p[1] for p in predicted)]
        for g in gold:
            counts = self.kinds.setdefault(g[2], KindCounts())
            counts.support += 1
            counts.found += g not in missed
        for p in predicted:
            counts = self.kinds.setdefault(p[2], KindCounts())
            counts.predicted += 1
            counts.right += any(g[2] == p[2] and g[0] < p[1] and p[0] < g[1] for g in gold)
        self.documents += 1
        self.documents_without_miss += not missed
        return missed

    def as_dict(self) -> dict[str, object]:
        total = KindCounts()
        for c in self.kinds.values():
            total.support += c.support
            total.found += c.found
            total.predicted += c.predicted
            total.right += c.right
        overall = total.as_dict()
        return {
            "per_kind": {kind: self.kinds[kind].as_dict() for kind in sorted(self.kinds)},
            "recall": overall["recall"],
            "precision": overall["precision"],
            "documents_without_miss": round(self.documents_without_miss / self.documents, 4) if self.documents else None,
            "n": self.documents,
        }


Predictor = Callable[[LabelledText], list[Span]]


def span_detector(ner: NerTagger | None, first_names: frozenset[str]) -> Predictor:
    """Belfort's own detection (every entity type) as a predictor."""
    def predict(doc: LabelledText) -> list[Span]:
        found = detect_pii(doc.text, language=doc.language, ner=ner, first_names=first_names)
        return [(s.start, s.end, s.entity_type) for s in found]

    return predict


def evaluate_spans(docs: Iterable[LabelledText], predict: Predictor) -> SpanScores:
    scores = SpanScores()
    for doc in docs:
        scores.add(doc.spans, predict(doc))
    return scores
