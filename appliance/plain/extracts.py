"""Sentences a reply may quote from a passage: a statement (no question), its heading left off, a
table's rows one by one, and carrying enough of what the citizen wrote about.

A passage's text keeps its line breaks: a hard-wrapped paragraph continues on the next line, a table
(rendered at ingest as one "cell: cell" line per row) has one fact per line, and a plain-text page puts
a heading alone on its line above the paragraph it names ("Leefloon" / "Het leefloon is ...").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from appliance.index.text import content_words, term_variants, terms_of
from appliance.plain.readability import split_sentences

MIN_EXTRACT_WORDS = 5
MAX_HEADING_WORDS = 4
_UPPER_START = re.compile(r"^\W*[A-ZÀ-Ý]")
_LIST_MARK = re.compile(r"^(?:[-*•]|\d{1,2}[.)])\s+")  # a list item's marker: the reply makes its own list


def rows_of(piece: str) -> list[str]:
    """One sentence, or a table's rows: every line of the piece reads "label: value"."""
    lines = [ln.strip() for ln in piece.splitlines() if ln.strip()]
    if len(lines) > 1 and all(": " in ln and not ln.endswith(":") for ln in lines):
        return lines
    return [" ".join(piece.split())]


def statements_of(text: str) -> Iterator[tuple[str, str]]:
    """The passage's sentences that state something, each with the question of the passage it
    answers ("Gaat het om vaten ...? Raak ze niet aan."; '' when none): no markdown heading, no
    question, no list lead-in ending in a colon, a table split into its rows."""
    asked = ""
    for piece in split_sentences(text):
        if piece.lstrip().startswith("#"):
            asked = ""  # a new section answers its own questions
            continue
        for row in rows_of(piece):
            sentence = _LIST_MARK.sub("", without_heading(row, text))
            if sentence.endswith("?"):
                asked = sentence
            elif _stated(sentence):
                yield sentence, asked


def _stated(sentence: str) -> bool:
    """A whole statement: long enough, not a lead-in ending in a colon, not a title in capitals, and
    starting as a sentence does (a lower-case start is a fragment cut off at a chunk's edge), unless
    it is a table row ("label: value")."""
    letters = [ch for ch in sentence if ch.isalpha()]
    return (len(sentence.split()) >= MIN_EXTRACT_WORDS and not sentence.endswith(":")
            and sum(ch.isupper() for ch in letters) < 0.5 * len(letters)
            and (not sentence[:1].islower() or ": " in sentence))


def without_heading(sentence: str, passage: str) -> str:
    """The sentence without a heading that the passage has on a line of its own right above it
    ("Leefloon" / "Het leefloon is ..." is one sentence to a splitter on . ! ?)."""
    words = sentence.split()
    for n in range(1, min(MAX_HEADING_WORDS, len(words) - 1) + 1):
        head, rest = " ".join(words[:n]), words[n]
        if head.endswith((".", "!", "?", ":", ";", ",")) or not _UPPER_START.match(rest):
            continue
        pattern = r"(?:^|\n)[ \t#]*" + r"\s+".join(map(re.escape, words[:n])) + r"[ \t]*\n\s*" + re.escape(rest)
        if re.search(pattern, passage):
            return " ".join(words[n:])
    return sentence


def shared_weight(asked: set[str], sentence: str, weights: Mapping[str, float]) -> tuple[int, float]:
    """(how many of the asked words the sentence carries, their summed rarity weight)."""
    have = terms_of(content_words(sentence))
    found = [w for w in asked if term_variants(w) & have]
    return len(found), sum(weights.get(w, 1.0) for w in found)


def best_statements(passages: list[tuple[int, str]], asked: set[str], weights: Mapping[str, float],
                    min_shared: int, limit: int) -> list[tuple[int, str]]:
    """(passage number, sentence) of the statements that, with the passage's question they answer,
    share at least `min_shared` of the asked words: the `limit` rarest-weighted, in passage order."""
    found: list[tuple[float, int, int, str]] = []
    for number, text in passages:
        for position, (sentence, question) in enumerate(statements_of(text)):
            n, weight = shared_weight(asked, f"{sentence} {question}", weights)
            if n >= min_shared:
                found.append((weight, number, position, sentence))
    best = sorted(found, key=lambda f: -f[0])[:limit]
    return [(number, sentence) for _w, number, _p, sentence in sorted(best, key=lambda f: (f[1], f[2]))]
