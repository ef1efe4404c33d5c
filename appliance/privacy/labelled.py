"""Shape plus keyword: a number right after its label whose checksum fails.

"Rijksregisternummer: 85.07.30-033.29" has one digit wrong, so no checksum rule reports it, yet
it is the person's number (or close enough to identify them). Such a number is proposed with a
review score (spans.REVIEW_SCORE): below the redaction threshold, so a person decides, never
silently passed. A number whose checksum holds is left to the checksum rules (rules.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from stdnum.be import bis as std_bis
from stdnum.be import eid as std_eid
from stdnum.be import nn as std_nn
from stdnum.be import vat as std_vat

from appliance.privacy.ibans import iban_cut
from appliance.privacy.spans import REVIEW_SCORE, RawSpan

# Between the label and the number: "INSZ-nummer: ", "numéro de registre national (NISS) : ", "nr."
_BRIDGE = r"[^\S\n]{0,3}(?:[.\-:(/)]|nr\.?|nummer|n°|no\.?|number|[^\S\n]){0,12}?[^\S\n]{0,3}"
_DIGITS = r"(?<![\w])\d(?:[ .\-/]{0,2}(?:\r?\n\f?|\f)?[ ]{0,2}\d){8,13}(?![\w]|[.\-/]\d)"
_IBAN_SHAPE = r"(?<![\w])[A-Za-z]{2}[ .]?\d{2}(?:[ .\-]?[A-Za-z0-9]){10,30}(?![\w])"


def _nn_invalid(digits: str) -> bool:
    return not (std_nn.is_valid(digits) or std_bis.is_valid(digits))


def _iban_invalid(value: str) -> bool:
    return not iban_cut(value)


def _iban_length(value: str) -> int:
    """Where a mistyped IBAN ends: a Belgian one after 16 characters, another after its last digit."""
    ends = [i + 1 for i, ch in enumerate(value) if ch.isalnum()]
    if value[:2].upper() == "BE":
        return ends[min(15, len(ends) - 1)]
    return max(i + 1 for i, ch in enumerate(value) if ch.isdigit())


# (entity type, label, number shape, digit counts that count as a mistyped number, still invalid?)
_LABELLED: list[tuple[str, str, str, range, Callable[[str], bool]]] = [
    (
        "BE_NATIONAL_NUMBER",
        (r"rijksregister\w*|\bINSZ\b|\bRRN\b|\bNISS?\b|registre national|numéro national|n° national"
        r"|identificatienummer|\bBIS(?:-nummer)?\b|national (?:register|number)"),
        _DIGITS, range(10, 13), _nn_invalid,
    ),
    (
        "BE_ENTERPRISE_NUMBER",
        (r"ondernemingsn\w*|\bKBO\b|\bBCE\b|numéro d'entreprise|n° d'entreprise|\bBTW(?:-nummer)?\b|\bTVA\b"
        r"|enterprise number"),
        r"(?<![\w])(?:(?i:BE)[ .\-]?)?\d(?:[ .\-]{0,2}\d){8,10}(?![\w]|[.\-/]\d)",
        range(9, 12), lambda v: not std_vat.is_valid(re.sub(r"\D", "", v)),
    ),
    (
        "BE_EID_CARD",
        r"kaartnummer|kaartnr|identiteitskaart\w*|\beID\b|carte d'identité|numéro de carte|n° de carte",
        _DIGITS, range(11, 14), lambda v: not std_eid.is_valid(re.sub(r"\D", "", v)),
    ),
    (
        "IBAN",
        r"\bIBAN\b|rekeningnummer|rekening|numéro de compte|\bcompte\b|account number",
        _IBAN_SHAPE, range(100), _iban_invalid,
    ),
]
_RULES = [
    (kind, re.compile(r"(?i)(?:" + label + r")" + _BRIDGE + r"(?P<number>" + shape + ")"), counts, invalid)
    for kind, label, shape, counts, invalid in _LABELLED
]


def labelled_mistypes(text: str) -> Iterator[RawSpan]:
    for kind, rx, counts, invalid in _RULES:
        for m in rx.finditer(text):
            number = m.group("number")
            digits = re.sub(r"\D", "", number)
            if kind != "IBAN" and len(digits) not in counts:
                continue
            if not invalid(number if kind in ("IBAN", "BE_ENTERPRISE_NUMBER") else digits):
                continue
            end = m.start("number") + _iban_length(number) if kind == "IBAN" else m.end("number")
            yield RawSpan(kind, m.start("number"), end, REVIEW_SCORE)
