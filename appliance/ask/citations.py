"""Citation check: every sentence that reaches the user must be backed by a source it cites.

Per sentence of a generated answer:
1. citation numbers that do not exist among the given sources are removed (`invented`);
2. one cited passage sentence (or two adjacent ones) must carry the sentence's claim (`claims.py`):
   its numbers with their units and bounds, its names, qualifiers and the question's words in that
   unit, each figure with the words of its own clause, the same polarity, and enough of its content
   words (accent-folded, stemmed in nl/fr/en, so 'vergunningen' ~ 'vergunning'); an optional
   embedding cosine can rescue a translation whose digits all occur in the cited passages;
3. a sentence without a (valid) citation is attributed to the source that supports it best, if one
   does; otherwise it is dropped.
Unsupported sentences are dropped, and the result says which and why (for the audit record).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from appliance.ask.claims import PassageClaims, claim_support
from appliance.ask.claims import tokens as claim_tokens
from appliance.index.text import content_words, term_variants

MIN_SUPPORT = 0.6  # share of a sentence's content words found in its cited passages
MIN_COSINE = 0.80  # embedding similarity that counts as support on its own (paraphrase)

_CITE = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;-]\s*\d{1,3})*)\s*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])((?:\s*\[[\d,;\s-]+\])*)\s+(?=\S)")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|[a-z][.)])\s+")
MIN_WORDS = 2  # non-numeric content words a sentence needs to be checked at all

Similarity = Callable[[str, str], float]


@dataclass
class SentenceCheck:
    text: str  # the sentence without its citation markers
    cited: list[int]  # valid numbers it cites (after attribution)
    invented: list[int] = field(default_factory=list)
    written: list[int] = field(default_factory=list)  # the numbers as the model wrote them
    support: float = 0.0  # best lexical support among the cited passages
    kept: bool = False
    reason: str = ""  # ok | attributed | invented_only | unsupported | missing_number_or_subject |
    #                   claim_mismatch | no_source | fragment | repeat

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "cited": self.cited, "invented": self.invented,
                "support": round(self.support, 3), "kept": self.kept, "reason": self.reason}


@dataclass
class CheckResult:
    sentences: list[SentenceCheck]

    @property
    def kept(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.kept]

    @property
    def text(self) -> str:
        """The answer as shown: supported sentences only, each followed by its citations."""
        parts = []
        for s in self.kept:
            marks = "".join(f"[{n}]" for n in s.cited)
            body, end = (s.text[:-1], s.text[-1]) if s.text[-1:] in ".!?" else (s.text, "")
            parts.append(f"{body} {marks}{end}".strip())
        return " ".join(parts)

    @property
    def cited_numbers(self) -> list[int]:
        return sorted({n for s in self.kept for n in s.cited})

    @property
    def all_passed(self) -> bool:
        """Every generated sentence passed as written: no invented number, none dropped."""
        claims = [s for s in self.sentences if s.reason not in ("fragment", "repeat") or s.invented]
        return bool(claims) and all(s.kept and not s.invented and s.reason == "ok" for s in claims)

    @property
    def model_citations_passed(self) -> bool:
        """The model cited, and every number it wrote exists and supports its sentence (sentences
        it left uncited are not counted here; they were attributed or dropped)."""
        cited = [s for s in self.sentences if s.written and s.reason != "repeat"]
        return bool(cited) and all(s.kept and s.reason == "ok" and not s.invented for s in cited)

    def as_dict(self) -> dict[str, object]:
        return {"all_passed": self.all_passed, "model_citations_passed": self.model_citations_passed,
                "sentences": [s.as_dict() for s in self.sentences]}


def split_sentences(text: str) -> list[str]:
    """Sentences with their citation markers: trailing ('Zo is het. [1] Verder …') or, when the
    model writes them first ('[1] Zo is het. [2] Verder …'), leading."""
    out: list[str] = []
    leading = text.lstrip().startswith("[") and bool(_CITE.match(text.lstrip()))
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)]|\[\d+\])\s)", text.strip()):
        block = " ".join(block.split())
        if not block:
            continue
        if leading:
            out += [p.strip() for p in re.split(r"(?<=[.!?])\s+(?=\S)", block)]
            continue
        start = 0
        for m in _SENTENCE_END.finditer(block):
            out.append(block[start:m.end(1) if m.group(1) else m.start()].strip())
            start = m.end()
        out.append(block[start:].strip())
    return [s for s in out if s and _WORD.search(_CITE.sub("", s))]


def parse_citations(sentence: str) -> tuple[str, list[int]]:
    """(sentence without markers, cited numbers in order); '[1-3]' and '[1, 2]' both expand."""
    numbers: list[int] = []
    for m in _CITE.finditer(sentence):
        for part in re.split(r"\s*[,;]\s*", m.group(1)):
            if "-" in part:
                lo, _, hi = part.partition("-")
                a, b = int(lo), int(hi)
                numbers += list(range(a, b + 1)) if 0 < b - a < 10 else [a, b]
            elif part.strip():
                numbers.append(int(part))
    plain = _CITE.sub("", sentence)
    plain = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(plain.split()))
    return plain.strip(), list(dict.fromkeys(numbers))


class PassageTerms:
    """Stem variants and numbers of one passage, computed once per answer."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.terms: set[str] = set()
        for w in set(content_words(text)):
            self.terms |= term_variants(w)
        self.numbers = {_norm_number(n) for n in _NUMBER.findall(text)}


def _norm_number(n: str) -> str:
    return re.sub(r"[.,]", "", n)


def lexical_support(sentence: str, passages: list[PassageTerms],
                    focus: frozenset[str] = frozenset()) -> tuple[float, bool]:
    """(share of content words found in the passages, all numbers and focus words found).

    `focus` holds the question's terms: a sentence that names the question's subject ('zwembad')
    while the passage never does is about something else, however many other words it shares."""
    words = content_words(sentence)
    terms: set[str] = set().union(*(p.terms for p in passages)) if passages else set()
    numbers: set[str] = set().union(*(p.numbers for p in passages)) if passages else set()
    sentence_numbers = {_norm_number(n) for n in _NUMBER.findall(sentence)}
    numbers_ok = sentence_numbers <= numbers
    if not words:
        return 1.0, numbers_ok
    found = [bool(term_variants(w) & terms) for w in words]
    off_topic = any(not f and term_variants(w) & focus for w, f in zip(words, found, strict=True))
    return sum(found) / len(words), numbers_ok and not off_topic


def check_answer(
    text: str,
    sources: Mapping[int, str],
    *,
    min_support: float = MIN_SUPPORT,
    similarity: Similarity | None = None,
    min_cosine: float = MIN_COSINE,
    question: str = "",
) -> CheckResult:
    """Check `text` against `sources` ({number: passage}); see the module docstring. `similarity`
    (e.g. an embedding cosine) rescues paraphrases and translations: pass it when the answer's
    language differs from the sources'. `question` enables the question-word rule."""
    passages = {n: PassageClaims(t) for n, t in sources.items()}
    focus = frozenset().union(*(term_variants(w) for w in set(content_words(question)))) \
        if question and similarity is None else frozenset()
    checks: list[SentenceCheck] = []
    said: set[str] = set()
    for raw in split_sentences(text):
        plain, numbers = parse_citations(_LIST_MARKER.sub("", raw))
        key = " ".join(content_words(plain))
        if key in said:  # a small model repeating itself: the answer says it once
            checks.append(SentenceCheck(text=plain, cited=[], reason="repeat", written=numbers))
            continue
        if plain.endswith("?") or sum(1 for w in content_words(plain) if not w.isdigit()) < MIN_WORDS:
            # A list number, a lone "Ja." or a (copied) question carries no checkable claim.
            checks.append(SentenceCheck(text=plain, cited=[], reason="fragment", written=numbers,
                                        invented=[n for n in numbers if n not in passages]))
            continue
        said.add(key)
        valid = [n for n in numbers if n in passages]
        sc = SentenceCheck(text=plain, cited=valid, invented=[n for n in numbers if n not in passages],
                           written=numbers)
        if valid:
            sc.support, why = _claim(plain, [passages[n] for n in valid], focus, min_support)
            if why and similarity is not None and _rescued(plain, [passages[n] for n in valid],
                                                          similarity, min_cosine):
                why = ""
            sc.kept, sc.reason = (True, "ok") if not why else (False, why)
        if not sc.kept:
            _attribute(sc, passages, min_support, focus, had_citation=bool(numbers))
        checks.append(sc)
    return CheckResult(checks)


def _claim(sentence: str, cited: list[PassageClaims], focus: frozenset[str], min_support: float
           ) -> tuple[float, str]:
    return claim_support(sentence, cited, focus, min_support)


def _rescued(sentence: str, cited: list[PassageClaims], similarity: Similarity, min_cosine: float) -> bool:
    """A translation shares few words with its source: an embedding cosine may carry it, but every
    figure written in digits must still be in a cited passage."""
    digits = {t.number for t in claim_tokens(sentence) if t.number and t.word[:1].isdigit()}
    numbers_ok = digits <= set().union(*(c.numbers for c in cited))  # '€ 85' is '€ 85,00'
    return numbers_ok and max(similarity(sentence, c.text) for c in cited) >= min_cosine


def _attribute(sc: SentenceCheck, passages: Mapping[int, PassageClaims], min_support: float,
               focus: frozenset[str], *, had_citation: bool) -> None:
    """Give an uncited (or wrongly cited) sentence the one source that carries its claim, if any."""
    best, best_support = 0, 0.0
    for n, p in passages.items():
        support, why = _claim(sc.text, [p], focus, min_support)
        if not why and support > best_support:
            best, best_support = n, support
    if best and content_words(sc.text):
        sc.cited, sc.support, sc.kept = [best], best_support, True
        sc.reason = "attributed"
        return
    sc.cited = []
    if not sc.reason:
        sc.reason = "invented_only" if had_citation else "no_source"
