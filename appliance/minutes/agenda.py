"""Agendas: parse one from text or a document, and find where each item starts in a transcript.

A chair opens an item by its number ("punt 3", "agendapunt drie", "point 3") or by reading its
title; the first segment after the previous item's start that does either starts the item. Items
never found share the part of the transcript of the item before them (the model is told both titles).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise
from typing import TYPE_CHECKING

from appliance.ask import PassageTerms, lexical_support
from appliance.errors import BelfortError
from appliance.index.text import content_words
from appliance.minutes.verify import NUMBER_WORDS
from appliance.recordings import normalise_asr_text as normalise

if TYPE_CHECKING:
    from appliance.access import Principal
    from appliance.context import Appliance

MAX_AGENDA_ITEMS = 200
MAX_TITLE_CHARS = 300
TITLE_MATCH = 0.6  # share of the title's content words a segment must say to open the item
HEARD_LIKE = 0.8  # a misheard title word still counts when it is this close to a word said (or two run together)
HEARD_MIN_LEN = 5  # shorter words only count when heard exactly

# "1. Goedkeuring notulen", "Punt 2: ...", "Agendapunt 3 - ...", "4) ...", "5 Openbare orde - ..."
_NUMBERED = re.compile(
    r"^\s*(?:(?:agenda)?punt|point|item)?\s*(\d{1,3})\s*(?:[.):\-–]\s*|\s+(?=[A-Za-zÀ-ÿ]))(.+)$", re.IGNORECASE)
_INLINE = re.compile(r"(?:(?<=\s)|^)(\d{1,3})[.)]\s+(?=[A-ZÀ-Ý])")


@dataclass(frozen=True)
class AgendaItem:
    number: int
    title: str

    def as_dict(self) -> dict[str, object]:
        return {"number": self.number, "title": self.title}


def parse_agenda(text: str) -> list[AgendaItem]:
    """Numbered lines become items with their number; without any numbered line, every non-empty
    line is an item, numbered in order. A text flattened to one line ('1. A 2. B') is split first."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if len(lines) <= 2 and len(_INLINE.findall(text or "")) >= 2:
        lines = [p.strip() for p in _INLINE.sub(lambda m: "\n" + m.group(0), text).splitlines() if p.strip()]
    numbered: list[AgendaItem] = []
    seen: set[int] = set()
    for line in lines:
        m = _NUMBERED.match(line)
        if m and int(m[1]) not in seen and content_words(m[2]):
            seen.add(int(m[1]))
            numbered.append(AgendaItem(int(m[1]), _title(m[2])))
    items = numbered or [AgendaItem(i, _title(ln)) for i, ln in enumerate(lines, start=1) if content_words(ln)]
    if len(items) > MAX_AGENDA_ITEMS:
        raise BelfortError("minutes.agenda_too_long", f"the agenda has {len(items)} items (at most "
                           f"{MAX_AGENDA_ITEMS})", hint="pass the agenda of one meeting")
    return items


def _title(text: str) -> str:
    return " ".join(text.split())[:MAX_TITLE_CHARS]


def agenda_from_items(items: Sequence[object]) -> list[AgendaItem]:
    """From JSON: ["title", ...] or [{"number", "title"}, ...]."""
    out: list[AgendaItem] = []
    for i, it in enumerate(items, start=1):
        if isinstance(it, dict):
            out.append(AgendaItem(int(it.get("number") or i), _title(str(it.get("title", "")))))
        else:
            m = _NUMBERED.match(str(it))  # "3. Begroting" keeps its number; a bare title gets its position
            out.append(AgendaItem(int(m[1]), _title(m[2])) if m and content_words(m[2])
                       else AgendaItem(i, _title(str(it))))
    return [a for a in out if a.title]


def agenda_from_document(app: Appliance, who: Principal, document_id: int) -> list[AgendaItem]:
    """The agenda in an ingested document the person may read (its text, all pages)."""
    from appliance.documents import document_pages

    text = "\n".join(t for _, t in document_pages(app, who, document_id))
    items = parse_agenda(text)
    if not items:
        raise BelfortError("minutes.agenda_empty", f"document {document_id} holds no agenda items",
                           hint="pass the agenda as text, one item per line")
    return items


def _cue_numbers(text: str) -> set[int]:
    """Item numbers the text announces: 'punt 3', 'agendapunt drie', 'point 3', 'item 3'."""
    norm = normalise(text)
    out = {int(m[1]) for m in re.finditer(r"\b(?:agenda ?)?(?:punt|point|item|agendapunt)\s+(\d{1,3})\b", norm)}
    for m in re.finditer(r"\bpunt(\w+)", norm):  # Whisper glues spoken numbers on: "punteen", "punttwee"
        if m[1] in NUMBER_WORDS:
            out.add(NUMBER_WORDS[m[1]])
    for m in re.finditer(r"\b(?:agenda ?)?(?:punt|point|item|agendapunt)\s+(\w+(?: \w+)?)", norm):
        words = m[1].split()
        for cand in (" ".join(words), words[0]):
            if cand in NUMBER_WORDS:
                out.add(NUMBER_WORDS[cand])
                break
    return out


def locate_items(agenda: Sequence[AgendaItem], texts: Sequence[str]) -> list[int | None]:
    """Index of the segment that opens each agenda item (None: not found), in agenda order and
    never before the previous item's start."""
    starts: list[int | None] = []
    cursor = 0
    for item in agenda:
        title_terms = content_words(item.title)
        found = None
        for i in range(cursor, len(texts)):
            if item.number in _cue_numbers(texts[i]):
                found = i
                break
            if len(title_terms) >= 2:
                share, _ = lexical_support(item.title, [PassageTerms(texts[i])])
                if share < TITLE_MATCH and share >= TITLE_MATCH / 2 and i + 1 < len(texts):
                    # A title read aloud may run into the next segment; it must start in this one.
                    share, _ = lexical_support(item.title, [PassageTerms(texts[i] + " " + texts[i + 1])])
                if share >= TITLE_MATCH or _heard_share(title_terms, texts[i]) >= TITLE_MATCH:
                    found = i
                    break
        starts.append(found)
        if found is not None:
            cursor = found + 1
    return starts


def _heard_share(title_terms: Sequence[str], text: str) -> float:
    """Share of the title's content words a segment says, allowing for speech recognition that splits
    or mishears a long word ("molen straat", "heranreg" for "heraanleg"): each word must be heard
    exactly or be at least HEARD_LIKE alike to one word said or two run together."""
    said = content_words(text)
    if not title_terms or not said:
        return 0.0
    heard = set(said) | {a + b for a, b in pairwise(said)}
    hits = sum(1 for term in title_terms if term in heard or (len(term) >= HEARD_MIN_LEN and any(
        SequenceMatcher(None, term, word).ratio() >= HEARD_LIKE for word in heard)))
    return hits / len(title_terms)


def opens_an_item(agenda: Sequence[AgendaItem], text: str) -> bool:
    """Whether `text` announces an agenda item: its number after "punt", or its title read out."""
    cues = _cue_numbers(text)
    for item in agenda:
        terms = content_words(item.title)
        if item.number in cues or (len(terms) >= 2 and (
                lexical_support(item.title, [PassageTerms(text)])[0] >= TITLE_MATCH
                or _heard_share(terms, text) >= TITLE_MATCH)):
            return True
    return False


@dataclass
class Part:
    """A stretch of transcript (segment indexes [first, last)) and the agenda items it covers."""

    first: int
    last: int
    items: list[AgendaItem]


def split_by_agenda(agenda: Sequence[AgendaItem], texts: Sequence[str]) -> list[Part]:
    """One part per found agenda item; unfound items ride along with the part before them (or the
    first part); talk before the first found item belongs to that item's part."""
    if not texts:
        return []
    if not agenda:
        return [Part(0, len(texts), [])]
    starts = locate_items(agenda, texts)
    parts: list[Part] = []
    pending: list[AgendaItem] = []
    for item, start in zip(agenda, starts, strict=True):
        if start is None:
            if parts:
                parts[-1].items.append(item)
            else:
                pending.append(item)
            continue
        if parts:
            parts[-1].last = start
        parts.append(Part(0 if not parts else start, len(texts), pending + [item]))
        pending = []
    if not parts:  # no item located: the whole meeting, every title
        return [Part(0, len(texts), list(agenda))]
    return parts
