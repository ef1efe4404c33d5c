"""Rule detectors for Belgian identifiers and contact data.

Every number-like identifier is reported only when its checksum is valid (python-stdnum does the
arithmetic); the regular expressions merely propose candidates. Formatting and nearby keywords set
the score, so that the merge step can settle overlaps such as a 10-digit enterprise number that
also looks like a phone number.

The patterns run over untrusted text of up to hundreds of thousands of characters while holding
the GIL, so each must take linear time: a match attempt may only look a bounded distance ahead
(bounded, possessive quantifiers; no unbounded run that a later failure makes the engine retry from
every start). tests/unit/test_pii_linear.py holds the hostile inputs that once took quadratic time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stdnum import iban as std_iban
from stdnum.be import bis as std_bis
from stdnum.be import eid as std_eid
from stdnum.be import nn as std_nn
from stdnum.be import ogm_vcs as std_ogm
from stdnum.be import vat as std_vat
from stdnum.exceptions import ValidationError


@dataclass(frozen=True)
class RawSpan:
    entity_type: str
    start: int
    end: int
    score: float


# A candidate must not be glued to other digits or letters, or it is part of something longer.
_NB = r"(?<![\w.+/-])"  # no word char or separator right before
_NA = r"(?![\w]|[.\-/][0-9A-Za-z])"  # no word char, and no separator followed by more of it


def _keyword_near(text: str, start: int, words: re.Pattern[str], window: int = 40) -> bool:
    return bool(words.search(text, max(0, start - window), start))


# --- Rijksregisternummer / INSZ and BIS --------------------------------------------------------

_NN_RE = re.compile(_NB + r"\d{2}[. ]?\d{2}[. ]?\d{2}[ .-]?\d{3}[. -]?\d{2}" + _NA)
_NN_WORDS = re.compile(
    r"(?i)rijksregister|\bINSZ\b|\bRRN\b|\bNISS?\b|registre national|identificatienummer|\bBIS\b"
)


def _national_numbers(text: str) -> Iterator[RawSpan]:
    for m in _NN_RE.finditer(text):
        number = re.sub(r"\D", "", m.group())
        context = 0.05 if _keyword_near(text, m.start(), _NN_WORDS) else 0.0
        if std_nn.is_valid(number):
            yield RawSpan("BE_NATIONAL_NUMBER", m.start(), m.end(), 0.9 + context)
        elif std_bis.is_valid(number):
            yield RawSpan("BE_BIS_NUMBER", m.start(), m.end(), 0.9 + context)


# --- Enterprise (KBO) and VAT numbers ----------------------------------------------------------

_VAT_RE = re.compile(r"(?<![\w])BE[ -]?(?:0|1)?\d{3}[. ]?\d{3}[. ]?\d{3}" + _NA)
_KBO_DOTTED_RE = re.compile(_NB + r"[01]\d{3}\.\d{3}\.\d{3}" + _NA)
_KBO_PLAIN_RE = re.compile(_NB + r"[01]\d{3}[ ]?\d{3}[ ]?\d{3}" + _NA)
_KBO_WORDS = re.compile(
    r"(?i)ondernemingsn|\bKBO\b|\bBTW|\bTVA\b|n° d'entreprise|numéro d'entreprise|\bVAT\b|\bond\.?\s*nr"
)


def _enterprise_numbers(text: str) -> Iterator[RawSpan]:
    seen: set[int] = set()
    for m in _VAT_RE.finditer(text):
        if std_vat.is_valid(m.group()):
            seen.add(m.start())
            yield RawSpan("BE_ENTERPRISE_NUMBER", m.start(), m.end(), 0.95)
    for m in _KBO_DOTTED_RE.finditer(text):
        if m.start() not in seen and std_vat.is_valid(m.group()):
            seen.add(m.start())
            yield RawSpan("BE_ENTERPRISE_NUMBER", m.start(), m.end(), 0.9)
    for m in _KBO_PLAIN_RE.finditer(text):
        if m.start() in seen or not std_vat.is_valid(m.group()):
            continue
        # A bare 10-digit number may as well be a phone number: only keywords make it sure.
        score = 0.9 if _keyword_near(text, m.start(), _KBO_WORDS) else 0.6
        yield RawSpan("BE_ENTERPRISE_NUMBER", m.start(), m.end(), score)


# --- IBAN ------------------------------------------------------------------------------------

_IBAN_RE = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])")


def _iban_ok(value: str) -> bool:
    """ISO 13616 checksum and length per country, plus the Belgian BBAN's own mod 97.

    python-stdnum's full check also demands a bank code from its bank list; a new or small bank
    is still an account number, so that list is not consulted.
    """
    try:
        number = std_iban.validate(value, check_country=False)
    except ValidationError:
        return False
    if number.startswith("BE"):
        return len(number) == 16 and int(number[-2:]) == (int(number[4:-2]) % 97 or 97)
    return True


def _ibans(text: str) -> Iterator[RawSpan]:
    for m in _IBAN_RE.finditer(text):
        candidate = m.group()
        # The pattern may swallow a following word of four capitals: try shorter cuts too.
        cuts = [i for i, ch in enumerate(candidate) if ch == " "] + [len(candidate)]
        for cut in sorted(cuts, reverse=True):
            if _iban_ok(candidate[:cut]):
                yield RawSpan("IBAN", m.start(), m.start() + cut, 0.95)
                break


# --- eID card number and OGM/VCS structured communication --------------------------------------

_EID_RE = re.compile(_NB + r"\d{3}-?\d{7}-?\d{2}" + _NA)
_EID_SPACED_RE = re.compile(_NB + r"\d{3} \d{7} \d{2}" + _NA)
_EID_WORDS = re.compile(r"(?i)kaartnummer|identiteitskaart|\beID\b|carte d'identité|n° de carte|kaart nr")
_OGM_RE = re.compile(r"(?:\+\+\+|\*\*\*)\s?\d{3}\s?/\s?\d{4}\s?/\s?\d{5}\s?(?:\+\+\+|\*\*\*)")
_OGM_BARE_RE = re.compile(_NB + r"\d{3}/\d{4}/\d{5}" + _NA)


def _eid_and_ogm(text: str) -> Iterator[RawSpan]:
    taken: set[int] = set()  # offsets inside an OGM already found (a set: thousands of OGMs stay linear)
    for rx in (_OGM_RE, _OGM_BARE_RE):
        for m in rx.finditer(text):
            if m.start() in taken:
                continue
            if std_ogm.is_valid(re.sub(r"\D", "", m.group())):
                taken.update(range(m.start(), m.end()))
                yield RawSpan("BE_OGM", m.start(), m.end(), 0.95 if rx is _OGM_RE else 0.85)
    for rx in (_EID_RE, _EID_SPACED_RE):
        for m in rx.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if len(digits) != 12 or not std_eid.is_valid(digits):
                continue
            near = _keyword_near(text, m.start(), _EID_WORDS, 60)
            dashed = m.group().count("-") == 2
            if near or dashed:
                yield RawSpan("BE_EID_CARD", m.start(), m.end(), 0.9 if near else 0.75)


# --- Phone numbers ---------------------------------------------------------------------------

_SEP = r"[ ./-]?"
_PHONE_INTL_RE = re.compile(
    r"(?<![\w+])(?:\+|00)32" + _SEP + r"(?:\(0\)" + _SEP + r")?[1-9](?:" + _SEP + r"\d){7,8}(?![\d]|[ ./-]\d)"
)
_PHONE_NATIONAL_RE = re.compile(
    r"(?<![\w+./-])(?:\(0[1-9]\d?\)|0[1-9])(?:" + _SEP + r"\d){7,8}(?![\d]|[ ./-]\d)"
)
_PHONE_FOREIGN_RE = re.compile(
    r"(?<![\w+])(?:\+|00)(?!32)[1-9]\d{0,2}(?:[ ./-]?\(?\d\)?){6,12}(?![\d]|[ ./-]\d)"
)
_PHONE_WORDS = re.compile(r"(?i)\btel\b|telefoon|\bgsm\b|mobiel|\bfax\b|téléphone|\btél\b|bel\b|phone")


def _phones(text: str) -> Iterator[RawSpan]:
    for m in _PHONE_INTL_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group().replace("(0)", ""))
        national = digits[4:] if digits.startswith("0032") else digits[2:]
        if len(national) == 8 or (len(national) == 9 and national.startswith("4")):
            yield RawSpan("PHONE_NUMBER", m.start(), m.end(), 0.9)
    for m in _PHONE_NATIONAL_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) == 9 or (len(digits) == 10 and digits.startswith("04")):
            near = _keyword_near(text, m.start(), _PHONE_WORDS, 25)
            formatted = digits != m.group()
            yield RawSpan("PHONE_NUMBER", m.start(), m.end(), 0.85 if near else (0.7 if formatted else 0.55))
    for m in _PHONE_FOREIGN_RE.finditer(text):
        yield RawSpan("PHONE_NUMBER", m.start(), m.end(), 0.7)


# --- E-mail ----------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w])")


def _emails(text: str) -> Iterator[RawSpan]:
    for m in _EMAIL_RE.finditer(text):
        yield RawSpan("EMAIL_ADDRESS", m.start(), m.end(), 0.95)


# --- Licence plates --------------------------------------------------------------------------

_PLATE_NEW_RE = re.compile(r"(?<![\w-])[1-9]-?[A-Z]{3}-?\d{3}(?![\w]|-\w)")
_PLATE_OLD_RE = re.compile(r"(?<![\w-])(?:[A-Z]{3}-\d{3}|\d{3}-[A-Z]{3})(?![\w]|-\w)")
_PLATE_WORDS = re.compile(r"(?i)nummerplaat|kenteken|\bplaat\b|inschrijvingsplaat|plaque|immatricul|voertuig")


def _plates(text: str) -> Iterator[RawSpan]:
    for rx, base in ((_PLATE_NEW_RE, 0.75), (_PLATE_OLD_RE, 0.45)):
        for m in rx.finditer(text):
            score = 0.55 if rx is _PLATE_NEW_RE and "-" not in m.group() else base
            near = _keyword_near(text, m.start(), _PLATE_WORDS, 40)
            yield RawSpan("LICENSE_PLATE", m.start(), m.end(), min(0.95, score + (0.2 if near else 0.0)))


# --- Dates of birth --------------------------------------------------------------------------

_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|"
    "jan\\.?|feb\\.?|febr\\.?|mrt\\.?|apr\\.?|jun\\.?|jul\\.?|aug\\.?|sep\\.?|sept\\.?|"
    "okt\\.?|oct\\.?|nov\\.?|dec\\.?|déc\\.?"
)
_DATE = (
    r"(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|"
    r"(?:\d{1,2}|1er)\s+(?:" + _MONTHS + r")\s+\d{4})"
)
_DOB_RE = re.compile(
    r"(?i)(?:(?<!\w)(?:geboren|geboortedatum|geb\.|née?\s+le|née?\s|date de naissance|born|birth)|°)"
    r"[^\n\d]{0,30}?(?P<date>" + _DATE + r")(?![\d])"
)


def _dates_of_birth(text: str) -> Iterator[RawSpan]:
    for m in _DOB_RE.finditer(text):
        yield RawSpan("DATE_OF_BIRTH", m.start("date"), m.end("date"), 0.85)


# --- Belgian addresses -----------------------------------------------------------------------

_UP = r"[A-ZÀ-Ý]"
_WORD = r"[\wÀ-ÿ'’-]"
# One word of a street name, after its capital. Bounded and possessive: "A-A-A-..." is one long
# word that starts a candidate at every capital, so an unbounded run made each attempt read to the
# end of the text (quadratic: 16,000 characters took 12 s). No street word is this long.
MAX_STREET_WORD = 60
_REST = _WORD + f"{{0,{MAX_STREET_WORD}}}+"
_S = r"[^\S\n]+"  # spaces (incl. no-break) but never a line break: addresses sit on one line
# Suffixes that make a word a street name on their own, even without postcode ...
_STREET_SUFFIX = (
    r"straat|laan|plein|steenweg|dreef|weg|lei|baan|markt|kaai|dijk|singel|vest|pad|wegel|"
    r"gracht|plaats|kouter|dries|kade|straatje|wegje|laantje|square|dam"
)
# ... and suffixes that are also common in place names: street only with a postcode after it.
_LOOSE_SUFFIX = _STREET_SUFFIX + (
    r"|hof|park|berg|veld|meers|akker|heide|bos|hoek|wijk|erf|gaarde|ring|poort|brug|tuin|dal|vliet|beek|dorp"
)
_STREET_WORD = (
    r"(?:Markt|Plein|Baan|Steenweg|Dreef|Lei|Kaai|Dijk|Heirweg|Dorp|Kouter|Dries|Vest|Singel|Zeedijk)"
)
_FR_STREET = (
    r"(?:[Rr]ue|[Aa]venue|[Cc]haussée|[Bb]oulevard|[Pp]lace|[Cc]hemin|[Aa]llée|[Qq]uai|[Ss]quare|"
    r"[Ii]mpasse|[Rr]oute|[Dd]rève)"
)
_LINK = r"(?:(?:de|van|der|den|ter|ten|'t|op|aan|la|le)" + _S + r")?"


def _ends_with(suffixes: str) -> str:
    """A test that the word just read ends in one of `suffixes` (a lookbehind per suffix length).

    Every street pattern goes on with a space, so "a word that ends in a suffix" is the same as the
    lazy "capital, then letters up to a suffix" it replaces, without trying each cut of the word.
    """
    by_width: dict[int, list[str]] = {}
    for suffix in suffixes.split("|"):
        by_width.setdefault(len(suffix), []).append(suffix)
    return "(?:" + "|".join(f"(?<={'|'.join(group)})" for group in by_width.values()) + ")"


def _street(suffixes: str) -> str:
    return (
        r"(?:(?:" + _UP + _REST + _S + _LINK + r"){0,3}"
        r"(?:d['’])?" + _UP + _REST + _ends_with(suffixes)  # "Graaf d'Ursellaan"
        + r"|(?:" + _UP + _REST + _S + r"){0,2}" + _STREET_WORD +
        r"|" + _FR_STREET + r"(?:" + _S + r"(?:de" + _S + r"la|de|du|des|d'|l'|la|le))?"
        + r"(?:" + _S + r"|(?<='))"  # "rue d'Arlon": no space after the apostrophe
        + _UP + _REST + r"(?:" + _S + _UP + _REST + r"){0,2})"
    )


_HOUSE = (
    r"\d{1,4}(?:[a-zA-Z](?![\w]))?(?:-\d{1,4}){0,3}"  # 135-137-139
    r"(?:(?:" + _S + r")?(?:bus|bte|boîte|b\.|/)(?:" + _S + r")?-?\d{1,4}(?:\.\d{1,3})?[a-zA-Z]?)?"
)
_MUNI = (
    r"(?:(?:La|Le|Les)" + _S + r")?" + _UP + r"[\wà-ÿ'’]+"
    r"(?:-(?:(?:aan|bij|op|in|de|den|sur|lez|les|l')-?)?" + _UP + r"[\wà-ÿ'’]+){0,3}"  # Knokke-Heist
)
_POSTCODE = r"[1-9]\d{3}"
_ADDRESS_FULL_RE = re.compile(
    r"(?<![\w])" + _street(_LOOSE_SUFFIX) + _S + _HOUSE
    + r"(?:(?:" + _S + r")?,(?:" + _S + r")?|" + _S + r"te" + _S + r"|" + _S + r")"
    + _POSTCODE + _S + _MUNI
)
_ADDRESS_STREET_RE = re.compile(r"(?<![\w])" + _street(_STREET_SUFFIX) + _S + _HOUSE + r"(?![\w])")
_POSTCODE_MUNI_RE = re.compile(r"(?<![\w./-])(?P<pc>" + _POSTCODE + r")" + _S + _MUNI)
# Capitalised words right after a year-like number are more often a heading than a municipality.
_NOT_MUNI = re.compile(
    r"(?i)^(?:de|het|een|en|in|op|van|voor|tot|met|om|bij|is|was|werd|zijn|le|la|les|et|euro|EUR)$"
)
# Capitalised nouns that open a phrase before a street name ("Onbewoonbaarverklaring Kerkstraat 3").
_NOT_STREET_START = re.compile(
    r"(?:\w{5,}(?:ing|heid|tie|teit|schap|ment|sie|ties|ingen)|Akkoord|Pand|Adres|Gelegen|Hoek|Zie|Codex|"
    r"Gemeente|Stad|Woning|Perceel|Huis|Zitting|Domicilie|Agenda|Pdf-versie|Aankoop|Verkoop)$"
)


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


def _addresses(text: str) -> Iterator[RawSpan]:
    for m in _ADDRESS_FULL_RE.finditer(text):
        yield RawSpan("BE_ADDRESS", _trim_street_start(text, m.start(), m.end()), m.end(), 0.9)
    for m in _ADDRESS_STREET_RE.finditer(text):
        yield RawSpan("BE_ADDRESS", _trim_street_start(text, m.start(), m.end()), m.end(), 0.7)
    for m in _POSTCODE_MUNI_RE.finditer(text):
        first = m.group().split()[1]
        if _NOT_MUNI.match(first):
            continue
        year_like = 1900 <= int(m.group("pc")) <= 2099
        before = text[max(0, m.start() - 4) : m.start()]
        after_sep = bool(re.search(r"(?:,|\bte|\n)\s*$", before)) or m.start() == 0
        if year_like and not after_sep:
            continue
        yield RawSpan("BE_ADDRESS", m.start(), m.end(), 0.6 if after_sep else 0.5)


DETECTORS: dict[str, Callable[[str], Iterator[RawSpan]]] = {
    "national_numbers": _national_numbers,
    "enterprise_numbers": _enterprise_numbers,
    "ibans": _ibans,
    "eid_and_ogm": _eid_and_ogm,
    "phones": _phones,
    "emails": _emails,
    "plates": _plates,
    "dates_of_birth": _dates_of_birth,
    "addresses": _addresses,
}


def rule_spans(text: str) -> list[RawSpan]:
    """All candidate spans of every identifier rule (overlaps are settled by the caller)."""
    out: list[RawSpan] = []
    for detect in DETECTORS.values():
        out.extend(detect(text))
    return out


def is_valid_identifier(entity_type: str, value: str) -> bool:
    """Checksum check by type, for callers that validate a value on its own (e.g. hand-added spans)."""
    digits = re.sub(r"\D", "", value)
    try:
        if entity_type == "BE_NATIONAL_NUMBER":
            return bool(std_nn.validate(digits))
        if entity_type == "BE_BIS_NUMBER":
            return bool(std_bis.validate(digits))
        if entity_type == "BE_ENTERPRISE_NUMBER":
            return bool(std_vat.validate(value))
        if entity_type == "IBAN":
            return _iban_ok(value)
        if entity_type in ("BE_EID_CARD", "BE_OGM"):
            return len(digits) == 12 and bool(std_eid.validate(digits))
    except ValidationError:
        return False
    return True
