"""Features for the triage classifier: bounded text, embeddings and a small persisted TF-IDF.

The TF-IDF is our own (vocabulary + idf as plain arrays) so a saved model needs no pickle and the
same code transforms text at training and at prediction time.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from scipy import sparse

from models.base import Embedder

_TOKEN = re.compile(r"\w\w+", re.UNICODE)


def prepare(text: str, max_chars: int) -> str:
    """Collapse whitespace and keep the opening: subject and first lines carry the topic, and the cost
    of an embedding grows with its length on a 2-core appliance."""
    return " ".join((text or "").split())[:max_chars]


def embed_items(embedder: Embedder, texts: Sequence[str], max_chars: int) -> np.ndarray:
    """Items are embedded as queries (e5's asymmetric 'query:' side); category profiles as passages."""
    vecs = embedder.embed_queries([prepare(t, max_chars) for t in texts])
    return np.asarray(vecs, dtype=np.float32).reshape(len(texts), embedder.dim)


def _terms(text: str, bigrams: bool) -> list[str]:
    words = [w for w in _TOKEN.findall(text.lower()) if not w.isdigit()]
    if bigrams:
        return words + [f"{a} {b}" for a, b in pairwise(words)]
    return words


class Tfidf:
    """Sublinear TF x smoothed IDF, L2-normalised rows (as scikit-learn's TfidfVectorizer does)."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, bigrams: bool = True) -> None:
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self.bigrams = bigrams

    @classmethod
    def fit(
        cls, texts: Sequence[str], *, min_df: int = 2, max_features: int = 30000, bigrams: bool = True
    ) -> Tfidf:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(_terms(text, bigrams)))
        kept = [t for t, n in df.items() if n >= min_df]
        kept.sort(key=lambda t: (-df[t], t))  # most frequent first; ties by term for a stable order
        kept = sorted(kept[:max_features])
        n = len(texts)
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in kept])
        return cls({t: i for i, t in enumerate(kept)}, idf, bigrams)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            counts = Counter(t for t in _terms(text, self.bigrams) if t in self.vocabulary)
            if not counts:
                continue
            idx = np.array([self.vocabulary[t] for t in counts])
            w = (1.0 + np.log(np.array(list(counts.values()), dtype=np.float64))) * self.idf[idx]
            w /= np.linalg.norm(w)
            rows += [r] * len(idx)
            cols += idx.tolist()
            vals += w.tolist()
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(self.vocabulary)))

    def to_json(self) -> dict[str, object]:
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {"terms": terms, "bigrams": self.bigrams}

    @classmethod
    def from_parts(cls, meta: dict[str, object], idf: np.ndarray) -> Tfidf:
        terms = list(meta["terms"])  # type: ignore[call-overload]
        return cls({t: i for i, t in enumerate(terms)}, idf, bool(meta.get("bigrams", True)))


def combine(
    vectors: np.ndarray, tfidf: sparse.csr_matrix | None, tfidf_weight: float
) -> sparse.csr_matrix | np.ndarray:
    """Embeddings alone, or embeddings beside weighted TF-IDF columns (both L2-normalised blocks)."""
    if tfidf is None:
        return vectors
    return sparse.hstack([sparse.csr_matrix(vectors), tfidf * tfidf_weight], format="csr")
