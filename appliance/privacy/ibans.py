"""IBAN: Belgian and foreign account numbers, validated by checksum (python-stdnum)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban as std_iban
from stdnum.exceptions import ValidationError

from appliance.privacy.spans import RawSpan

# Country code (any case), check digits, then up to 30 letters or digits with a separator between
# any two of them ("BE 68 5390 0754 7034", "be68539007547034", "BE68.5390.0754.7034", wrapped).
_IBAN_GAP = r"(?:[ \u00a0.\-]|[ \u00a0]{0,2}(?:\r?\n\f?|\f\n?)[ \u00a0]{0,2})?"
_IBAN_RE = re.compile(
    r"(?<![\w])[A-Za-z]{2}" + _IBAN_GAP + r"\d{2}(?:" + _IBAN_GAP + r"[A-Za-z0-9]){8,30}+"
)


def iban_ok(value: str) -> bool:
    """ISO 13616 checksum and length per country, plus the Belgian BBAN's own mod 97.

    python-stdnum's full check also demands a bank code from its bank list; a new or small bank
    is still an account number, so that list is not consulted.
    """
    try:
        number = std_iban.validate(re.sub(r"\s", "", value), check_country=False)
    except ValidationError:
        return False
    if number.startswith("BE"):
        return len(number) == 16 and int(number[-2:]) == (int(number[4:-2]) % 97 or 97)
    return True


def iban_cut(candidate: str) -> int:
    """The length of the longest start of `candidate` that is a valid IBAN, or 0.

    The run may swallow the words after the number ("... 7034 en"). Cuts end after a letter or
    digit, never on a separator.
    """
    ends = [i + 1 for i, ch in enumerate(candidate) if ch.isalnum()]
    return next((end for end in reversed(ends[11:]) if iban_ok(candidate[:end])), 0)


def ibans(text: str) -> Iterator[RawSpan]:
    for m in _IBAN_RE.finditer(text):
        end = iban_cut(m.group())
        if end:
            yield RawSpan("IBAN", m.start(), m.start() + end, 0.95)
