"""Rule detectors for Belgian identifiers and contact data.

Every number-like identifier is reported only when its checksum is valid (python-stdnum does the
arithmetic); the regular expressions merely propose candidates. They accept the ways people and
scanners write these numbers: spaces, dots, dashes or a line or page break between the groups, and
lower case ("be68 5390 0754 7034"). Formatting and nearby keywords set the score, so that the merge
step can settle overlaps such as a 10-digit enterprise number that also looks like a phone number.
A number of the right shape right after its label whose checksum fails (a typing error) is still
proposed, with a review score (spans.REVIEW_SCORE), rather than passed silently.

The patterns run over untrusted text of up to hundreds of thousands of characters while holding
the GIL, so each must take linear time: a match attempt may only look a bounded distance ahead
(bounded, possessive quantifiers; no unbounded run that a later failure makes the engine retry from
every start). tests/unit/test_pii_linear.py holds the hostile inputs that once took quadratic time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from stdnum.be import bis as std_bis
from stdnum.be import eid as std_eid
from stdnum.be import nn as std_nn
from stdnum.be import ogm_vcs as std_ogm
from stdnum.be import vat as std_vat
from stdnum.exceptions import ValidationError

from appliance.privacy.addresses import addresses as _addresses
from appliance.privacy.dates import dates_of_birth as _dates_of_birth
from appliance.privacy.ibans import iban_ok
from appliance.privacy.ibans import ibans as _ibans
from appliance.privacy.labelled import labelled_mistypes
from appliance.privacy.spans import RawSpan

__all__ = ["DETECTORS", "RawSpan", "is_valid_identifier", "rule_spans"]

# A candidate must not be glued to other digits or letters, or it is part of something longer.
_NB = r"(?<![\w.+/-])"  # no word char or separator right before
_NA = r"(?![\w]|[.\-/][0-9A-Za-z])"  # no word char, and no separator followed by more of it
# Between two groups of digits: nothing, a space, a dot, a dash, or a line or page break (a number
# that wraps at the end of a line, or a page break in extracted text), with a few spaces around.
_G = r"(?:[ \u00a0]{0,2}[.\-]?[ \u00a0]{0,2}(?:\r?\n\f?|\f)?[ \u00a0]{0,2})"


def _keyword_near(text: str, start: int, words: re.Pattern[str], window: int = 40) -> bool:
    return bool(words.search(text, max(0, start - window), start))


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


# --- Rijksregisternummer / INSZ and BIS --------------------------------------------------------

_NN_RE = re.compile(_NB + r"\d{2}" + _G + r"\d{2}" + _G + r"\d{2}" + _G + r"\d{3}" + _G + r"\d{2}" + _NA)
_NN_WORDS = re.compile(
    r"(?i)rijksregister|\bINSZ\b|\bRRN\b|\bNISS?\b|registre national|identificatienummer|\bBIS\b"
    r"|national regist|numéro national"
)


def _national_numbers(text: str) -> Iterator[RawSpan]:
    for m in _NN_RE.finditer(text):
        number = _digits(m.group())
        if len(number) != 11:
            continue
        context = 0.05 if _keyword_near(text, m.start(), _NN_WORDS) else 0.0
        if std_nn.is_valid(number):
            yield RawSpan("BE_NATIONAL_NUMBER", m.start(), m.end(), 0.9 + context)
        elif std_bis.is_valid(number):
            yield RawSpan("BE_BIS_NUMBER", m.start(), m.end(), 0.9 + context)


# --- Enterprise (KBO) and VAT numbers ----------------------------------------------------------

_VAT_RE = re.compile(r"(?<![\w])(?i:BE)" + _G + r"[01]?\d{3}" + _G + r"\d{3}" + _G + r"\d{3}" + _NA)
_KBO_RE = re.compile(_NB + r"[01]\d{3}" + _G + r"\d{3}" + _G + r"\d{3}" + _NA)
KBO_WORDS = re.compile(
    r"(?i)ondernemingsn|\bKBO\b|\bBTW|\bTVA\b|n° d'entreprise|numéro d'entreprise|\bVAT\b|\bond\.?\s*nr|\bBCE\b"
    r"|\bCBE\b|enterprise number|company number"
)


def _enterprise_numbers(text: str) -> Iterator[RawSpan]:
    for m in _VAT_RE.finditer(text):
        if std_vat.is_valid(_digits(m.group())):
            yield RawSpan("BE_ENTERPRISE_NUMBER", m.start(), m.end(), 0.95)
    for m in _KBO_RE.finditer(text):
        if not std_vat.is_valid(_digits(m.group())):
            continue
        # A bare 10-digit number may as well be a phone number: only keywords or dots make it sure.
        dotted = m.group().count(".") == 2
        score = 0.9 if dotted or _keyword_near(text, m.start(), KBO_WORDS) else 0.6
        yield RawSpan("BE_ENTERPRISE_NUMBER", m.start(), m.end(), score)


# --- eID card number and OGM/VCS structured communication --------------------------------------

_EID_RE = re.compile(_NB + r"\d{3}" + _G + r"\d{7}" + _G + r"\d{2}" + _NA)
_EID_WORDS = re.compile(
    r"(?i)kaartnummer|kaartnr|identiteitskaart|\beID\b|carte d'identité|n° de carte|numéro de carte|kaart nr|id card"
    r"|card number|\bID-kaart"
)
_OGM_RE = re.compile(
    r"(?:\+\+\+|\*\*\*)\s?\d{3}\s?/\s?\d{4}\s?/\s?\d{5}\s?(?:\+\+\+|\*\*\*)"
)
_OGM_BARE_RE = re.compile(_NB + r"\d{3}" + _G + r"/?" + _G + r"\d{4}" + _G + r"/?" + _G + r"\d{5}" + _NA)
_OGM_WORDS = re.compile(r"(?i)mededeling|communication|\bOGM\b|\bVCS\b|\bref(?:erence|\.)|référence|betaalreferte")


def _ogms(text: str, taken: set[int]) -> Iterator[RawSpan]:
    for rx in (_OGM_RE, _OGM_BARE_RE):
        for m in rx.finditer(text):
            if m.start() in taken or not std_ogm.is_valid(_digits(m.group())):
                continue
            if rx is _OGM_RE:
                score = 0.95
            elif m.group().count("/") == 2:
                score = 0.85
            elif _keyword_near(text, m.start(), _OGM_WORDS, 40):
                score = 0.8
            else:
                continue  # twelve plain digits: an eID number, an order number, ... not an OGM
            taken.update(range(m.start(), m.end()))
            yield RawSpan("BE_OGM", m.start(), m.end(), score)


def _eid_and_ogm(text: str) -> Iterator[RawSpan]:
    taken: set[int] = set()  # offsets inside an OGM already found (a set: thousands of OGMs stay linear)
    yield from _ogms(text, taken)
    for m in _EID_RE.finditer(text):
        digits = _digits(m.group())
        if m.start() in taken or len(digits) != 12 or not std_eid.is_valid(digits):
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


# The shape of an enterprise number (0123.456.749): a phone number is not grouped 4-3-3 with dots.
_KBO_SHAPE = re.compile(r"[01]\d{3}\.\d{3}\.\d{3}")
_ID_LABELS = re.compile(KBO_WORDS.pattern + "|" + _NN_WORDS.pattern.removeprefix("(?i)"))
_DIGITS_BEFORE = re.compile(r"\d[ .]$")


def _phones(text: str) -> Iterator[RawSpan]:
    for m in _PHONE_INTL_RE.finditer(text):
        digits = _digits(m.group().replace("(0)", ""))
        national = digits[4:] if digits.startswith("0032") else digits[2:]
        if len(national) == 8 or (len(national) == 9 and national.startswith("4")):
            yield RawSpan("PHONE_NUMBER", m.start(), m.end(), 0.9)
    for m in _PHONE_NATIONAL_RE.finditer(text):
        digits = _digits(m.group())
        if len(digits) == 9 or (len(digits) == 10 and digits.startswith("04")):
            near = _keyword_near(text, m.start(), _PHONE_WORDS, 25)
            # A mistyped enterprise or national number after its label is still no phone number.
            if not near and (_KBO_SHAPE.fullmatch(m.group()) or _keyword_near(text, m.start(), _ID_LABELS, 30)):
                continue
            if _DIGITS_BEFORE.search(text, max(0, m.start() - 2), m.start()):
                continue  # the tail of a longer number ("70 09 12 431 58"), not a number of its own
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

# 1-ABC-123 (since 2010), ABC-123 and 123-ABC (older); separators dash, space or dot, or none.
_PSEP = r"[-. ]?"
_PLATE_NEW_RE = re.compile(r"(?<![\w-])[1-9]" + _PSEP + r"[A-Za-z]{3}" + _PSEP + r"\d{3}(?![\w]|-\w)")
_PLATE_OLD_RE = re.compile(
    r"(?<![\w-])(?:[A-Za-z]{3}" + _PSEP + r"\d{3}|\d{3}" + _PSEP + r"[A-Za-z]{3})(?![\w]|-\w)"
)
_PLATE_WORDS = re.compile(
    r"(?i)nummerplaat|kenteken|\bplaat\b|inschrijvingsplaat|plaque|immatricul|voertuig|véhicule|license plate"
)


def _plates(text: str) -> Iterator[RawSpan]:
    for rx in (_PLATE_NEW_RE, _PLATE_OLD_RE):
        for m in rx.finditer(text):
            plate = m.group()
            near = _keyword_near(text, m.start(), _PLATE_WORDS, 40)
            usual = plate.isupper() and plate.count("-") == (2 if rx is _PLATE_NEW_RE else 1)
            if not plate.isupper() and " " in plate:
                continue  # "3 van 100", "mei 201": lower case only with dashes or none
            if not usual and not near and not (plate.isupper() and rx is _PLATE_NEW_RE):
                continue  # other spellings of an old plate only next to a keyword
            if rx is _PLATE_NEW_RE:
                score = 0.75 if usual else 0.55
            else:
                score = 0.45
            yield RawSpan("LICENSE_PLATE", m.start(), m.end(), min(0.95, score + (0.25 if near else 0.0)))


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
    "labelled_mistypes": labelled_mistypes,
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
            return iban_ok(value)
        if entity_type in ("BE_EID_CARD", "BE_OGM"):
            return len(digits) == 12 and bool(std_eid.validate(digits))
    except ValidationError:
        return False
    return True
