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
_PART = rf"(?:[{_UP}][{_LOW}]+(?:[-'’][{_UP}]?[{_LOW}]+)*|[{_UP}]['’][{_UP}][{_LOW}]+|[{_UP}]\.(?:-?[{_UP}]\.)?)"
_PARTICLE = r"(?:van|de|der|den|het|ten|ter|te|vanden|vander|vande|le|la|du|des|di|da|von|'t)"
_NAME = rf"(?:{_PARTICLE}\s+)?{_PART}(?:\s+(?:{_PARTICLE}\s+){{0,2}}{_PART}){{0,3}}"

# Lower-case offices and forms of address (Dutch and French) may open a sentence, hence (?i:...).
_TITLES_ANY_CASE = (
    r"de\s+heer|heer|mevrouw|mevr\.?|dhr\.?|mr\.?|mijnheer|meneer|juffrouw|meester|mter\.?|"
    r"burgemeester|schepen|raadslid|gemeenteraadslid|ocmw-raadslid|voorzitter|ondervoorzitter|"
    r"secretaris|algemeen\s+directeur|financieel\s+directeur|directeur|notaris|advocaat|dokter|"
    r"dr\.|prof\.|pastoor|monsieur|madame|mademoiselle|maître|bourgmestre|échevine?|"
    r"conseill(?:er|ère)(?:\s+communal(?:e)?)?|présidente?|docteur|avocate?|notaire"
)
# Short French abbreviations only count with their exact capitals ("M." is not "m.").
_TITLES_EXACT = r"M\.|MM\.|Mme|Mmes|Mlle|Me|Dhr\.|Mevr\."
_TITLE_RE = re.compile(
    rf"(?<![\w])(?:(?i:{_TITLES_ANY_CASE})|{_TITLES_EXACT})\s+(?P<name>{_NAME})(?![\w])"
)

# Capitalised words that follow an office but are not names ("de heer Voorzitter").
_NOT_NAMES = frozenset(
    w.lower()
    for w in (
        "Voorzitter Burgemeester Schepen Gemeenteraad College Raad Stad Gemeente Secretaris "
        "Directeur Minister Gouverneur Provincie Vlaanderen Vlaamse OCMW Dienst Bestuur "
        "Zie Ook Dit Deze Die Wij Ik U Hij Zij "
        "Président Bourgmestre Commune Conseil Ville Collège Madame Monsieur Mevrouw Heer"
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
        or re.fullmatch(_PARTICLE, text[words[-1][0] : words[-1][1]], re.I)
    ):
        words.pop()
    if not words:
        return None
    s, e = words[0][0], words[-1][1]
    if not re.search(f"[{_UP}][{_LOW}]", text[s:e]):  # initials alone are not a name
        return None
    return s, e


def title_name_spans(text: str) -> Iterator[RawSpan]:
    """Names after a form of address or an office, Dutch and French."""
    for m in _TITLE_RE.finditer(text):
        trimmed = _trim_name(text, m.start("name"), m.end("name"))
        if trimmed:
            yield RawSpan("PERSON", trimmed[0], trimmed[1], 0.8)


_NAME_RUN_RE = re.compile(rf"{_PART}(?:\s+(?:{_PARTICLE}\s+){{0,2}}{_PART}){{1,3}}")


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


def ner_person_spans(entities: Sequence[Entity], text: str) -> Iterator[RawSpan]:
    """PER entities of any NerTagger as PERSON spans (office words at the edges trimmed)."""
    for ent in entities:
        if ent.label != "PER":
            continue
        trimmed = _trim_name(text, ent.start, ent.end)
        if trimmed:
            yield RawSpan("PERSON", trimmed[0], trimmed[1], round(0.85 * ent.score, 3))
