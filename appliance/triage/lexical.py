"""The lexical signal of zero-shot triage: BM25 between an item and each category's prototype texts.

Words go through Belfort's analyser (accent folding, stopwords, Snowball stems): every word is kept
as the stems it has in nl, fr and en, on both sides, so 'facturen' meets 'factuur' and a French
'déchets' meets a French example without knowing either text's language. One document per
category (all its prototypes), so the IDF says which words tell the categories apart.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from appliance.index.text import ALL_STOPWORDS, term_variants, word_spans

K1 = 1.2
B = 0.75
MIN_WORD_CHARS = 3  # 'de', 'la', numbers' fragments: no topic in them


def terms(text: str) -> list[str]:
    """Every stem variant of every content word, in order (a word counts once per occurrence)."""
    out: list[str] = []
    for _, _, word in word_spans(text or ""):
        if len(word) < MIN_WORD_CHARS or word.isdigit() or word in ALL_STOPWORDS:
            continue
        out.extend(sorted(term_variants(word)))
    return out


class CategoryBm25:
    """BM25 over one document per category; `scores` gives (items, categories)."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        docs = [[t for text in texts for t in terms(text)] for texts in documents]
        self.n = len(docs)
        self.lengths = np.array([max(1, len(d)) for d in docs], dtype=np.float64)
        self.avg = float(self.lengths.mean()) if self.n else 1.0
        self.counts = [Counter(d) for d in docs]
        df: Counter[str] = Counter(t for d in self.counts for t in d)
        self.idf = {t: math.log(1.0 + (self.n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.n))
        norm = K1 * (1.0 - B + B * self.lengths / self.avg)
        for i, text in enumerate(texts):
            for term in set(terms(text)):
                idf = self.idf.get(term)
                if idf is None:
                    continue
                tf = np.array([c[term] for c in self.counts], dtype=np.float64)
                out[i] += idf * tf * (K1 + 1.0) / (tf + norm)
        return out


def relative(scores: np.ndarray) -> np.ndarray:
    """Each row divided by its best category's score: 1 for the lexically closest category, 0 for
    categories sharing no word with the item; a row without any shared word stays all zero."""
    best = scores.max(axis=1, keepdims=True) if scores.size else scores
    out: np.ndarray = np.divide(scores, best, out=np.zeros_like(scores), where=best > 0)
    return out
