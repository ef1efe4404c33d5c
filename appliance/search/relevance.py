"""Whether a hit is about the query: the share of the query's content words (stemmed, folded) that
the passage contains, each weighted by its rarity in the collections the searcher may read.

Ranking always returns the nearest passages, related or not; this is the evidence that lets the page
say "nothing relevant" instead of listing them. Cross-language hits share no words: the page then
offers the nearest passages on request instead of hiding them for good.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from sqlalchemy import text as sql
from sqlmodel import Session

from appliance.index.text import ALL_STOPWORDS, fold, fts_match_expression, scope_token, term_variants

# A passage is relevant when it holds at least this (IDF-weighted) share of the query's content words:
# "hondenbelasting kost" is not answered by a passage that only says "kost".
MIN_COVERAGE = 0.5
MAX_WORDS = 24  # words weighed per query: each is one FTS count
_WORD = re.compile(r"[^\W_]+")


def content_words(text: str) -> list[str]:
    """Distinct folded words of `text` that carry meaning (no stopwords, no 1-2 letter words but numbers)."""
    words = _WORD.findall(fold(text))
    return list(dict.fromkeys(w for w in words if w not in ALL_STOPWORDS and (len(w) > 2 or w.isdigit())))


def passage_terms(text: str) -> set[str]:
    out: set[str] = set()
    for word in set(_WORD.findall(fold(text))):
        out |= term_variants(word)
    return out


def word_weights(session: Session, words: Iterable[str], scope: list[int]) -> dict[str, float]:
    """log((N + 1) / (df + 1)) + 1 per word, counted over the `scope` collections only: counts over
    every collection would tell how common a word is in documents the searcher cannot read."""
    if not scope:
        return {}
    scopes = " OR ".join(f'"{scope_token(c)}"' for c in scope)
    count = "SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH :q"
    n = int(session.execute(sql(count), {"q": f"scope : ({scopes})"}).scalar_one() or 0)
    out: dict[str, float] = {}
    for word in list(words)[:MAX_WORDS]:
        expr = fts_match_expression(sorted(term_variants(word)), scope)
        df = int(session.execute(sql(count), {"q": expr}).scalar_one() or 0)
        out[word] = math.log((n + 1) / (df + 1)) + 1.0
    return out


def coverage(words: list[str], weights: dict[str, float], passage: str) -> float:
    """Weighted share of `words` present in `passage` (1.0 for a query without content words)."""
    if not words:
        return 1.0
    terms = passage_terms(passage)
    total = sum(weights.get(w, 1.0) for w in words)
    found = sum(weights.get(w, 1.0) for w in words if term_variants(w) & terms)
    return found / total if total else 0.0
