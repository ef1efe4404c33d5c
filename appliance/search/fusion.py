"""How the keyword and the vector ranking become one list of passages.

Weighted reciprocal rank fusion: a passage scores w / (k + rank) in each ranking it is in. Then each
passage also gets a share of the scores of its document's next best passages: a document that answers
a question in several places outranks one that brushes it once, while the list stays a list of
passages (the best passage of a document keeps the highest score of that document). The weights and
the share are settings, fitted on the Chamber dev questions (`belfort eval retrieval`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Ranking = list[tuple[int, float]]


def fuse(rankings: Sequence[Ranking], k: int, weights: Sequence[float] | None = None) -> Ranking:
    """Weighted reciprocal rank fusion: sum of w / (k + rank) over the rankings an item appears in."""
    scores: dict[int, float] = {}
    for i, ranking in enumerate(rankings):
        w = 1.0 if weights is None else float(weights[i])
        for rank, (cid, _) in enumerate(ranking, start=1):
            scores[cid] = scores.get(cid, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def with_document_support(ranked: Ranking, document_of: Mapping[int, int], share: float,
                          depth: int) -> Ranking:
    """Each passage's score plus `share` times the scores of its document's best other passages (at
    most `depth - 1` of them), sorted again. With share 0 or depth 1 the ranking is unchanged."""
    if share <= 0 or depth <= 1:
        return list(ranked)
    by_doc: dict[int, list[tuple[int, float]]] = {}
    for cid, score in ranked:  # ranked is best first, so each document's list is too
        by_doc.setdefault(document_of.get(cid, -cid), []).append((cid, score))
    out = []
    for cid, score in ranked:
        others = [s for c, s in by_doc[document_of.get(cid, -cid)][:depth] if c != cid][: depth - 1]
        out.append((cid, score + share * sum(others)))
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))
