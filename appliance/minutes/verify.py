"""Checks a drafted minutes item must pass: cited segments, support, owner, deadline, vote.

Support uses the same lexical measure as Ask's citation check (`citations.lexical_support`:
share of the item's content words, stemmed and accent-folded, found in the cited segments, and
every number of the item found there too). An item below `MIN_SUPPORT` is kept but marked
unsupported, so the reviewer sees it flagged and the evaluation counts it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from appliance.ask import MIN_SUPPORT, PassageTerms, lexical_support
from appliance.index.text import content_words
from appliance.recordings import normalise_asr_text as normalise

# Words around a name that are not part of it ("mevrouw Peeters", "schepen De Smet").
HONORIFICS = frozenset({
    "de", "heer", "mevrouw", "mevr", "dhr", "mr", "mw", "meneer", "madame", "monsieur", "mme", "m",
    "schepen", "burgemeester", "voorzitter", "raadslid", "directeur", "secretaris", "echevin",
    "bourgmestre", "president", "mrs", "ms", "mister",
})

MONTHS = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10,
}
WEEKDAYS = {
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5, "zondag": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
_SMALL = {"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "acht": 8, "tien": 10,
          "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "six": 6, "huit": 8, "dix": 10,
          "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "eight": 8, "ten": 10}
_NL_UNITS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf",
             "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien"]
_NL_TENS = {20: "twintig", 30: "dertig", 40: "veertig", 50: "vijftig", 60: "zestig", 70: "zeventig",
            80: "tachtig", 90: "negentig"}
_FR_UNITS = ["zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
             "douze", "treize", "quatorze", "quinze", "seize", "dix sept", "dix huit", "dix neuf"]
_FR_TENS = {20: "vingt", 30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante"}


def _number_words() -> dict[str, int]:
    """Spoken counts 0..99 (Dutch, French up to 69): Whisper writes 'twintig stemmen' as often as '20'."""
    out: dict[str, int] = {}
    for n, w in enumerate(_NL_UNITS):
        out[w] = n
    for n, w in enumerate(_FR_UNITS):
        out.setdefault(w, n)
    for tens, w in _NL_TENS.items():
        out[w] = tens
        for u in range(1, 10):
            out[f"{_NL_UNITS[u]}en{w}"] = tens + u  # eenentwintig, tweeentwintig (accent folded)
    for tens, w in _FR_TENS.items():
        out[w] = tens
        for u in range(1, 10):
            out[f"{w} {'et ' if u == 1 else ''}{_FR_UNITS[u]}"] = tens + u
    return out


NUMBER_WORDS = _number_words()


@dataclass
class Verdict:
    segment_numbers: list[int]  # valid cited segment numbers (1-based, as shown to the model)
    support: float
    supported: bool
    flags: list[str] = field(default_factory=list)


def check_support(text: str, cited: Sequence[int], shown: dict[int, str]) -> Verdict:
    """Keep only segment numbers that were shown; measure how well they support `text`.

    An item whose citations are all invalid is attributed to the one shown segment that supports it
    best (as Ask does for an uncited sentence); flagged, so the reviewer knows the model did not cite it.
    """
    flags: list[str] = []
    valid = [n for n in dict.fromkeys(cited) if n in shown]
    if len(valid) < len(set(cited)):
        flags.append("invented_segments")
    if not content_words(text):
        return Verdict(valid, 0.0, False, flags + ["empty_text"])
    if valid:
        share, numbers_ok = lexical_support(text, [PassageTerms(shown[n]) for n in valid])
        ok = share >= MIN_SUPPORT and numbers_ok
        if share >= MIN_SUPPORT and not numbers_ok:
            flags.append("missing_number")
        if ok:
            return Verdict(_narrowed(text, valid, shown), share, True, flags)
    else:
        share = 0.0
    best, best_share = 0, 0.0
    for n, seg in shown.items():
        s, numbers_ok = lexical_support(text, [PassageTerms(seg)])
        if numbers_ok and s > best_share:
            best, best_share = n, s
    if not valid and best and best_share >= MIN_SUPPORT:
        return Verdict([best], best_share, True, flags + ["attributed"])
    return Verdict(valid, share, False, flags + ["unsupported"])


def _narrowed(text: str, valid: list[int], shown: dict[int, str]) -> list[int]:
    """The cited segments that share words with the item (a small model tends to cite a whole
    window): the reviewer's timestamps then point at the moment itself, as long as those segments
    alone still support the item with its numbers."""
    own = [n for n in valid if lexical_support(text, [PassageTerms(shown[n])])[0] > 0]
    if not own or len(own) == len(valid):
        return valid
    share, numbers_ok = lexical_support(text, [PassageTerms(shown[n]) for n in own])
    return own if share >= MIN_SUPPORT and numbers_ok else valid


def match_owner(owner: str, attendees: Sequence[str]) -> str:
    """The attendee `owner` names (as written in the list), or '' when none or several match."""
    want = [w for w in normalise(owner).split() if w not in HONORIFICS]
    if not want or not attendees:
        return ""
    exact = [a for a in attendees if normalise(a) == normalise(owner)]
    if len(exact) == 1:
        return exact[0]
    hits = [a for a in attendees if set(want) <= set(normalise(a).split())]
    return hits[0] if len(hits) == 1 else ""


def _meeting_day(meeting_date: str) -> date | None:
    try:
        return date.fromisoformat(meeting_date[:10]) if meeting_date else None
    except ValueError:
        return None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _after(meeting: date | None, month: int, day: int) -> date | None:
    """`day`/`month` without a year: the first such date on or after the meeting."""
    if meeting is None:
        return None
    found = _safe_date(meeting.year, month, day)
    if found is not None and found < meeting:
        found = _safe_date(meeting.year + 1, month, day)
    return found


def _count(word: str) -> int | None:
    return int(word) if word.isdigit() else _SMALL.get(word)


def parse_deadline(text: str, meeting_date: str = "") -> str:
    """An ISO date for an absolute or (with a meeting date) relative deadline; '' when unsure.

    Handles '2024-06-15', '15/06/2024', '15 juni 2024', '15 juni', 'eind juni', 'tegen volgende week',
    'binnen twee weken', 'binnen 10 dagen', 'volgende maand', 'tegen vrijdag' (and their French and
    English forms). Anything else is left empty for the reviewer rather than guessed.
    """
    raw = (text or "").strip()
    if not raw:
        return ""
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", raw)
    if m:
        found = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return found.isoformat() if found else ""
    meeting = _meeting_day(meeting_date)
    m = re.search(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b", raw)
    if m:
        day, month = int(m[1]), int(m[2])
        if m[3]:
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            found = _safe_date(year, month, day)
        else:
            found = _after(meeting, month, day)
        return found.isoformat() if found else ""
    words = normalise(raw).split()
    norm = " ".join(words)
    for i, w in enumerate(words):
        if w in MONTHS and i and words[i - 1].isdigit():
            day, month = int(words[i - 1]), MONTHS[w]
            given = next((int(x) for x in words[i + 1:i + 2] if x.isdigit() and len(x) == 4), None)
            on = _safe_date(given, month, day) if given else _after(meeting, month, day)
            return on.isoformat() if on else ""
    if meeting is None:
        return ""
    for i, w in enumerate(words):
        if w in MONTHS and i and words[i - 1] in ("eind", "einde", "fin", "end", "eo"):
            first = _after(meeting, MONTHS[w], 1) or meeting
            return first.replace(day=calendar.monthrange(first.year, first.month)[1]).isoformat()
    m = re.search(r"(\w+) (dagen|dag|days|day|jours|jour|weken|week|weeks|semaines|semaine|maanden|maand|months|month|mois)\b", norm)
    if m and _count(m[1]) is not None:
        n = _count(m[1]) or 0
        unit = m[2]
        if unit.startswith(("dag", "day", "jour")):
            return (meeting + timedelta(days=n)).isoformat()
        if unit.startswith(("we", "sem")):
            return (meeting + timedelta(weeks=n)).isoformat()
        return _add_months(meeting, n).isoformat()
    if re.search(r"\b(volgende|komende) week\b|\bsemaine prochaine\b|\bnext week\b", norm):
        return (meeting + timedelta(weeks=1)).isoformat()
    if re.search(r"\b(volgende|komende) maand\b|\bmois prochain\b|\bnext month\b", norm):
        return _add_months(meeting, 1).isoformat()
    for w in words:
        if w in WEEKDAYS:
            ahead = (WEEKDAYS[w] - meeting.weekday()) % 7 or 7
            return (meeting + timedelta(days=ahead)).isoformat()
    return ""


def _add_months(d: date, n: int) -> date:
    month = d.month - 1 + n
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _spoken_numbers(text: str) -> set[int]:
    norm = normalise(text)
    found = {int(x) for x in re.findall(r"\d+", norm)}
    words = norm.split()
    for i, w in enumerate(words):
        if w in NUMBER_WORDS:
            found.add(NUMBER_WORDS[w])
        pair = " ".join(words[i:i + 2])
        if pair in NUMBER_WORDS:
            found.add(NUMBER_WORDS[pair])
    return found


def check_vote(vote: object, cited_text: str) -> tuple[dict[str, int], bool]:
    """(vote to keep, dropped?) A vote is kept only when its non-zero counts were said in the cited
    segments (as digits or words): small models fill in plausible counts nobody stated."""
    if not isinstance(vote, dict):
        return {}, False
    counts: dict[str, int] = {}
    for key in ("for", "against", "abstain"):
        value = vote.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            continue
        counts[key] = int(value)
    if not counts or not any(counts.values()):
        return {}, bool(counts)
    said = _spoken_numbers(cited_text)
    if all(v == 0 or v in said for v in counts.values()):
        return counts, False
    return {}, True


def clean_vote(vote: object) -> dict[str, int]:
    """A person's vote entry: non-negative whole numbers for for/against/abstain."""
    if not vote:
        return {}
    if not isinstance(vote, dict):
        raise TypeError("vote must be an object with for, against, abstain")
    out: dict[str, int] = {}
    for key in ("for", "against", "abstain"):
        value = vote.get(key)
        if value in (None, ""):
            continue
        n = int(value)  # ValueError for text
        if n < 0:
            raise ValueError("vote counts cannot be negative")
        out[key] = n
    return out


COPY_SHARE = 0.7  # share of a summary's word trigrams found verbatim in the transcript


def copies_transcript(text: str, sources: Sequence[str]) -> bool:
    """True when `text` repeats its cited segments word for word (most of their words, in order): a
    summary that copies speech, garbled recognition included, is no summary."""
    words = normalise(text).split()
    heard = normalise(" ".join(sources)).split()
    if len(words) < 3 or not heard:
        return bool(words) and " ".join(words) in " ".join(heard)
    if len(words) < COPY_SHARE * len(heard):
        return False  # a short restatement of a long segment (a title, an outcome) is a summary
    grams = {tuple(words[i:i + 3]) for i in range(len(words) - 2)}
    said = {tuple(heard[i:i + 3]) for i in range(len(heard) - 2)}
    return len(grams & said) / len(grams) >= COPY_SHARE
