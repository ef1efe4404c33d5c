"""Text analysis for keyword search: accent folding, tokens, stopwords and Snowball stems.

The same analysis runs when a chunk is indexed (`analyze`, stemmed in the chunk's language) and
when a query arrives (`query_terms`). A query's language is unreliable to detect from a few words,
so a query term is stemmed with every supported stemmer and the variants are OR-ed: a Dutch
'vergunningen' and a French 'permis' both find their chunks whatever language the query was typed in.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import Stemmer  # PyStemmer: Snowball stemmers in C

from appliance.index.acl import ReadScope, scope_match
from appliance.index.keywords import keyword_index

STEMMER_NAMES = {"nl": "dutch", "fr": "french", "en": "english"}
DEFAULT_LANGUAGE = "nl"  # the product's main language stems chunks whose language is unknown
MAX_TOKEN_CHARS = 40  # longer "words" are noise (hashes, base64) and would bloat the index
MAX_QUERY_TERMS = 256

# Small lists on purpose: only words that carry no meaning for retrieval. Accent-folded.
STOPWORDS: dict[str, frozenset[str]] = {
    "nl": frozenset(
        ["de", "het", "een", "en", "van", "in", "op", "te", "dat", "die", "is", "voor", "met", "aan", "er", "als", "bij", "of", "om", "ook", "door", "naar", "uit", "tot", "over", "dan", "maar", "nog", "wel", "zijn", "was", "werd", "worden", "wordt", "zal", "zou", "kan", "kunnen", "hebben", "heeft", "had", "deze", "dit", "ze", "zij", "hij", "wij", "we", "ik", "u", "je", "men", "hun", "haar", "hem", "mijn", "uw", "onze", "niet", "geen", "al", "wat", "welke", "wie", "waar", "hoe", "toe", "daar", "hier", "dus", "zo", "reeds", "na", "tegen", "zonder", "onder", "tussen", "via", "per"]
    ),
    "fr": frozenset(
        ["le", "la", "les", "un", "une", "des", "du", "de", "d", "l", "et", "ou", "a", "au", "aux", "en", "dans", "par", "pour", "sur", "avec", "sans", "sous", "ce", "cet", "cette", "ces", "qui", "que", "quoi", "dont", "est", "sont", "etait", "ete", "etre", "avoir", "a", "ont", "il", "elle", "ils", "elles", "on", "nous", "vous", "je", "tu", "se", "sa", "son", "ses", "leur", "leurs", "ne", "pas", "plus", "y", "lui", "mais", "comme", "si"]
    ),
    "en": frozenset(
        ["the", "a", "an", "and", "or", "of", "in", "on", "to", "for", "with", "by", "at", "from", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "as", "not", "no", "but", "if", "then", "than", "so", "such", "there", "their", "they", "he", "she", "we", "you", "i", "do", "does", "did", "has", "have", "had", "will", "would", "can", "could", "shall", "should", "may", "might"]
    ),
}
ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())
# Function words the lists above lack (most are in Snowball's fuller lists): the other forms of the auxiliaries they
# hold ('heb', 'ben' beside 'hebben', 'zijn'; 'suis' beside 'est'), and personal, possessive and indefinite pronouns
# ('mij', 'ons', 'iemand'; 'mon', 'votre', 'quelque chose'; 'them', 'something'). English has its auxiliaries; 'am',
# 'ai', 'me', 'my' are too short to be content words, and French 'ton' is left in: Dutch 'per ton' prices waste.
# The index keeps them as it always did; a short question's measures leave them out (appliance.ask.asked.light_words):
# they name nothing a passage is about, and a corpus that never writes 'ik heb', 'bij ons' or 'je suis' would weigh
# them as its rarest words. Not 'willen', 'moeten', 'vouloir', 'pouvoir', 'want': those say something. Nor adverbs
# such as 'gewoon', 'heel' or 'bien', which are adjectives or nouns too ('gewoon' for the normal procedure).
FUNCTION_WORDS = frozenset(
    ["ben", "bent", "heb", "hebt", "hadden", "waren", "werden", "zult", "zullen", "zouden", "kun", "kunt", "kon",
     "konden", "suis", "sommes", "etes", "etais", "etaient", "avons", "avez", "avais", "avait", "avaient",
     "mij", "ons", "jullie", "zich", "jouw", "jou", "hen", "mezelf", "zichzelf", "mon", "mes", "tes", "notre",
     "nos", "votre", "vos", "moi", "toi", "eux", "our", "your", "yours", "his", "her", "him", "them",
     "iets", "niets", "iemand", "niemand", "ergens", "nergens", "quelque", "quelqu", "chose", "rien", "something",
     "anything", "nothing", "someone", "anyone", "somewhere", "anywhere"]
)

# A word: letters/digits (any script). CJK and similar scripts have no spaces, so each of their
# characters is its own token (unigrams match where whole runs never would).
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NO_SPACE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")

_local = threading.local()  # Stemmer objects are not thread-safe


def _stemmer(language: str) -> Stemmer.Stemmer:
    cache = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    name = STEMMER_NAMES.get(language, STEMMER_NAMES[DEFAULT_LANGUAGE])
    if name not in cache:
        cache[name] = Stemmer.Stemmer(name)
    return cache[name]


@lru_cache(maxsize=1)
def _combining_marks() -> dict[int, None]:
    """str.translate table deleting every combining mark (built once, on first use)."""
    return {cp: None for cp in range(0x300, 0x10000) if unicodedata.combining(chr(cp))}


def fold(text: str) -> str:
    """Lowercase and strip accents: 'Éénmalige' -> 'eenmalige' (NFKD, combining marks dropped)."""
    lowered = text.casefold()
    if lowered.isascii():  # most Dutch text: nothing to decompose
        return lowered
    return unicodedata.normalize("NFKD", lowered).translate(_combining_marks())


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:
    return fold(word)


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded word) for each word of `text`, offsets in the original string."""
    for m in _WORD.finditer(text):
        word = m.group(0)
        if _NO_SPACE_SCRIPT.search(word):
            for i, ch in enumerate(word):
                yield m.start() + i, m.start() + i + 1, fold(ch)
            continue
        folded = _fold_word(word)
        # Folding can split a character into letters plus marks only; re-check it is still a word.
        if folded and len(folded) <= MAX_TOKEN_CHARS:
            yield m.start(), m.end(), folded


def _language_key(language: str) -> str:
    return (language or "").split("-")[0].lower()


def analyze(text: str, language: str = "") -> str:
    """Space-joined, folded, stemmed terms of `text` for the FTS index (stopwords removed)."""
    lang = _language_key(language)
    lang = lang if lang in STEMMER_NAMES else DEFAULT_LANGUAGE
    stop = STOPWORDS[lang]
    words = [w for w in _folded_words(fold(text)) if w not in stop]
    return " ".join(_stemmer(lang).stemWords(words))


def _folded_words(folded: str) -> Iterator[str]:
    """Words of already-folded text (folding the whole text once is much faster than per word)."""
    for m in _WORD.finditer(folded):
        word = m.group(0)
        if _NO_SPACE_SCRIPT.search(word):
            yield from word
        elif len(word) <= MAX_TOKEN_CHARS:
            yield word


MIN_VERB_CHARS = 4  # a word this long ending in -t may be a Dutch verb's present tense ('legt')


@lru_cache(maxsize=100_000)
def term_variants(word: str) -> frozenset[str]:
    """Every stem a folded word can have in the supported languages (used for queries and marks).
    A Dutch verb's present tense ends in -t after its stem, which Snowball keeps after a long vowel
    or a double consonant's reduction: 'betaalt', 'legt', 'vraagt' stay whole while 'betalen',
    'leggen', 'vragen' give 'betaal', 'leg', 'vraag'. The stem without the -t is a variant too, so
    'wie … betaalt' carries the question's 'moet … betalen'. A word that is no verb gains a stem that
    few words have ('kost' -> 'kos'); the variants are OR-ed, so its own stem still matches."""
    out = {_stemmer(lang).stemWord(word) for lang in STEMMER_NAMES}
    if len(word) >= MIN_VERB_CHARS and word.endswith("t") and word[-2] != "t" and word.isalpha():
        out.add(_stemmer("nl").stemWord(word[:-1]))
    return frozenset(out)


def query_terms(query: str) -> list[str]:
    """Distinct search terms of a query, in query order; stopwords dropped unless nothing else is left."""
    words = list(_folded_words(fold(query)))
    content = [w for w in words if w not in ALL_STOPWORDS] or words
    seen: dict[str, None] = {}
    for word in content:
        for term in sorted(term_variants(word)):
            seen.setdefault(term, None)
        if len(seen) >= MAX_QUERY_TERMS:
            break
    return list(seen)[:MAX_QUERY_TERMS]


def keyword_terms(query: str) -> list[str]:
    """The query's terms for BM25, once per occurrence of their word: FTS5 scores a term as often as it
    is in the MATCH expression, so a word a long question repeats weighs more (its query frequency).
    A query that repeats no word (after stemming) gets `query_terms`."""
    kept = set(query_terms(query))
    words = list(_folded_words(fold(query)))
    content = [w for w in words if w not in ALL_STOPWORDS] or words
    out = [term for word in content for term in sorted(term_variants(word)) if term in kept]
    return out[: 2 * MAX_QUERY_TERMS]


def scope_token(collection_id: int) -> str:
    """The token a chunk's collection is indexed under in chunk_fts.scope ('c12')."""
    return f"c{int(collection_id)}"


def fts_match_expression(terms: list[str], collection_ids: ReadScope | Collection[int] | None = None) -> str:
    """An FTS5 MATCH expression that ORs the terms, each quoted so no input is ever FTS5 syntax;
    with a scope, only rows it may read match (the permission filter; plain collection ids: only
    the documents without their own readers, see appliance.index.acl)."""
    any_term = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    if collection_ids is None:
        return any_term
    return f"terms : ({any_term}) AND {scope_match(as_scope(collection_ids))}"


def as_scope(scope: ReadScope | Collection[int]) -> ReadScope:
    return scope if isinstance(scope, ReadScope) else ReadScope(tuple(sorted(int(c) for c in scope)), ())


def match_spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Offsets of the words of `text` whose analysed form is one of `terms` ('vergunningen' ~ 'vergunning')."""
    if not terms:
        return []
    spans = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        if _NO_SPACE_SCRIPT.search(word):
            spans += [(m.start() + i, m.start() + i + 1) for i, ch in enumerate(word) if _raw_variants(ch) & terms]
        elif _raw_variants(word) & terms:
            spans.append((m.start(), m.end()))
    return spans


@lru_cache(maxsize=100_000)
def _raw_variants(word: str) -> frozenset[str]:
    """Stems of a word as it appears in text (one cache lookup per word when marking snippets)."""
    folded = _fold_word(word)
    return term_variants(folded) if folded and len(folded) <= MAX_TOKEN_CHARS else frozenset()


def snippet(text: str, terms: set[str], width: int = 240) -> tuple[str, list[tuple[int, int]]]:
    """The `width`-character window of `text` with the most matches, and the match offsets inside it.

    Returns plain text (with '…' where trimmed); callers escape it and wrap the offsets in marks.
    """
    spans = match_spans(text, terms)
    if len(text) <= width:
        return text, spans
    best_start, best_count = 0, 0
    for i, (start, _) in enumerate(spans):
        count = sum(1 for s, e in spans[i:] if e <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    # Some context before the first match; snap both ends to whitespace so words stay whole.
    lo = max(0, best_start - width // 5) if best_count else 0
    if lo > 0:
        space = text.rfind(" ", max(0, lo - 20), lo + 1)
        lo = space + 1 if space >= 0 else lo
    hi = min(len(text), lo + width)
    if hi < len(text):
        space = text.rfind(" ", lo + width // 2, hi)
        hi = space if space > lo else hi
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    inside = [(s - lo + len(prefix), e - lo + len(prefix)) for s, e in spans if s >= lo and e <= hi]
    return prefix + text[lo:hi] + suffix, inside


def content_words(text: str) -> list[str]:
    """The folded words of `text` that carry meaning, in order: no stopwords, no one- or two-letter
    words except numbers."""
    return [w for w in _WORD.findall(fold(text)) if w not in ALL_STOPWORDS and (len(w) > 2 or w.isdigit())]


# --- how much of a query a passage carries (Ask's relevance gate and the search page) -------------


def terms_of(words: Iterable[str]) -> set[str]:
    """Every stem variant of `words` (folded words)."""
    out: set[str] = set()
    for word in set(words):
        out |= term_variants(word)
    return out


MIN_HEAD = 4  # letters of a compound's last part, and of what comes before it ('werk' + 'dagen')


def passage_terms(text: str, counted: str = "") -> set[str]:
    """The terms a passage carries: its words' stems; and `counted`, the thing a 'how many' question
    counts (appliance.ask.asked.counted), where one of its words is a compound ending in it: a passage
    in 'werkdagen' or 'kalenderdagen' counts the question's 'dagen'. Only the counted thing: a
    compound names a kind of its last part, and a passage about the 'omgevingsvergunning' does not
    answer what a permit for a terrace costs. The part is at least MIN_HEAD letters, as is what comes
    before it ('toujours' counts no 'jours')."""
    words = content_words(text)
    out = terms_of(words)
    if len(counted) >= MIN_HEAD and any(len(w) - len(counted) >= MIN_HEAD and w.endswith(counted) for w in words):
        out |= term_variants(counted)
    return out


def weighted_coverage(words: Collection[str], weights: Mapping[str, float], terms: set[str]) -> float:
    """Share of `words` found among a passage's `terms`, each word weighted (1.0 when unweighted)."""
    total = sum(weights.get(w, 1.0) for w in words)
    found = sum(weights.get(w, 1.0) for w in words if term_variants(w) & terms)
    return found / total if total else 0.0


def fts_idf(session: Any, words: Iterable[str], scope: ReadScope | Collection[int], max_words: int) -> dict[str, float]:
    """log((N + 1) / (df + 1)) + 1 per word (at most `max_words`), N and df counted in the keyword
    index over the `scope` collections only: counts over every collection would tell how common a
    word is in documents the reader cannot see (issue 19)."""
    read = as_scope(scope)
    if not read.collections:
        return {}
    index = keyword_index(session)
    n = index.count(session, read)
    chosen = list(dict.fromkeys(words))[:max_words]
    dfs = index.counts(session, read, [sorted(term_variants(word)) for word in chosen])
    return {word: math.log((n + 1) / (df + 1)) + 1.0 for word, df in zip(chosen, dfs, strict=True)}
