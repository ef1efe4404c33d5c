"""Who a data-subject request is about, and whether a text mentions them.

A name matches as a whole phrase, case- and accent-insensitive, in either order ("An Peeters",
"PEETERS An", "Peeters, An"). A national number matches through the PII detector: every
rijksregister or BIS number the detector finds in a text (checksum-valid, however it is written:
dots, dashes, spaces, a line break from OCR) is reduced to its 11 digits and compared with the
request's. An e-mail address matches case-insensitively.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from stdnum.be import bis as std_bis
from stdnum.be import nn as std_nn

from appliance.errors import BelfortError
from appliance.privacy import detect_pii

NATIONAL = ["BE_NATIONAL_NUMBER", "BE_BIS_NUMBER"]
MIN_NAME = 2


def fold(text: str) -> str:
    """Lower case, accents off, anything but letters and digits as one space (hyphens too)."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def rrn_digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def rrn_hash(digits: str) -> str:
    return hashlib.sha256(digits.encode()).hexdigest()


@dataclass(frozen=True)
class Subject:
    name: str
    rrn: str = ""  # 11 digits, checksum-valid
    email: str = ""
    _phrases: tuple[str, ...] = field(default=(), repr=False)

    def phrases(self) -> tuple[str, ...]:
        return self._phrases

    def describe(self) -> dict[str, str]:
        """For audit events: never the name or number itself."""
        return {"name_sha256": hashlib.sha256(fold(self.name).encode()).hexdigest()[:16],
                "rrn": "yes" if self.rrn else "no", "email": "yes" if self.email else "no"}


def subject(name: str, rrn: str = "", email: str = "") -> Subject:
    """A validated request. A name of one letter (or none) is refused: it would match everyone."""
    words = fold(name).split()
    if len("".join(words)) < MIN_NAME or not any(len(w) >= MIN_NAME for w in words):
        raise BelfortError("subject.name_too_short", "a name of one letter matches almost everyone",
                           hint="give the person's full name (first name and surname)")
    digits = rrn_digits(rrn)
    if rrn and not (len(digits) == 11 and (std_nn.is_valid(digits) or std_bis.is_valid(digits))):
        raise BelfortError("subject.bad_rrn", "that is not a valid national number (rijksregisternummer)",
                           hint="11 digits, e.g. 85.07.30-033.28; the last two are a checksum")
    if email and "@" not in email:
        raise BelfortError("subject.bad_email", "that is not an e-mail address", hint="name@example.be")
    phrases = {" ".join(words)}
    if len(words) >= 2:
        phrases.add(" ".join(words[1:] + words[:1]))  # "Peeters An" for "An Peeters"
        phrases.add(" ".join(words[-1:] + words[:-1]))
    return Subject(name=" ".join(name.split()), rrn=digits, email=email.strip().casefold(),
                   _phrases=tuple(sorted(phrases)))


def _has_phrase(folded: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", folded) is not None


def numbers_in(text: str) -> set[str]:
    """The national numbers in a text, as 11 digits (the PII detector's rules: checksum-valid only)."""
    return {rrn_digits(s.text) for s in detect_pii(text, entities=NATIONAL)}


def matches(who: Subject, text: str) -> list[str]:
    """Which of name, rrn and email `text` mentions ([] when none)."""
    if not text:
        return []
    found = []
    folded = fold(text)
    if any(_has_phrase(folded, p) for p in who._phrases):
        found.append("name")
    if who.rrn and who.rrn[:2] in text and who.rrn[-2:] in text and who.rrn in numbers_in(text):
        found.append("rrn")
    if who.email and who.email in text.casefold():
        found.append("email")
    return found
