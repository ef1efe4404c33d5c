"""Composed answers: a small model chooses source sentences, it does not write the answer.

The passages in the prompt are cut into candidate sentences (a table row or a list item is one candidate:
the chunker writes one line each, headers included), ranked by how much of the question they carry
(IDF-weighted words of the sentence with its heading path; across languages the embedding cosine), and
numbered 1..k. The model answers with the numbers of the sentences that answer the question
(appliance.ask.choosing), so nothing but existing numbers (or none) can come out. The answer is a fixed lead
in the question's language, then the chosen sentences as quotes with their citations (one from a passage in
another language says so): the source's own text cannot attach a figure to the wrong row, transplant a
subject or end in a broken citation; the claim check still runs (appliance.ask.citations).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from appliance.ask.asked import (
    asked_kind,
    asking_word,
    carries,
    clause_words,
    counted,
    counted_thing,
    hour_words,
    names_qualifiers,
    names_word,
    polar_words,
    subject_words,
)
from appliance.ask.days import at_days, gives_hour, named_days
from appliance.ask.matching import LONG_QUESTION_CHARS
from appliance.ask.passages import blocks, rows_of
from appliance.ask.prompts import REDACTED, neutralise
from appliance.ask.relevance import MIN_CLAUSE_WORDS, names_about, situated, situation_words
from appliance.index.text import content_words, passage_terms, term_variants, weighted_coverage

MAX_CANDIDATES = 8  # sentences shown to the model (prompt time dominates on 2 cores)
TABLE_ROWS = 2  # rows of one table among the first candidates (the rest follow the other sentences)
MAX_QUOTE_CHARS = 400  # a longer sentence is cut at a word boundary, marked with '…'
MIN_SCORE = 0.5  # a sentence in another language must be this close: its cosine reaches the threshold
MIN_QUOTE_WORDS = 3  # a candidate needs this many content words (no headings-only lines, no '1.')
MAX_LIST_ITEMS = 8  # items of a list quoted after the sentence that introduces it

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[(\"'«“]?[A-ZÀ-Ý0-9])|(?<=[a-zà-ÿ]{2}[.!?])(?=[A-ZÀ-Ý][a-zà-ÿ])")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|[a-z][.)])\s+|(?<=\s)[-*•]\s+(?=\S)")
_ENDS = tuple(".!?:;)")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)|`")



@dataclass(frozen=True)
class Passage:
    """One numbered source as the composer sees it."""

    number: int
    text: str
    context: str = ""  # heading path (title > section): part of what a row or item is about
    language: str = ""
    document: int = 0  # the document it is a passage of (candidates `lead`)


@dataclass
class Candidate:
    id: int
    source: int  # the Passage number it quotes
    text: str  # the source's own words
    score: float  # weighted share of the question's words it carries (0..1), or the cosine vote
    context: str = ""
    language: str = ""
    table: tuple[int, int] | None = None  # (passage, block) when it is a row of a table
    carried: float = 0.0  # weighted share of the question's words in the sentence with its heading path
    # Where the question first tells a situation (asked.asked_clause): the same share of the asking sentence's
    # words, where the sentence carries a word of the situation too; or of all its words with the situation's
    # weighing less (relevance.situated_relevance, the gate's measure of a passage); else 0.
    carried_clause: float = 0.0
    # The quotable sentence before it in its paragraph, and the share the two carry together where the question
    # asks a kind of fact (asked.asked_kind): 'Reserveer minstens drie weken vooraf.' answers 'how long' for
    # the 'nadarhekken' that the sentence before it names; a way, for what the source asks before it.
    previous: str = ""
    carried_previous: float = 0.0


Cosine = Callable[[str, Sequence[str]], list[float]]


def sentences_of(text: str) -> list[str]:
    """The passage's quotable sentences: table rows and list items whole, prose lines joined back
    into sentences (a wrapped line is no sentence end), markdown marks removed. Headings are not
    quotes (they are the context of what follows), nor are instruction-like sentences."""
    return [part for part, _, _ in _sentences(text)]


def _sentences(text: str) -> list[tuple[str, int | None, str]]:
    """sentences_of, each with the block it is a row of (None: not a row) and the quotable sentence
    right before it in its paragraph ('' for a row or a paragraph's first sentence)."""
    out: list[tuple[str, int | None, str]] = []
    pieces = [(row, is_row, b) for b, (_heading, block) in enumerate(blocks(text)) for row, is_row in rows_of(block)]
    for n, (row, is_row, b) in enumerate(pieces):
        parts = _SENTENCE.split(_row_text(row))
        previous = ""
        for k, part in enumerate(parts):
            part = part.strip().strip("…").strip()
            clean, hits = neutralise(part)
            last = n == len(pieces) - 1 and k == len(parts) - 1
            if not part or hits or REDACTED in clean or not _quotable(part, is_row, last):
                previous = ""
                continue
            if len(part) > MAX_QUOTE_CHARS:
                part = part[: MAX_QUOTE_CHARS - 1].rsplit(" ", 1)[0] + " …"
            elif last and not is_row and part[-1:] not in _ENDS:
                part += " …"  # the passage was cut in this sentence: the quote says so
            out.append((part, b if is_row else None, "" if is_row else previous))
            previous = part
    return out


def _quotable(part: str, is_row: bool, last: bool) -> bool:
    """A row, a sentence, or a longer line; not a caption ('Carte d'identité électronique') and not
    a short stub where the passage was cut."""
    if is_row or part[-1:] in _ENDS:
        return True
    figure = any(ch.isdigit() for ch in part)
    return (figure or len(part.split()) >= 8) if last else (figure or len(part.split()) >= 6)


def candidates(question: str, passages: Sequence[Passage], weights: Mapping[str, float], *,
               language: str = "", cosine: Cosine | None = None, threshold: float = 1.0,
               kind: str = "", limit: int = MAX_CANDIDATES, lead: int | None = None) -> list[Candidate]:
    """The best `limit` sentences of `passages` for `question`, best first, numbered 1..n; with `lead` (a
    document) that document's sentences first, each part best first. Lexical score: the question's words in
    the sentence or its heading path, weighted by rarity, times a share for the sentence itself (a heading
    alone does not answer). A passage in another language shares no words: there `cosine` scores, rescaled
    so that `threshold` (the engine's 'relevant' cosine) maps to 0.5; one below that (MIN_SCORE) is left out.
    A sentence must carry a fact of the asked `kind`; for a time on named weekdays, not only other days' hours."""
    asked, word = _asked_words(question), counted(question)
    days = named_days(question) if kind == "time" else frozenset()
    pool: list[Candidate] = []
    seen: set[str] = set()  # overlapping chunks repeat sentences: an answer never quotes one twice
    for p in passages:
        head = passage_terms(p.context, word)
        for text, block, previous in _sentences(p.text):
            own = passage_terms(text, word)
            key = " ".join(text.split()).lower()
            if len(own) < MIN_QUOTE_WORDS or key in seen or not carries(kind, text) or not at_days(days, text):
                continue
            seen.add(key)
            carried, clause, pair = _carried(asked, weights, own, head, previous, word, kind)
            measure = max(carried, pair) if kind == "way" else carried  # a way ranks with the sentence it is for
            lexical = measure * (0.5 + 0.5 * weighted_coverage(asked[0], weights, own))
            pool.append(Candidate(0, p.number, text, round(lexical, 4), p.context, p.language,
                                  None if block is None else (p.number, block), round(carried, 4), round(clause, 4),
                                  previous, round(pair, 4)))
    if cosine is not None and pool:
        cross = [c for c in pool if c.language and language and c.language != language]
        if cross:
            for c, v in zip(cross, cosine(question, [c.text for c in cross]), strict=True):
                c.score = max(c.score, round(max(0.0, 0.5 + (v - threshold) * 5), 4))
            # One that is not close in meaning is no candidate: it cannot answer, nor rank above (and
            # so hide) the sentences in the question's own language.
            far = {id(c) for c in cross if c.score < MIN_SCORE}
            pool = [c for c in pool if id(c) not in far]
    pool.sort(key=lambda c: -c.score)
    # The rows of one table share its headings, so they score alike: past its best TABLE_ROWS they
    # come after the other sentences, and a list item or a sentence elsewhere is not crowded out.
    shown: dict[tuple[int, int], int] = {}
    first: list[Candidate] = []
    later: list[Candidate] = []
    for c in pool:
        if c.table is not None:
            shown[c.table] = shown.get(c.table, 0) + 1
        (later if c.table is not None and shown[c.table] > TABLE_ROWS else first).append(c)
    ranked = _counted_first(question, first + later) if kind == "number" else first + later
    if lead is not None:
        of = {p.number: p.document for p in passages}
        ranked.sort(key=lambda c: of[c.source] != lead)  # stable: each part keeps its order
    best = ranked[:limit]
    for i, c in enumerate(best, start=1):
        c.id = i
    return best


def _asked_words(question: str) -> tuple[set[str], ...]:
    """The question's content words (for a way, without those that ask for it: 'wat moet ik doen als …'), those
    of its asking sentence (asked_clause), of the situation told before it (none where the asking sentence is
    too short alone), those that name what is asked (asking_word), and those of the situation that weigh less
    in the gate's measure (relevance.situation_words)."""
    words, clause = subject_words(question), clause_words(question)
    told = words - clause if sum(not w.isdigit() for w in clause) >= MIN_CLAUSE_WORDS else set()
    return words, clause, told, {w for w in words if not asking_word(w)}, situation_words(question, words)


def _carried(asked: tuple[set[str], ...], weights: Mapping[str, float], own: set[str], head: set[str],
             previous: str, word: str, kind: str) -> tuple[float, float, float]:
    """(Candidate.carried, .carried_clause, .carried_previous) of a sentence with terms `own` under a
    heading path with terms `head`, after the sentence `previous` ('': none); a pair only where the question
    asks a `kind` of fact (`word`: what a 'how many' question counts)."""
    words, clause, situation, subject, lighter = asked
    before = passage_terms(previous, word) if kind else set()
    told = bool(situation) and weighted_coverage(situation, {}, own | head) > 0
    # It leans on the sentence before it only where it carries a word of what is asked, not just 'kost' ('… een
    # tweede kaart kost € 50' prices whatever that sentence names, not the permit asked about). A way leans only
    # on the source's own question that it answers ('Gaat het om vaten of jerrycans? Raak ze niet aan'): 'Zet uw
    # afval buiten …' is no way to put a skip on the street, whatever the sentence before it names.
    leans = bool(before) and (previous.endswith("?") if kind == "way"
                              else any(term_variants(w) & (own | head) for w in subject))
    return (weighted_coverage(words, weights, own | head),
            max(weighted_coverage(clause, weights, own | head) if told else 0.0,
                weighted_coverage(words, situated(words, lighter, weights), own | head) if lighter else 0.0),
            weighted_coverage(words, weights, own | head | before) if leans else 0.0)


def _counted_first(question: str, ranked: list[Candidate]) -> list[Candidate]:
    """For 'how many X', the sentences that name X (or a compound ending in it, passage_terms: 'werkdagen' for
    'dagen'; French 'toujours' is no 'jours') before those that only carry some number; each part in order."""
    word = counted(question)
    if not word:
        return ranked
    stems = term_variants(word)
    return sorted(ranked, key=lambda c: not passage_terms(c.text, word) & stems)


def off_question(question: str, language: str, kept: Sequence[Candidate], min_share: float,
                 asked: str | None = None, written: str = "") -> bool:
    """Whether the chosen quotes answer something else: a short question is answered only where one
    quote, read under its heading path, carries `min_share` of it (the relevance gate's measure of a
    passage, not an understanding). A quote sharing only 'ophaling' with 'when are Christmas trees
    collected' is not its answer, whichever the model chose. A long question's words are spread by
    nature, and a quote in another language than `language` was admitted by its closeness in meaning
    (MIN_SCORE): no vote there. Where the question first tells a situation, a quote that carries a word
    of it may carry `min_share` of the asking sentence instead (Candidate.carried_clause: 'My neighbour got
    his permit. How many days must he wait?' is answered by 'you may start 36 days after …'). Where the
    question asks a kind of fact, a quote may carry it with the sentence before it (Candidate.previous),
    which the answer then shows too (`shown`). A question that asks 'how many X' (counted_thing of `asked`, the
    question as asked where `question` has its compounds split: 'parkeerplaatsen', not 'parkeer'; '' for a model's
    translation of a question that counts nothing by name: 'Hoeveel vooruit …' for 'How far in advance …') is answered only
    where a quote names X, in itself or its heading path: the association's deadline and budget do not say how many
    members it needs, even after a sentence that names them ('… volgens een puntensysteem: aantal leden …'). A quote names
    what is asked about, not only what is asked (relevance.names_about); an hour asked, an hour given (days.gives_hour),
    even where only the question as `written` asks it (a translation may lose 'by what time')."""
    if len(question) > LONG_QUESTION_CHARS:
        return False
    if kept and (hour_words(question) or hour_words(written)) and not any(gives_hour(c.text) for c in kept):
        return True  # in any language: 'hoe laat' is answered by an hour ('0,20 euro per week' is none)
    if any(c.language not in ("", language) for c in kept):
        return False
    if kept and not any(names_counted(question if asked is None else asked, c) for c in kept):
        return True
    if kept and not any(names_qualifiers(question, f"{c.context}\n{c.text}") for c in kept):
        return True  # 'how many days a week': a figure per week; 'a third card': the third's
    if kept and not any(names_about(question, f"{c.context}\n{c.previous if c.carried_previous else ''}\n{c.text}") for c in kept):
        return True  # it shares only what is asked ('welk nummer', 'bellen'): a number for another thing
    return max((max(c.carried, c.carried_clause, c.carried_previous) for c in kept), default=0.0) < min_share


def counting(asked: str, match: str, translated: bool) -> str:
    """The question whose 'how many X' a quote must name (off_question): as asked, not as matched with its compounds
    split; a model's translation only where the question as asked counts something by name ('Combien de places …'
    -> 'Hoeveel parkeerplaatsen …'), not 'Hoeveel vooruit …' for 'How far in advance …'."""
    if not translated:
        return asked
    return match if counted_thing(asked) else ""


def names_counted(question: str, quote: Candidate) -> bool:
    """Whether the quote, read under its heading path, names what 'how many' `question` counts (True where it counts
    nothing by name), as `_names` reads naming."""
    thing = counted_thing(question)
    return not thing or any(names_word(thing, w) for w in content_words(f"{quote.context}\n{quote.text}"))


def names_any(rare: Collection[str], words: Collection[str], kept: Sequence[Candidate]) -> bool:
    """Whether one quote, read under its heading path, names one of the `rare` words and another of `words` (no
    `rare` words: True; no `words`: the rare word alone). A yes/no question is about the most specific thing it
    names (relevance.rarest_known) in what else it asks: 'Kan ik met mijn smartphone betalen voor parkeren in de
    blauwe zone?' is not answered by the blue zone's hours and fines, which never name it; 'Is de bibliotheek op
    zondag open?' not by the library's opening days beside a rule on music 'van zaterdag op zondag' (under a
    heading on the 'openbaar domein'). A price is a price of the most specific thing the question names: the eID's
    does not answer 'Combien coûte un permis de conduire ?'."""
    if not rare:
        return True
    for c in kept:
        said = set(content_words(f"{c.context}\n{c.text}"))
        named = {w for w in set(rare) | set(words) if any(names_word(w, x) for x in said)}
        if named & set(rare) and (len(named) >= 2 or not words):
            return True
    return False


def across(question: str, language: str, kept: Sequence[Candidate]) -> str:
    """The language most quotes are in where every one is in another language than the short `question`
    (admitted by closeness in meaning alone: off_question has no vote); '' otherwise, or for a long question."""
    langs = [c.language for c in kept]
    if not kept or len(question) > LONG_QUESTION_CHARS or any(lang in ("", language) for lang in langs):
        return ""
    return max(dict.fromkeys(langs), key=langs.count)


def mixed(question: str, language: str, cands: Sequence[Candidate]) -> str:
    """The language most candidates in another language than `language` are in, where candidates in `language`
    are there too (the question's own words found passages, and others came by closeness in meaning); ''
    otherwise, or for a long question (`across` of the others)."""
    others = [c for c in cands if c.language not in ("", language)]
    return across(question, language, others) if len(others) < len(cands) else ""


def carrying(translated: str, language: str, cands: Sequence[Candidate], min_share: float) -> list[Candidate]:
    """`cands` (see `mixed`) without those in `language` that do not carry the question `translated` into it
    (off_across, each alone), renumbered 1..n. 'Comment introduire une demande de permis d'environnement ?'
    finds the French summary that answers it, and by closeness a Dutch page on asking the town for
    documents ('Stuur een schriftelijke aanvraag naar het algemeen secretariaat:'): that one does not carry
    'aanvraag omgevingsvergunning indienen' and must not be chosen over the French sentence that does."""
    kept = [c for c in cands if c.language != language or not off_across(translated, language, [c], min_share)]
    return [replace(c, id=i) for i, c in enumerate(kept, start=1)]


def off_across(translated: str, language: str, kept: Sequence[Candidate], min_share: float, question: str = "") -> bool:
    """off_question for quotes in `language` (see `across`), measured with the question `translated` into it
    (each word weighing the same): a Dutch sentence about a festival grant is close in meaning to 'Quel est le
    montant de la prime pour des panneaux solaires ?' and carries none of 'bedrag premie zonnepanelen'.
    Without a usable translation ('') the closeness in meaning decides alone, except for a yes/no `question` (the
    question as matched): it asks about one thing, and a quote close in meaning may be about another ('Is the library
    open on Christmas Day?' and its opening days). A yes/no question is answered only where one quote names two of
    its words (names_any; which of them the corpus knows best is not asked here): 'Belveld est une commune
    flamande' names Belveld, not the swimming pool of 'Is er een zwembad in Belveld?'."""
    mine = [c for c in kept if c.language == language]
    if not mine:
        return False
    if not translated.strip():
        return bool(polar_words(question))
    polar = polar_words(translated)
    if polar and not names_any(polar, polar, mine):
        return True
    asked, word, kind = _asked_words(translated), counted(translated), asked_kind(translated)
    measured = []
    for c in mine:
        own, head = passage_terms(c.text, word), passage_terms(c.context, word)
        carried, clause, pair = _carried(asked, {}, own, head, c.previous, word, kind)
        measured.append(replace(c, carried=carried, carried_clause=clause, carried_previous=pair))
    return off_question(translated, language, measured, min_share)


def quoted(quote: str, passage: str) -> bool:
    """The quote is the passage's own words: spacing, markdown marks and list markers aside; a cut
    quote up to its '…'."""
    words = " ".join(quote.removesuffix(" …").split())
    rows = " ".join(_row_text(row) for _heading, block in blocks(passage) for row, _ in rows_of(block))
    return bool(words) and words in rows


def _row_text(row: str) -> str:
    """A row as quotes are cut from it: no markdown marks, no list markers, single spaces."""
    return " ".join(_EMPHASIS.sub("", _LIST_MARKER.sub("", row)).split())


def list_after(quote: str, passage: str) -> list[str]:
    """The items of the list that a quote ending in ':' introduces, as the passage writes them ('Stuur
    een schriftelijke aanvraag naar het algemeen secretariaat:' says nothing without the three ways
    that follow); [] for a quote that introduces no list."""
    want = " ".join(quote.split())
    if not want.endswith(":"):
        return []
    parts = [block for _heading, block in blocks(passage)]
    for i, block in enumerate(parts):
        if _row_text(block).endswith(want):
            items: list[str] = []
            for nxt in parts[i + 1:]:
                if not _LIST_MARKER.match(nxt) or len(items) == MAX_LIST_ITEMS:
                    break
                items.append(_row_text(nxt))
            return items
    return []


def shown(kept: Sequence[Candidate], passages: Mapping[int, str], min_share: float) -> list[Candidate]:
    """The kept quotes as the answer shows them, each once. Where no quote carries `min_share` of the question
    alone, one that does with the sentence before it (off_question) comes after that sentence, so the reader
    sees what it is about. One that introduces a list is followed by the list's items (a list stays whole)."""
    out: list[Candidate] = []
    alone = max((max(c.carried, c.carried_clause) for c in kept), default=0.0) >= min_share
    for c in kept:
        lean = not alone and c.carried_previous >= min_share and quoted(c.previous, passages[c.source])
        for text in ([c.previous] if lean else []) + [c.text]:
            if all(text != o.text for o in out):  # an item already shown in its list, a sentence leaned on
                out.append(replace(c, text=text, table=c.table if text == c.text else None))
        for item in list_after(c.text, passages[c.source]):
            if all(item != o.text for o in out) and quoted(item, passages[c.source]):
                out.append(replace(c, text=item, table=None))
    return out


def compose_text(lead: str, chosen: Sequence[Candidate], foreign: Mapping[str, str]) -> str:
    """The lead, then one quote per line with its citation; `foreign` maps a passage language other
    than the question's to its label ('(source en néerlandais)')."""
    lines = [lead]
    for c in chosen:
        note = f" {foreign[c.language]}" if c.language in foreign else ""
        lines.append(f"“{c.text}” [{c.source}]{note}")
    return "\n".join(lines)
