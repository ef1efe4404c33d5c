"""Readability: sentence and word statistics and one formula per language.

- Dutch: Flesch–Douma (206.835 − 0.93 · words/sentence − 77 · syllables/word) and LIX
  (words/sentence + 100 · share of words longer than six letters);
- French: Kandel–Moles (207 − 1.015 · words/sentence − 73.6 · syllables/word);
- English: Flesch reading ease (206.835 − 1.015 · words/sentence − 84.6 · syllables/word).
Higher Flesch-type scores are easier; a lower LIX is easier. Syllables come from the hyphenation
patterns of pyphen (LibreOffice's dictionaries) for the text's language, and never fewer than the
word's vowel groups in Dutch (pyphen does not cut short words such as 'idee'). B1 texts aim at
short sentences (about 15 words on average, none much longer than 20) and few long words.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

LONG_SENTENCE_WORDS = 20  # a sentence longer than this is flagged for a B1 text
LONG_WORD_LETTERS = 6  # LIX's long word: more than this many letters
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+(?:[.,]\d+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”»)]*\s+|\n\s*\n|\n(?=\s*(?:[-*•]|\d{1,2}[.)])\s)")
_VOWELS = re.compile(r"[aeiouyàâäáéèêëíïîóôöúûüœæ]+", re.IGNORECASE)
_HYPHEN_LANG = {"nl": "nl_NL", "fr": "fr_FR", "en": "en_US"}


@cache
def _hyphenator(lang: str) -> Any:
    try:
        import pyphen
    except ImportError:  # pragma: no cover - pinned dependency; vowel groups still count
        return None
    return pyphen.Pyphen(lang=_HYPHEN_LANG.get(lang, "nl_NL"))


def syllables(word: str, lang: str = "nl") -> int:
    """Syllables of one word (a number counts as one)."""
    if not word or word[0].isdigit():
        return 1
    groups = len(_VOWELS.findall(word))
    if lang == "en" and word.lower().endswith("e") and groups > 1 and not word.lower().endswith("le"):
        groups -= 1  # silent final e: 'make', 'time'
    hyph = _hyphenator(lang)
    cut = len(hyph.positions(word)) + 1 if hyph is not None else 0
    if lang == "nl" or not cut:
        return max(1, cut, groups)
    return max(1, cut if len(word) > 3 else min(cut, groups) or 1)


def split_sentences(text: str) -> list[str]:
    """Sentences: after . ! ? with a space, at a blank line, and each list item."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip() and _WORD.search(s)]


def words_of(text: str) -> list[str]:
    return _WORD.findall(text or "")


@dataclass(frozen=True)
class Readability:
    language: str
    sentences: int
    words: int
    syllables: int
    words_per_sentence: float
    syllables_per_word: float
    letters_per_word: float
    long_words: float  # share of words with more than LONG_WORD_LETTERS letters
    long_sentences: int  # sentences over LONG_SENTENCE_WORDS words
    score: float  # the language's Flesch-type score: higher is easier
    formula: str
    lix: float  # lower is easier (all languages; its cut-offs are Scandinavian/Dutch practice)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


FORMULAS = {
    "nl": ("flesch-douma", 206.835, 0.93, 77.0),
    "fr": ("kandel-moles", 207.0, 1.015, 73.6),
    "en": ("flesch", 206.835, 1.015, 84.6),
}


def flesch_type(lang: str, words_per_sentence: float, syllables_per_word: float) -> float:
    _name, base, per_sentence, per_syllable = FORMULAS.get(lang, FORMULAS["nl"])
    return base - per_sentence * words_per_sentence - per_syllable * syllables_per_word


def lix(words: int, sentences: int, long_words: int) -> float:
    return (words / sentences + 100.0 * long_words / words) if words and sentences else 0.0


def measure(text: str, lang: str = "nl") -> Readability:
    """The statistics and scores of `text` read as `lang` (nl, fr, en; anything else as nl)."""
    lang = lang if lang in FORMULAS else "nl"
    sents = split_sentences(text)
    counts = [words_of(s) for s in sents]
    words = [w for ws in counts for w in ws]
    n_words, n_sents = len(words), len(sents)
    if not n_words:
        return Readability(lang, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, FORMULAS[lang][0], 0.0)
    n_syll = sum(syllables(w, lang) for w in words)
    letters = [sum(ch.isalpha() for ch in w) for w in words]
    long_n = sum(1 for n in letters if n > LONG_WORD_LETTERS)
    wps, spw = n_words / n_sents, n_syll / n_words
    return Readability(
        language=lang, sentences=n_sents, words=n_words, syllables=n_syll,
        words_per_sentence=round(wps, 2), syllables_per_word=round(spw, 3),
        letters_per_word=round(sum(letters) / n_words, 2), long_words=round(long_n / n_words, 3),
        long_sentences=sum(1 for ws in counts if len(ws) > LONG_SENTENCE_WORDS),
        score=round(flesch_type(lang, wps, spw), 1), formula=FORMULAS[lang][0],
        lix=round(lix(n_words, n_sents, long_n), 1))


def easier(after: Readability, before: Readability) -> bool:
    """`after` reads easier: a higher Flesch-type score (the language's own formula)."""
    return after.score > before.score
