"""Claim-level support: one cited passage sentence (or two adjacent ones) must carry the claim.

Bag-of-words support over a whole passage lets a figure travel: "the first card costs € 50" has
every word in "the first card is free, a second card costs € 50". Here a sentence is compared with
each *unit* of its cited passages: a sentence, a table or list row, a heading, or two adjacent
prose sentences of one section (never two rows); the heading path (title > section) is context for
the units under it. A unit carries the claim only when:
- every number of the sentence is in the unit, with the same unit of measure and the same small
  words that bound it ('van 9 tot 18 uur', 'vanaf 12 jaar'), in the same order; 'twee' counts as 2
  and '€ 85' is '€ 85,00';
- no content word of the sentence sits elsewhere in the cited passages but not in the unit (a
  qualifier taken from another row: 'normale' where the unit says 'dringende'); no name, no listed
  qualifier (`claim_words.QUALIFIERS`: order, urgency, extremes, age, days, months, ...) and no word
  of the question is missing from it (a transplanted subject); across two sentences a qualifier
  sits in the one that carries the rest of the claim;
- the words bound to a figure are not, in the unit, bound to another figure (the clause rule:
  'eerste' belongs to 'gratis', not to '€ 50'; '€ 150 voor de gewone' is not '€ 50 voor de gewone');
- the polarity agrees: a word negated on one side and present on the other is negated there too;
- enough of its content words occur in the unit (the paraphrase tolerance, `min_support`).
Measured by bench/claims_set.py and bench/claims_bench.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from appliance.ask.claim_words import (
    ARTICLES,
    BOUNDS,
    CURRENCIES,
    NEGATIONS,
    NUMBER_WORDS,
    QUALIFIERS,
    UNITS,
    VALUE_WORDS,
)
from appliance.ask.passages import blocks, rows_of
from appliance.index.text import ALL_STOPWORDS, fold, term_variants

OK = ""
MISSING = "missing_number_or_subject"  # a number, name or question word the unit lacks
MISMATCH = "claim_mismatch"  # qualifier, unit, polarity or figure bound elsewhere
UNSUPPORTED = "unsupported"  # too few of its words in any unit

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[€%$£]|[,;:()–—]", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")
_CLAUSE = frozenset(",;:()–—")
SECOND = 1000  # clause numbers of a unit's second sentence start here
_WINDOW = 3  # tokens around a number in the unit where its bounding words must be



def norm_number(raw: str) -> str:
    """'85,00' and '85' are one amount; '84.000' is 84000; '2,5' is 2.5."""
    s = re.sub(r"[.,]0{1,2}$", "", raw)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", s):
        return re.sub(r"[.,]", "", s)
    return s.replace(",", ".")


@dataclass(frozen=True)
class Tok:
    word: str  # folded
    number: str  # normalised number ('' when not a number)
    clause: int
    cap: bool  # written with a capital (a name when not the first word)

    @property
    def figure(self) -> str:
        return self.number or (self.word if self.word in VALUE_WORDS else "")


def tokens(text: str, clause0: int = 0) -> list[Tok]:
    out: list[Tok] = []
    clause = clause0
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        if raw in _CLAUSE:
            clause += 1
            continue
        w = fold(raw)
        number = norm_number(raw) if raw[0].isdigit() else NUMBER_WORDS.get(w, "")
        out.append(Tok(w, number, clause, raw[0].isupper()))
    return out


def is_content(t: Tok) -> bool:
    return bool(t.number) or (t.word not in ALL_STOPWORDS and len(t.word) > 2 and t.word not in NEGATIONS)


def _variants(words: list[str]) -> set[str]:
    out: set[str] = set()
    for w in words:
        out |= term_variants(w)
    return out


@dataclass
class Unit:
    toks: list[Tok]
    terms: set[str]  # stem variants of its words and of the headings above it
    parts: tuple[set[str], ...] = ()  # for two sentences: the stem variants of each

    @property
    def numbers(self) -> set[str]:
        return {t.number for t in self.toks if t.number}


class PassageClaims:
    """A cited passage cut into units (each sentence, each pair of adjacent sentences)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.units: list[Unit] = []
        sentences = _sentences(text)
        for i, (toks, ctx, row) in enumerate(sentences):
            self.units.append(Unit(toks, _variants([t.word for t in toks]) | ctx))
            # Never across a heading, never two rows: one row's figure is not the next row's.
            if i + 1 < len(sentences) and sentences[i + 1][1] is ctx and not (row or sentences[i + 1][2]):
                nxt = [Tok(t.word, t.number, t.clause + SECOND, t.cap) for t in sentences[i + 1][0]]
                both = toks + nxt
                parts = (_variants([t.word for t in toks]), _variants([t.word for t in nxt]))
                self.units.append(Unit(both, parts[0] | parts[1] | ctx, parts))
        self.terms: set[str] = set().union(*(u.terms for u in self.units)) if self.units else set()
        self.numbers: set[str] = set().union(*(u.numbers for u in self.units)) if self.units else set()


def _sentences(text: str) -> list[tuple[list[Tok], set[str], bool]]:
    """The passage's sentences, each with the terms of the heading above it (its context) and
    whether it is a table or list row. A line break inside a paragraph is no sentence end; a
    heading line, a blank line or the end of a row is."""
    out: list[tuple[list[Tok], set[str], bool]] = []
    context: set[str] = set()
    top: set[str] = set()
    for i, (head, block) in enumerate(blocks(text)):
        if head:
            heading = tokens(head)
            # The heading path: the passage's title stays context under every section below it.
            context = _variants([t.word for t in heading if is_content(t)]) | (top if i else set())
            top = context if i == 0 else top
            out.append((heading, set(), True))  # a unit of its own too: a passage may be only a title
        for row, is_row in rows_of(block):
            for s in _SENTENCE.split(row):
                toks = tokens(s)
                if toks:
                    out.append((toks, context, is_row))
    return out


def claim_support(sentence: str, passages: list[PassageClaims],
                  question_terms: frozenset[str] = frozenset(),
                  min_support: float = 0.6) -> tuple[float, str]:
    """(support in the best unit, '' when a unit carries the claim, else the reason code)."""
    s_toks = tokens(sentence)
    content = [t for t in s_toks if is_content(t)]
    if not content or not passages:
        return (1.0, OK) if not content else (0.0, UNSUPPORTED)
    elsewhere = set().union(*(p.terms for p in passages))
    best: tuple[float, str] = (0.0, UNSUPPORTED)
    rank = {OK: 3, MISMATCH: 2, MISSING: 1, UNSUPPORTED: 0}
    for p in passages:
        for unit in p.units:
            support, reason = _fits(s_toks, content, unit, elsewhere, question_terms)
            if reason == OK and support < min_support:
                reason = UNSUPPORTED
            if (rank[reason], support) > (rank[best[1]], best[0]):
                best = (support, reason)
            if reason == OK and support == 1.0:
                return best
    return best


def _fits(s_toks: list[Tok], content: list[Tok], unit: Unit, elsewhere: set[str],
          question_terms: frozenset[str]) -> tuple[float, str]:
    found = 0
    for i, t in enumerate(s_toks):
        if not is_content(t):
            continue
        if t.number:
            if t.number not in unit.numbers:
                return 0.0, MISSING
            found += 1
            continue
        v = term_variants(t.word)
        if _substituted(s_toks, i, unit.toks):
            return 0.0, MISMATCH
        if v & unit.terms:
            found += 1
            continue
        if v & question_terms or (t.cap and i > 0):
            return 0.0, MISSING
        if v & elsewhere or t.word in VALUE_WORDS or t.word in QUALIFIERS:
            return 0.0, MISMATCH
    support = found / len(content)
    if unit.parts and not _qualifiers_anchored(s_toks, unit.parts):
        return support, MISMATCH
    if not (_figures_bound(s_toks, unit.toks) and _polarity_agrees(s_toks, unit.toks)):
        return support, MISMATCH
    return support, OK


def _same(a: Tok, b: Tok) -> bool:
    return a.word == b.word or bool(a.number and a.number == b.number)


def _run(s_toks: list[Tok], i: int, u: list[Tok], j: int, step: int) -> list[Tok]:
    """The tokens next to s_toks[i] and u[j] (step -1: before, +1: after) that are the same in both,
    at most two."""
    out: list[Tok] = []
    for k in (1, 2):
        a, b = i + step * k, j + step * k
        if not (0 <= a < len(s_toks) and 0 <= b < len(u)) or not _same(s_toks[a], u[b]):
            break
        out.append(s_toks[a])
    return out


def _substituted(s_toks: list[Tok], i: int, u: list[Tok]) -> bool:
    """The unit says something else in the very place of this word: 'een oude kaart' where it has
    'een nieuwe kaart', 'van zaterdag tot en met' where it has 'van maandag tot en met'. A place is
    the same when the words on both sides are (two in all with a content word among them, else
    three); the sentence's own word must not also stand in such a place."""
    w = s_toks[i]
    near = s_toks[max(i - 1, 0): i + 2]
    if any(t.number or t.word in "€%$£" for t in near):
        return False  # the predicate of a figure ('kost' / 'bedraagt € 50'): the figure rules judge it
    wv = term_variants(w.word)
    own = other = False
    for j, x in enumerate(u):
        left, right = _run(s_toks, i, u, j, -1), _run(s_toks, i, u, j, 1)
        if i == len(s_toks) - 1 and (j == len(u) - 1 or (x.clause < SECOND <= u[j + 1].clause)):
            right = [w]  # both end their sentence: the end is the same on that side
        if not (left and right) or (len(left) + len(right) < 3 and not any(is_content(t) for t in left + right)):
            continue
        if x.word == w.word or term_variants(x.word) & wv:
            own = True
        elif is_content(x) and not x.number and not any(t.word == x.word for t in s_toks):
            other = True  # (a word the sentence also has elsewhere: a reordered list, not a swap)
    return other and not own


def _qualifiers_anchored(s_toks: list[Tok], parts: tuple[set[str], ...]) -> bool:
    """Across two sentences, a qualifier must sit in the sentence that carries the rest of the
    claim ('Minderjarigen komen met een ouder. ... geldig voor volwassenen' is no support for
    'Volwassenen komen met een ouder')."""
    plain = [term_variants(t.word) for t in s_toks if is_content(t)
             and t.word not in QUALIFIERS and t.word not in VALUE_WORDS]
    hits = [sum(1 for v in plain if v & part) for part in parts]
    anchor = parts[hits.index(max(hits))]
    return all(term_variants(t.word) & anchor for t in s_toks
               if (t.word in QUALIFIERS or t.word in VALUE_WORDS) and term_variants(t.word) & (parts[0] | parts[1]))


def _bounds(toks: list[Tok], i: int, step: int) -> list[str]:
    """The unit and bounding words right before (step -1) or after (+1) the number at `i`:
    '12 jaar' -> ['year'], '36 jours avant' -> ['day', 'avant'] (articles skipped)."""
    out: list[str] = []
    j = i + step
    while 0 <= j < len(toks) and toks[j].clause == toks[i].clause and not toks[j].number and len(out) < 2:
        w = toks[j].word
        # A unit word follows its number ('50 euro', '9 u'); before it only a currency or a sign
        # ('€ 50'): 'betaalt u 58 euro' has no unit 'u'.
        if w in UNITS and not out and (step > 0 or w in CURRENCIES or not w.isalpha()):
            out.append(UNITS[w])
        elif w in BOUNDS:
            out.append(w)
            break
        elif w not in ARTICLES:
            break
        j += step
    return out


def _side(toks: list[Tok], j: int, step: int) -> set[str]:
    lo, hi = (max(0, j - _WINDOW), j) if step < 0 else (j + 1, j + _WINDOW + 1)
    return {UNITS.get(t.word, t.word) for t in toks[lo:hi] if t.clause == toks[j].clause}


def _after(toks: list[Tok], i: int) -> set[str]:
    """Content words after the figure at `i`, up to the next figure or the clause's end."""
    out: set[str] = set()
    for t in toks[i + 1:]:
        if t.clause != toks[i].clause or t.figure:
            break
        if is_content(t):
            out |= term_variants(t.word)
    return out


def _figures_bound(s_toks: list[Tok], u: list[Tok]) -> bool:
    """Each figure keeps its unit, its bounds and the words of its clause and segment."""
    for i, t in enumerate(s_toks):
        if not t.figure:
            continue
        before, after = _bounds(s_toks, i, -1), _bounds(s_toks, i, 1)
        places = [j for j, x in enumerate(u) if x.figure == t.figure
                  and set(before) <= _side(u, j, -1) and set(after) <= _side(u, j, 1)]
        if not places:
            return False
        clause_words = {x.word for x in s_toks if x.clause == t.clause and is_content(x) and not x.figure}
        own = {x.figure for x in s_toks if x.clause == t.clause and x.figure}
        mine = _after(s_toks, i)
        if not any(_clause_words_free(clause_words, own, u, u[j].clause)
                   and _segment_kept(mine, u, j) for j in places):
            return False
    return _order_kept(s_toks, u)


def _order_kept(s_toks: list[Tok], u: list[Tok]) -> bool:
    """Two figures of one clause keep their order ('13 % en 14 %, respectievelijk')."""
    figs = [t for t in s_toks if t.figure]
    for a, b in pairwise(figs):
        if a.clause != b.clause or a.figure == b.figure:
            continue
        pa = [j for j, x in enumerate(u) if x.figure == a.figure]
        pb = [j for j, x in enumerate(u) if x.figure == b.figure]
        if len({u[j].clause for j in pa + pb}) == 1 and max(pb) < min(pa):
            return False
    return True


def _segment_kept(mine: set[str], u: list[Tok], j: int) -> bool:
    """The words after a figure in the sentence are not, in the unit, the words after another
    figure of the same clause ('€ 150 voor de gewone, € 50 voor de vereenvoudigde')."""
    here = _after(u, j)
    for k, x in enumerate(u):
        if (k != j and x.figure and x.clause == u[j].clause and x.figure != u[j].figure
                and (mine - here) & _after(u, k)):
            return False
    return True


def _clause_words_free(words: set[str], own: set[str], u: list[Tok], home: int) -> bool:
    """False when a word of the sentence's clause sits, in the unit, only in clauses that hold
    another figure (and not in the figure's own clause)."""
    home_terms = _variants([x.word for x in u if x.clause == home])
    for w in words:
        v = term_variants(w)
        if v & home_terms:
            continue
        clauses = {x.clause for x in u if term_variants(x.word) & v}
        if clauses and all(any(x.figure and x.figure not in own for x in u if x.clause == c) for c in clauses):
            return False
    return True


def _negated(toks: list[Tok]) -> tuple[bool, set[str]]:
    """(any negation, stem variants of the words a negation governs: the next content word)."""
    governed: set[str] = set()
    found = False
    for j, t in enumerate(toks):
        if t.word in NEGATIONS:
            found = True
            after = [x for x in toks[j + 1:] if is_content(x) and x.clause == t.clause]
            before = [x for x in toks[:j] if is_content(x) and x.clause == t.clause]
            # 'geen garage', 'is niet vrij'; at a clause's end ('… verlengd worden niet') the verb before.
            for x in after[:1] or before[-1:]:
                governed |= term_variants(x.word)
    return found, governed


def _polarity_agrees(s_toks: list[Tok], u: list[Tok]) -> bool:
    """A word negated on one side and present on the other must be negated there too."""
    s_neg, s_gov = _negated(s_toks)
    u_neg, u_gov = _negated(u)
    s_terms = _variants([t.word for t in s_toks if is_content(t)])
    u_terms = _variants([t.word for t in u if is_content(t)])
    if s_neg and not u_neg:
        return False
    return not ((s_gov & u_terms) - u_gov) and not ((u_gov & s_terms) - s_gov)
