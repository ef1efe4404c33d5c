"""The candidate span every rule yields (overlaps are settled by pii._merge)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawSpan:
    entity_type: str
    start: int
    end: int
    score: float


# A score below the redaction threshold (pii.redact_min_score, 0.8) is a proposal that a person
# decides on: the "flagged for review" spans, such as a mistyped number right after its label.
REVIEW_SCORE = 0.5
