"""Plain language without a model: shorter sentences, plainer words, hints about the passive voice.

Works on text whose protected terms are already placeholders (terms.py), so nothing here can touch
them. Each step records what it changed, for the list the writer sees.
- a sentence longer than SPLIT_WORDS is cut at a semicolon or at a comma before a coordinating
  conjunction ('…, maar …' -> '… Maar …'), only where both halves keep MIN_PART_WORDS words;
- words from the B1 word list (plain_words.json) and the organisation's `old => new` tone rules
  are replaced, whole words only, keeping a capital at the sentence start;
- the passive voice is not rewritten (that needs the subject, which the sentence may not name): it is
  pointed out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from appliance.plain.readability import split_sentences, words_of

SPLIT_WORDS = 16  # sentences longer than this are cut where a cut is safe
MIN_PART_WORDS = 5
CONJUNCTIONS = {"nl": ("maar", "want", "dus", "en"), "fr": ("mais", "car", "donc", "et"),
                "en": ("but", "so", "and")}
PASSIVE = {
    "nl": re.compile(r"\b(?:wordt|worden|werd|werden)\b(?:\s+\S+){0,8}?\s+(?:(?:ge|be|ver|ont|her)\w+[dt]|\w+eerd)\b", re.IGNORECASE),
    "fr": re.compile(r"\b(?:est|sont|sera|seront|été)\s+(?:\w+\s+)?\w+(?:é|ée|és|ées|is|ise|it|ite)\b", re.IGNORECASE),
    "en": re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?\w+ed\b", re.IGNORECASE),
}
WORDS_FILE = Path(__file__).with_name("plain_words.json")


@dataclass
class Change:
    kind: str  # split | word | tone | passive_hint | rejected
    before: str
    after: str = ""
    reason: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "before": self.before, "after": self.after, "reason": self.reason}


@dataclass
class Simplified:
    text: str
    changes: list[Change] = field(default_factory=list)


@cache
def word_list(lang: str) -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """(pattern, difficult, plain), longest phrase first."""
    data = json.loads(WORDS_FILE.read_text("utf-8")).get(lang, {})
    return tuple(_pattern(old, new) for old, new in sorted(data.items(), key=lambda kv: -len(kv[0])))


def _pattern(old: str, new: str) -> tuple[re.Pattern[str], str, str]:
    return re.compile(r"(?<![\w\[])" + re.escape(old) + r"(?![\w\]])", re.IGNORECASE), old, new


def _cased(found: str, new: str) -> str:
    return new[:1].upper() + new[1:] if found[:1].isupper() and not new[:1].isupper() else new


def replace_words(sentence: str, pairs: tuple[tuple[re.Pattern[str], str, str], ...], kind: str
                  ) -> tuple[str, list[Change]]:
    changes: list[Change] = []
    for pattern, _old, new in pairs:
        def swap(m: re.Match[str], new: str = new) -> str:
            out = _cased(m.group(0), new)
            changes.append(Change(kind, m.group(0), out))
            return out
        sentence = pattern.sub(swap, sentence)
    return sentence, changes


def split_long(sentence: str, lang: str) -> list[str]:
    """Cut a long sentence at its safest point, then the parts again; a short one stays whole."""
    words = words_of(sentence)
    if len(words) <= SPLIT_WORDS:
        return [sentence]
    conj = "|".join(CONJUNCTIONS.get(lang, CONJUNCTIONS["nl"]))
    cuts = [(m.start(), m.end(), "") for m in re.finditer(r";\s+", sentence)]
    cuts += [(m.start(), m.start(1), m.group(1))
             for m in re.finditer(rf",\s+({conj})\s", sentence, re.IGNORECASE)]
    middle = len(sentence) / 2
    for start, end, _word in sorted(cuts, key=lambda c: abs(c[0] - middle)):
        left, right = sentence[:start].rstrip(" ,;"), sentence[end:].strip()
        if len(words_of(left)) < MIN_PART_WORDS or len(words_of(right)) < MIN_PART_WORDS:
            continue
        end_mark = "." if left[-1:] not in ".!?" else ""
        right = right[:1].upper() + right[1:]
        return split_long(left + end_mark, lang) + split_long(right, lang)
    return [sentence]


def passive_hints(sentence: str, lang: str) -> list[Change]:
    pattern = PASSIVE.get(lang)
    found = pattern.search(sentence) if pattern else None
    return [Change("passive_hint", found.group(0))] if found else []


def plain_words(text: str, lang: str, tone: list[tuple[str, str]]) -> tuple[str, list[Change]]:
    """The tone rules' and the B1 word list's replacements, nothing else."""
    text, changes = replace_words(text, tuple(_pattern(o, n) for o, n in tone), "tone")
    text, more = replace_words(text, word_list(lang), "word")
    return text, changes + more


def simplify_sentence(sentence: str, lang: str, tone: list[tuple[str, str]]) -> Simplified:
    """One sentence (placeholders for protected terms) -> its plain version, maybe several sentences."""
    text, changes = plain_words(sentence, lang, tone)
    parts = split_long(text, lang)
    if len(parts) > 1:
        changes.append(Change("split", text, " ".join(parts)))
    for part in parts:
        changes += passive_hints(part, lang)
    return Simplified(" ".join(parts), changes)


def paragraphs(text: str) -> list[str]:
    """Blocks separated by a blank line; a block's lines joined (a wrapped line is no sentence end)."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n"))
    return [b.strip() for b in blocks if b.strip()]


_STRUCTURED = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|#{1,6}|\|)\s?", re.MULTILINE)


def line_wise(paragraph: str) -> bool:
    """A block of list items, table rows or headings keeps its lines; wrapped prose is joined."""
    return "\n" in paragraph.strip() and bool(_STRUCTURED.search(paragraph))


def sentences(paragraph: str) -> list[str]:
    """The pieces a paragraph is rewritten in: its lines when `line_wise`, else its sentences."""
    if line_wise(paragraph):
        return [line.strip() for line in paragraph.splitlines() if line.strip()]
    return split_sentences(paragraph.replace("\n", " "))
