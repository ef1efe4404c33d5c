"""Small text measures used by Ask: question language, passage relevance, best sentences, topics."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from sqlmodel import Session

from appliance.ask.citations import split_sentences
from appliance.index.acl import ReadScope
from appliance.index.text import content_words, fold, fts_idf, term_variants, terms_of, weighted_coverage

# Languages the detector may say; only nl/fr/en are answered in, the rest is "unsupported".
DETECTABLE = ("nl", "fr", "en", "de", "es", "it", "pt", "pl", "tr")
UNSUPPORTED = "xx"


def detect_question_language(question: str) -> str:
    """'nl' | 'fr' | 'en' | another code | 'xx' (foreign script); short or unclear text -> 'nl'."""
    letters = [ch for ch in question if ch.isalpha()]
    if letters and sum(1 for ch in letters if ch < "\u0250") / len(letters) < 0.6:
        return UNSUPPORTED
    from ingest.chunk import detect_language

    return detect_language(question, DETECTABLE) or "nl"


def _terms(text: str) -> set[str]:
    return terms_of(content_words(text))


def relevance(question: str, passage: str, weights: Mapping[str, float] | None = None) -> float:
    """Share of the question's distinct content words found (stemmed, folded) in the passage,
    each word weighted by its rarity in the corpus (`weights`, see `idf_weights`) when given: a
    passage sharing 'kost' but not 'hondenbelasting' is not about the question."""
    words = set(content_words(question))
    if not words:
        return 0.0
    return weighted_coverage(words, weights or {}, _terms(passage))


def idf_weights(session: Session, question: str, scope: ReadScope | Collection[int], max_words: int = 120) -> dict[str, float]:
    """Rarity weights of the question's content words in the collections the asker may read."""
    return fts_idf(session, content_words(question), scope, max_words)


# Cosine a passage needs to count as relevant, per embedding engine (their scales differ: e5's
# cosines of unrelated texts are ~0.75, a bag-of-words fake's ~0.1). Unknown engines: no vector vote.
VECTOR_THRESHOLDS = {"e5": 0.83, "sentence-transformers": 0.55, "fake": 0.45}


def vector_threshold(embedder_id: str) -> float | None:
    return VECTOR_THRESHOLDS.get(embedder_id.split(":", 1)[0])


def best_sentences(question: str, passage: str, n: int = 1, max_chars: int = 400) -> str:
    """The passage's sentence(s) sharing most words with the question (for extractive answers)."""
    sentences = split_sentences(passage) or [passage]
    q = _terms(question)
    scored = sorted(enumerate(sentences),
                    key=lambda it: (-len(_terms(it[1]) & q), it[0]))[:n]
    text = " ".join(s for _, s in sorted(scored))
    return text if len(text) <= max_chars else text[: max_chars - 1].rsplit(" ", 1)[0] + "…"


def matches_topic(question: str, topics: list[str]) -> str:
    """The first configured topic (a word or phrase) all of whose words occur in the question."""
    q = _terms(question)
    folded_q = fold(question)
    for topic in topics:
        words = content_words(topic)
        if not words:
            continue
        if all(term_variants(w) & q for w in words) or re.search(
            r"\b" + re.escape(fold(topic).strip()) + r"\b", folded_q
        ):
            return topic
    return ""
