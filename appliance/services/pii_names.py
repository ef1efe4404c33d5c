"""Person names: NER output turned into PERSON spans, plus context rules that need no model.

The context rules catch what a newspaper-trained NER tends to miss in administrative text: a name
after a form of address or an office ("de heer", "mevrouw", "schepen", "Madame", "M."), in Dutch
and in French. They also give the rule-only mode something to find when no NER engine is installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from appliance.services.pii_rules import RawSpan
from models.base import Entity

_UP = "A-ZÀ-ÖØ-Ý"
_LOW = "a-zß-öø-ÿ"
# One name part: "Peeters", "Van", "D'Hondt", "Vande-Velde", or an initial "J.".
_PART = (
    rf"(?:[{_UP}][{_LOW}]+(?:[-'’][{_UP}]?[{_LOW}]+)*"  # Peeters, Jean-Pierre, Vande-Velde
    rf"|[{_UP}]['’][{_UP}][{_LOW}]+"  # D'Hondt
    rf"|[{_UP}]\.(?:-?[{_UP}]\.)?)"  # J. or J.-P.
)
_PARTICLE = r"(?:van|de|der|den|het|ten|ter|te|vanden|vander|vande|le|la|du|des|di|da|von|'t)"
_SP = r"[^\S\n]+"  # a name never runs across a line break (lists of names, one per line)
_NAME = rf"(?:{_PARTICLE}{_SP})?{_PART}(?:{_SP}(?:{_PARTICLE}{_SP}){{0,2}}{_PART}){{0,3}}"

# Forms of address: one name part after them is enough ("Mevr. Claes"). Lower-case words may open
# a sentence, hence (?i:...); short French abbreviations only count with their capitals ("M.").
_ADDRESS_ANY_CASE = (
    r"de\s+heer|heer|mevrouw|mevr\.?|dhr\.?|mr\.?|mijnheer|meneer|juffrouw|meester|mter\.?|dokter|"
    r"dr\.|prof\.|monsieur|madame|mademoiselle|maître|docteur"
)
_ADDRESS_EXACT = r"M\.|MM\.|Mme|Mmes|Mlle|Me|Dhr\.|Mevr\."
# Offices: in minutes they also head columns and sentences ("burgemeester Akkoord"), so the name
# after them needs at least two parts.
_OFFICES = (
    r"burgemeester|schepen|raadslid|gemeenteraadslid|ocmw-raadslid|voorzitter|ondervoorzitter|"
    r"secretaris|algemeen\s+directeur|financieel\s+directeur|directeur|notaris|advocaat|pastoor|"
    r"bourgmestre|échevine?|conseill(?:er|ère)(?:\s+communal(?:e)?)?|présidente?|avocate?|notaire"
)
_TITLE_RE = re.compile(
    rf"(?<![\w])(?:(?P<addr>(?i:{_ADDRESS_ANY_CASE})|{_ADDRESS_EXACT})|(?P<office>(?i:{_OFFICES})))"
    rf"\s+(?P<name>{_NAME})(?![\w])"
)

# Capitalised words that follow an office but are not names ("de heer Voorzitter").
_NOT_NAMES = frozenset(
    w.lower()
    for w in (
        "Voorzitter Burgemeester Schepen Gemeenteraad College Raad Stad Gemeente Secretaris "
        "Directeur Minister Gouverneur Provincie Vlaanderen Vlaamse OCMW Dienst Bestuur "
        "Zie Ook Dit Deze Die Wij Ik U Hij Zij "
        "Président Bourgmestre Commune Conseil Ville Collège Madame Monsieur Mevrouw Heer "
        # Words of vote tallies and decision headings in minutes, capitalised at a line start.
        "Akkoord Zitting Besluit Blanco Totaal Stemming Onthouding Onthoudingen Ongeldig Agenda Notulen"
    ).split()
)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop trailing/leading office words and particles; None when nothing name-like is left."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    while words and (
        text[words[0][0] : words[0][1]].lower().strip(".") in _NOT_NAMES
        or re.fullmatch(_PARTICLE, text[words[0][0] : words[0][1]])
    ):
        if re.fullmatch(_PARTICLE, text[words[0][0] : words[0][1]]) and len(words) > 1:
            nxt = text[words[1][0] : words[1][1]].lower()
            if nxt not in _NOT_NAMES:
                break  # "de heer de Smet": a particle that opens a surname stays
        words.pop(0)
    while words and (
        text[words[-1][0] : words[-1][1]].lower().strip(".") in _NOT_NAMES
        or re.fullmatch(_PARTICLE, text[words[-1][0] : words[-1][1]], re.IGNORECASE)
    ):
        words.pop()
    if not words:
        return None
    s, e = words[0][0], words[-1][1]
    if not re.search(f"[{_UP}][{_LOW}]", text[s:e]):  # initials alone are not a name
        return None
    if _STREET_END.search(text[s:e]):  # "Jozef Nellenslaan" is a street named after a person
        return None
    return s, e


_STREET_END = re.compile(r"(?:straat|laan|plein|steenweg|dreef|wegel|kaai|singel|markt|rue|avenue)$", re.IGNORECASE)


def title_name_spans(text: str) -> Iterator[RawSpan]:
    """Names after a form of address or an office, Dutch and French."""
    for m in _TITLE_RE.finditer(text):
        trimmed = _trim_name(text, m.start("name"), m.end("name"))
        if trimmed and (m.group("addr") or len(text[trimmed[0] : trimmed[1]].split()) >= 2):
            yield RawSpan("PERSON", trimmed[0], trimmed[1], 0.8)


_NAME_RUN_RE = re.compile(rf"{_PART}(?:{_SP}(?:{_PARTICLE}{_SP}){{0,2}}{_PART}){{1,3}}")


def first_name_spans(text: str, first_names: Iterable[str] | frozenset[str]) -> Iterator[RawSpan]:
    """Rule-only fallback: a known first name followed by capitalised surname parts."""
    known = first_names if isinstance(first_names, frozenset) else frozenset(first_names)
    if not known:
        return
    for m in _NAME_RUN_RE.finditer(text):
        first = m.group().split()[0]
        if first in known and first.lower() not in _NOT_NAMES:
            trimmed = _trim_name(text, m.start(), m.end())
            if trimmed and " " in text[trimmed[0] : trimmed[1]]:
                yield RawSpan("PERSON", trimmed[0], trimmed[1], 0.6)


def repeated_name_spans(text: str, persons: Sequence[RawSpan]) -> Iterator[RawSpan]:
    """Later mentions of a surname already found in full ("Jan Peeters" ... "Peeters zei").

    Documents introduce a person once and then use the surname alone; a tagger that judges each
    sentence on its own misses many of those.
    """
    surnames: set[str] = set()
    for span in persons:
        parts = text[span.start : span.end].split()
        if len(parts) >= 2 and not re.fullmatch(_PARTICLE, parts[0]) and not parts[0].endswith("."):
            surname = " ".join(parts[1:])
            if len(surname) >= 4 and surname[0].isupper() and surname.lower() not in _NOT_NAMES:
                surnames.add(surname)
    for surname in sorted(surnames, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w'’-]){re.escape(surname)}(?![\w'’-])", text):
            yield RawSpan("PERSON", m.start(), m.end(), 0.6)


_TOKEN_RE = re.compile(r"[\w'’.-]+|[^\w\s]")
_OFFICE_COMPOUND = re.compile(r"(?i).*-(?:directeur|voorzitter|schepen|minister|woordvoerder|topman|baas)$")


def _name_runs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split a tagger's span into runs of name-like words.

    Frog's spans often take along a verb, a conjunction or a bracket ("aldus Denys", "Kasparov en
    Kramnik", "Garzelli ( Ita"). A run is broken by punctuation and by lower-case words other than
    particles between name parts; what follows an opening bracket is dropped.
    """
    run: list[tuple[int, int]] = []

    def close() -> Iterator[tuple[int, int]]:
        while run and re.fullmatch(_PARTICLE, text[run[-1][0] : run[-1][1]], re.IGNORECASE):
            run.pop()
        if run:
            yield run[0][0], run[-1][1]
        run.clear()

    for m in _TOKEN_RE.finditer(text, start, end):
        word = m.group()
        if word in "([{":
            yield from close()
            return
        name_like = word[0].isupper() and not _OFFICE_COMPOUND.match(word)
        particle = bool(run) and re.fullmatch(_PARTICLE, word) is not None
        if name_like or particle:
            run.append((m.start(), m.end()))
        else:
            yield from close()
    yield from close()


def ner_person_spans(
    entities: Sequence[Entity], text: str, first_names: frozenset[str] = frozenset()
) -> Iterator[RawSpan]:
    """PER entities of any NerTagger as PERSON spans, cut into runs of name-like words.

    With a first-name list, an entity of another label that opens with a known first name and has
    a surname after it is taken as a person too (taggers call "Kenny Dalglish" an organisation).
    """
    for ent in entities:
        score = 0.85 * ent.score
        if ent.label != "PER":
            words = text[ent.start : ent.end].split()
            if not (len(words) >= 2 and words[0] in first_names and words[1][:1].isupper()):
                continue
            score = 0.6 * ent.score
        for run_start, run_end in _name_runs(text, ent.start, ent.end):
            trimmed = _trim_name(text, run_start, run_end)
            if trimmed:
                yield RawSpan("PERSON", trimmed[0], trimmed[1], round(score, 3))
