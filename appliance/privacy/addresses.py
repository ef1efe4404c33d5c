"""Belgian addresses: street + house number [+ postcode + municipality], and postcode + municipality.

Street names are recognised by their type (a suffix such as -straat, -laan, -steenweg, their
abbreviations Kerkstr., Brusselse Stwg., Leopoldln., or a French type word: rue, av., bd, chée);
municipalities by the postcode before them, or, in the order "Brussel 1000", by the Statbel
postcode list in data/be_postcodes.tsv (CC BY 4.0, see data/README.md).

Every pattern runs over untrusted text of any length, so it must take linear time: bounded and
possessive runs only (see rules.py and tests/unit/test_pii_linear.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

from appliance.privacy.spans import RawSpan

POSTCODES_FILE = Path(__file__).parent / "data" / "be_postcodes.tsv"

_UP = r"[A-ZÀ-Ý]"
_WORD = r"[\wÀ-ÿ'’-]"
# One word of a street name, after its capital. Bounded and possessive: "A-A-A-..." is one long
# word that starts a candidate at every capital, so an unbounded run made each attempt read to the
# end of the text (quadratic: 16,000 characters took 12 s). No street word is this long.
MAX_STREET_WORD = 60
_REST = _WORD + f"{{0,{MAX_STREET_WORD}}}+"
_S = r"[^\S\n]+"  # spaces (incl. no-break) but never a line break: addresses sit on one line
# Suffixes that make a word a street name on their own, even without postcode (with the usual
# abbreviations: Kerkstr., Leopoldln., Brusselsestwg.) ...
_STREET_SUFFIX = (
    r"straat|laan|plein|steenweg|dreef|weg|lei|baan|markt|kaai|dijk|singel|vest|pad|wegel|"
    r"gracht|plaats|kouter|dries|kade|straatje|wegje|laantje|square|dam|hof|park|gaarde|erf|"
    r"str|ln|stwg|stwg|steenw|pln"
)
# ... and suffixes that are also common in place names: street only with a postcode after it.
_LOOSE_SUFFIX = _STREET_SUFFIX + (
    r"|berg|veld|meers|akker|heide|bos|hoek|wijk|ring|poort|brug|tuin|dal|vliet|beek|dorp"
)
_STREET_WORD = (
    r"(?:Markt|Plein|Baan|Steenweg|Dreef|Lei|Kaai|Dijk|Heirweg|Dorp|Kouter|Dries|Vest|Singel|Zeedijk|"
    r"Stwg\.?|Steenw\.|Str\.|Ln\.|Pl\.)"
)
_FR_STREET = (
    r"(?:[Rr]ue|[Aa]venue|[Cc]haussée|[Bb]oulevard|[Pp]lace|[Cc]hemin|[Aa]llée|[Qq]uai|[Ss]quare|"
    r"[Ii]mpasse|[Rr]oute|[Dd]rève|[Cc]hée|[Cc]h\.|[Aa]v\.?|[Aa]ve|[Bb]d\.?|[Bb]oul\.|[Bb]lvd\.?|"
    r"[Pp]l\.|[Ss]q\.|[Rr]te)"
)
_LINK = r"(?:(?:de|van|der|den|ter|ten|'t|op|aan|la|le)" + _S + r")?"


def _ends_with(suffixes: str) -> str:
    """A test that the word just read ends in one of `suffixes` (a lookbehind per suffix length),
    then an optional abbreviation dot.

    Every street pattern goes on with a space, so "a word that ends in a suffix" is the same as the
    lazy "capital, then letters up to a suffix" it replaces, without trying each cut of the word.
    """
    by_width: dict[int, set[str]] = {}
    for suffix in suffixes.split("|"):
        by_width.setdefault(len(suffix), set()).add(suffix)
    tests = "|".join(f"(?<={'|'.join(sorted(group))})" for group in by_width.values())
    return "(?:" + tests + r")\.?"


def _street(suffixes: str) -> str:
    return (
        r"(?:(?:" + _UP + _REST + r"\.?" + _S + _LINK + r"){0,3}"  # "Kon. Astridln."
        r"(?:d['’])?" + _UP + _REST + _ends_with(suffixes)  # "Graaf d'Ursellaan"
        + r"|(?:" + _UP + _REST + _S + r"){0,2}" + _STREET_WORD +
        r"|" + _FR_STREET + r"(?:" + _S + r"(?:de" + _S + r"la|de" + _S + r"l'|de|du|des|d'|l'|la|le))?"
        + r"(?:" + _S + r"|(?<='))"  # "rue d'Arlon": no space after the apostrophe
        + _UP + _REST + r"(?:" + _S + _UP + _REST + r"){0,2})"
    )


_HOUSE = (
    r"\d{1,4}(?:[a-zA-Z](?![\w]))?(?:-\d{1,4}){0,3}"  # 135-137-139
    r"(?:,?(?:" + _S + r")?(?:bus|Bus|bte|Bte|boîte|b\.|/)(?:" + _S + r")?-?(?:\d{1,4}(?:\.\d{1,3})?[a-zA-Z]?|[A-Z])"
    r"(?![\w]))?"
)
# A place name: capitalised parts joined by hyphens, with the link words of Belgian place names
# ("Louvain-la-Neuve", "Braine-l'Alleud", "Sint-Joost-ten-Node", "Mont-sur-Marchienne").
_MUNI = (
    r"(?:(?:La|Le|Les)" + _S + r")?" + _UP + r"[\wà-ÿ'’]{1,40}+"
    r"(?:-(?:(?:aan|bij|op|in|de|den|der|ter|ten|sur|sous|lez|lès|les|la|le|du|des|en)-){0,2}(?:l['’]|d['’])?"
    + _UP + r"[\wà-ÿ'’]{1,40}+){0,4}"
)
_POSTCODE = r"(?:B-|BE-)?[1-9]\d{3}"
_ADDRESS_FULL_RE = re.compile(
    r"(?<![\w])" + _street(_LOOSE_SUFFIX) + _S + _HOUSE
    + r"(?:(?:" + _S + r")?,(?:" + _S + r")?|" + _S + r"te" + _S + r"|" + _S + r"|(?:" + _S + r")?-" + _S + r")"
    + r"(?:" + _POSTCODE + _S + _MUNI + r"|" + _MUNI + _S + r"[1-9]\d{3}(?![\w]))"
)
_ADDRESS_STREET_RE = re.compile(r"(?<![\w])" + _street(_STREET_SUFFIX) + _S + _HOUSE + r"(?![\w])")
_POSTCODE_MUNI_RE = re.compile(r"(?<![\w./-])(?P<pc>" + _POSTCODE + r")" + _S + r"(?P<muni>" + _MUNI + ")")
_MUNI_POSTCODE_RE = re.compile(r"(?<![\w])(?P<muni>" + _MUNI + r")" + _S + r"(?P<pc>[1-9]\d{3})(?![\w]|[.,]\d)")
# Capitalised words right after a year-like number are more often a heading than a municipality.
_NOT_MUNI = re.compile(
    r"(?i)^(?:de|het|een|en|in|op|van|voor|tot|met|om|bij|is|was|werd|zijn|le|la|les|et|euro|EUR)$"
)
# Capitalised nouns that open a phrase before a street name ("Onbewoonbaarverklaring Kerkstraat 3").
_NOT_STREET_START = re.compile(
    r"(?:\w{5,}(?:ing|heid|tie|teit|schap|ment|sie|ties|ingen)|Akkoord|Pand|Adres|Gelegen|Hoek|Zie|Codex|"
    r"Gemeente|Stad|Woning|Perceel|Huis|Zitting|Domicilie|Agenda|Pdf-versie|Aankoop|Verkoop|Adresse|"
    r"Domicile|Address|Wonende|Demeurant|Gevestigd|Sise?|Situé|Située)$"
)


@functools.cache
def postcodes() -> dict[str, frozenset[str]]:
    """Postcode -> the casefolded names (nl and fr) of its municipalities, from data/be_postcodes.tsv."""
    table: dict[str, set[str]] = {}
    if POSTCODES_FILE.is_file():
        for line in POSTCODES_FILE.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                code, *names = line.split("\t")
                table.setdefault(code, set()).update(n.casefold() for n in names if n)
    return {code: frozenset(names) for code, names in table.items()}


def _trim_street_start(text: str, start: int, end: int) -> int:
    """Move the start past leading words that are clearly not part of the street name."""
    while True:
        m = re.match(r"(\S+)" + _S, text[start:end])
        if not m or not _NOT_STREET_START.match(m.group(1).rstrip(".:,")):
            return start
        rest = text[start + m.end() : end]
        if not re.match(_UP, rest):
            return start
        start += m.end()


@functools.cache
def _municipalities() -> frozenset[str]:
    return frozenset(name for names in postcodes().values() for name in names)


# After a street and number: ", Zele" or " te Gent", taken along when the place is a municipality.
_PLACE_AFTER_RE = re.compile(r"(?:(?:" + _S + r")?," + _S + r"|" + _S + r"te" + _S + r")(?P<muni>" + _MUNI + r")(?![\w])")


def _with_place(text: str, end: int) -> int:
    m = _PLACE_AFTER_RE.match(text, end)
    return m.end() if m and m.group("muni").casefold() in _municipalities() else end


def _known_pair(code: str, muni: str) -> bool:
    return muni.casefold() in postcodes().get(code.rsplit("-", 1)[-1], frozenset())


def _postcode_places(text: str) -> Iterator[RawSpan]:
    for m in _POSTCODE_MUNI_RE.finditer(text):
        if _known_pair(m.group("pc"), m.group("muni")):
            yield RawSpan("BE_ADDRESS", m.start(), m.end(), 0.8)
            continue
        if _NOT_MUNI.match(m.group("muni").split()[0]):
            continue
        code = int(m.group("pc")[-4:])
        year_like = 1900 <= code <= 2099
        before = text[max(0, m.start() - 4) : m.start()]
        after_sep = bool(re.search(r"(?:,|\bte|\n)\s*$", before)) or m.start() == 0
        if year_like and not after_sep:
            continue
        yield RawSpan("BE_ADDRESS", m.start(), m.end(), 0.6 if after_sep else 0.5)
    for m in _MUNI_POSTCODE_RE.finditer(text):
        # "Brussel 1000": only a known municipality with one of its own postcodes ("Gent 2018" is a year).
        if _known_pair(m.group("pc"), m.group("muni")):
            yield RawSpan("BE_ADDRESS", m.start(), m.end(), 0.75)


def street_addresses(text: str) -> Iterator[RawSpan]:
    """Addresses with a street and a house number (0.9 with its postcode and place, 0.7 without): where
    something is, as a department needs it; a postcode and place alone is only a place (`places`)."""
    for m in _ADDRESS_FULL_RE.finditer(text):
        yield RawSpan("BE_ADDRESS", _trim_street_start(text, m.start(), m.end()), m.end(), 0.9)
    for m in _ADDRESS_STREET_RE.finditer(text):
        yield RawSpan("BE_ADDRESS", _trim_street_start(text, m.start(), m.end()), _with_place(text, m.end()), 0.7)


def places(text: str) -> Iterator[RawSpan]:
    """A postcode with its municipality ("9000 Gent", "Brussel 1000"), without a street."""
    yield from _postcode_places(text)


def addresses(text: str) -> Iterator[RawSpan]:
    yield from street_addresses(text)
    yield from places(text)
