"""Whether a hit is about the query: the share of the query's content words (stemmed, folded) that
the passage contains, each weighted by its rarity in the collections the searcher may read.

Ranking always returns the nearest passages, related or not; this is the evidence that lets the page
say "nothing relevant" instead of listing them. Cross-language hits share no words: the page then
offers the nearest passages on request instead of hiding them for good.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlmodel import Session

from appliance.index.acl import ReadScope
from appliance.index.text import content_words, fold, fts_idf, terms_of, weighted_coverage

# A passage is relevant when it holds at least this (IDF-weighted) share of the query's content words:
# "hondenbelasting kost" is not answered by a passage that only says "kost".
MIN_COVERAGE = 0.5
MAX_WORDS = 24  # words weighed per query: each is one FTS count
_WORD = re.compile(r"[^\W_]+")


def query_words(text: str) -> list[str]:
    """The query's distinct content words, in order."""
    return list(dict.fromkeys(content_words(text)))


def word_weights(session: Session, words: Iterable[str], scope: ReadScope) -> dict[str, float]:
    """Rarity weights of the query's words in the collections the searcher may read."""
    return fts_idf(session, words, scope, MAX_WORDS)


def coverage(words: list[str], weights: dict[str, float], passage: str) -> float:
    """Weighted share of `words` present in `passage` (1.0 for a query without content words)."""
    if not words:
        return 1.0
    return weighted_coverage(words, weights, terms_of(_WORD.findall(fold(passage))))