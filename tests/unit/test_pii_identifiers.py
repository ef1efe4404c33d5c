"""Belgian identifiers: generated checksum-valid numbers are found, one flipped digit is ignored.

The generators compute the check digits themselves (not with python-stdnum) so that the detector is
checked against an independent implementation of the rules.
"""

from __future__ import annotations

import random

import pytest

from appliance.privacy.pii import detect_pii

CHECKSUM_TYPES = {
    "BE_NATIONAL_NUMBER", "BE_BIS_NUMBER", "BE_ENTERPRISE_NUMBER", "IBAN", "BE_EID_CARD", "BE_OGM",
}
N = 25  # samples per kind
REVIEW_BELOW = 0.8  # pii.redact_min_score: spans below it are proposals a person decides on


def _mod97_check(body: str) -> int:
    return 97 - int(body) % 97


def _nn_valid(digits: str) -> bool:
    body, check = digits[:9], int(digits[9:])
    return check in (_mod97_check(body), _mod97_check("2" + body))


def make_nn(rng: random.Random, *, after_2000: bool, month_offset: int = 0) -> str:
    """Rijksregisternummer (month_offset 0) or BIS number (+20: sex unknown, +40: sex known)."""
    while True:
        year = rng.randint(0, 24) if after_2000 else rng.randint(30, 99)
        month = rng.randint(1, 12) + month_offset
        body = f"{year:02d}{month:02d}{rng.randint(1, 28):02d}{rng.randint(1, 997):03d}"
        check = _mod97_check(("2" + body) if after_2000 else body)
        digits = body + f"{check:02d}"
        # A number valid for both centuries would not test the 2000 rule: draw again.
        other = _mod97_check(body if after_2000 else "2" + body)
        if other != check:
            return digits


def flip(rng: random.Random, digits: str, still_valid) -> str:
    """Change one digit so that the checksum no longer holds."""
    while True:
        i = rng.randrange(len(digits))
        new = str((int(digits[i]) + rng.randint(1, 9)) % 10)
        out = digits[:i] + new + digits[i + 1 :]
        if not still_valid(out):
            return out


def fmt_nn(d: str, style: int) -> str:
    return [
        f"{d[0:2]}.{d[2:4]}.{d[4:6]}-{d[6:9]}.{d[9:]}",
        d,
        f"{d[0:6]} {d[6:9]} {d[9:]}",
        f"{d[0:2]}{d[2:4]}{d[4:6]}-{d[6:9]}-{d[9:]}",
    ][style % 4]


def make_kbo(rng: random.Random) -> str:
    base = f"{rng.choice('01')}{rng.randint(2000000, 9999999):07d}"
    return base + f"{_mod97_check(base):02d}"


def _kbo_valid(d: str) -> bool:
    return d[0] in "01" and int(d[8:]) == _mod97_check(d[:8])


def make_twelve(rng: random.Random) -> str:
    """eID card numbers and OGM share the rule: 10 digits, then their mod 97 (0 gives 97)."""
    body = f"{rng.randint(0, 9_999_999_999):010d}"
    rest = int(body) % 97
    return body + f"{rest or 97:02d}"


def _twelve_valid(d: str) -> bool:
    return int(d[10:]) == (int(d[:10]) % 97 or 97)


def _iban_check(country: str, bban: str) -> str:
    moved = bban + country + "00"
    numeric = "".join(str(int(c, 36)) for c in moved)
    return f"{98 - int(numeric) % 97:02d}"


def make_be_iban(rng: random.Random) -> str:
    account = f"{rng.randint(100, 999):03d}{rng.randint(0, 9_999_999):07d}"
    bban = account + f"{int(account) % 97 or 97:02d}"  # Belgian BBAN has its own mod 97 check
    return "BE" + _iban_check("BE", bban) + bban


def make_de_iban(rng: random.Random) -> str:
    bban = f"{rng.randint(10_000_000, 99_999_999)}{rng.randint(0, 9_999_999_999):010d}"
    return "DE" + _iban_check("DE", bban) + bban


def _iban_valid(iban: str) -> bool:
    return _iban_check(iban[:2], iban[4:]) == iban[2:4]


def spaced(s: str) -> str:
    return " ".join(s[i : i + 4] for i in range(0, len(s), 4))


def found(text: str, value: str, kind: str) -> bool:
    start = text.index(value)
    return any(
        s.entity_type == kind and s.start == start and s.end == start + len(value) for s in detect_pii(text)
    )


def no_identifier(text: str) -> bool:
    """No checksum identifier that redaction would accept (a mistyped number right after its label
    is only proposed for review, below the threshold: see test_pii_recall.py)."""
    return not any(s.entity_type in CHECKSUM_TYPES and s.score >= REVIEW_BELOW for s in detect_pii(text))


def review_only(text: str, kind: str) -> bool:
    spans = [s for s in detect_pii(text) if s.entity_type in CHECKSUM_TYPES]
    return len(spans) == 1 and spans[0].entity_type == kind and spans[0].score < REVIEW_BELOW


@pytest.mark.parametrize("after_2000", [False, True])
def test_national_numbers_valid_found_invalid_ignored(after_2000: bool) -> None:
    rng = random.Random(7 + after_2000)
    for i in range(N):
        digits = make_nn(rng, after_2000=after_2000)
        value = fmt_nn(digits, i)
        assert found(f"Rijksregisternummer: {value}, zie dossier.", value, "BE_NATIONAL_NUMBER"), value
        bad = fmt_nn(flip(rng, digits, _nn_valid), i)
        assert review_only(f"Rijksregisternummer: {bad}, zie dossier.", "BE_NATIONAL_NUMBER"), bad
        assert no_identifier(f"Zie dossier {bad}."), bad


def test_2000_rule_is_what_makes_the_number_valid() -> None:
    rng = random.Random(11)
    for _ in range(N):
        digits = make_nn(rng, after_2000=True)
        # Only the '2' prefix explains these check digits: a detector without the rule misses them.
        assert int(digits[9:]) != _mod97_check(digits[:9])
        assert found(f"INSZ {digits}.", digits, "BE_NATIONAL_NUMBER")


@pytest.mark.parametrize("month_offset", [20, 40])
@pytest.mark.parametrize("after_2000", [False, True])
def test_bis_numbers(month_offset: int, after_2000: bool) -> None:
    rng = random.Random(month_offset + after_2000)
    for i in range(N):
        digits = make_nn(rng, after_2000=after_2000, month_offset=month_offset)
        value = fmt_nn(digits, i)
        assert found(f"BIS-nummer {value} ", value, "BE_BIS_NUMBER"), value
        bad = fmt_nn(flip(rng, digits, _nn_valid), i)
        assert no_identifier(f"BIS-nummer {bad} "), bad


def test_enterprise_numbers_in_every_spelling() -> None:
    rng = random.Random(3)
    for i in range(N):
        d = make_kbo(rng)
        dotted = f"{d[:4]}.{d[4:7]}.{d[7:]}"
        # The old 9-digit VAT spelling drops the leading 0.
        spellings = [dotted, f"BE{d}", f"BE {dotted}", f"BE{d[1:]}" if d[0] == "0" else f"BE{d}"]
        value = spellings[i % len(spellings)]
        assert found(f"Ondernemingsnummer {value} (KBO).", value, "BE_ENTERPRISE_NUMBER"), value
        bad = flip(rng, d, _kbo_valid)
        assert no_identifier(f"Ondernemingsnummer {bad[:4]}.{bad[4:7]}.{bad[7:]} (KBO)."), bad


def test_ibans_belgian_and_foreign() -> None:
    rng = random.Random(5)
    for i in range(N):
        for iban in (make_be_iban(rng), make_de_iban(rng)):
            value = spaced(iban) if i % 2 else iban
            assert found(f"Rekening {value} op naam van de gemeente.", value, "IBAN"), value
            body = flip(rng, iban[4:], lambda b, c=iban[:4]: _iban_valid(c + b))
            bad = iban[:4] + body
            assert no_identifier(f"Rekening {spaced(bad) if i % 2 else bad} op naam."), bad


def test_iban_does_not_swallow_the_next_word() -> None:
    iban = make_be_iban(random.Random(9))
    value = spaced(iban)
    assert found(f"IBAN {value} TEST", value, "IBAN")


def test_eid_card_numbers() -> None:
    rng = random.Random(13)
    for _ in range(N):
        d = make_twelve(rng)
        value = f"{d[:3]}-{d[3:10]}-{d[10:]}"
        assert found(f"Kaartnummer identiteitskaart: {value}", value, "BE_EID_CARD"), value
        plain = d
        assert found(f"eID kaartnummer {plain}", plain, "BE_EID_CARD"), plain
        bad = flip(rng, d, _twelve_valid)
        assert no_identifier(f"Kaartnummer identiteitskaart: {bad[:3]}-{bad[3:10]}-{bad[10:]}"), bad


def test_ogm_structured_communication() -> None:
    rng = random.Random(17)
    for i in range(N):
        d = make_twelve(rng)
        slashed = f"{d[:3]}/{d[3:7]}/{d[7:]}"
        value = [f"+++{slashed}+++", f"***{slashed}***", slashed][i % 3]
        assert found(f"Vermeld {value} bij betaling.", value, "BE_OGM"), value
        bad = flip(rng, d, _twelve_valid)
        assert no_identifier(f"Vermeld +++{bad[:3]}/{bad[3:7]}/{bad[7:]}+++ bij betaling."), bad


def test_identifiers_are_reported_with_their_text_and_presidio_shape() -> None:
    d = make_nn(random.Random(1), after_2000=False)
    text = f"Het rijksregisternummer {d} staat in het dossier."
    (span,) = [s for s in detect_pii(text) if s.entity_type == "BE_NATIONAL_NUMBER"]
    as_dict = span.as_dict()
    assert set(as_dict) == {"entity_type", "start", "end", "score", "text"}
    assert as_dict["text"] == d == text[span.start : span.end]
    assert 0.0 < span.score <= 1.0


def test_is_valid_identifier_for_hand_added_spans() -> None:
    from appliance.privacy.rules import is_valid_identifier

    rng = random.Random(21)
    digits = make_nn(rng, after_2000=True)
    assert is_valid_identifier("BE_NATIONAL_NUMBER", fmt_nn(digits, 0))
    assert not is_valid_identifier("BE_NATIONAL_NUMBER", flip(rng, digits, _nn_valid))
    assert is_valid_identifier("IBAN", spaced(make_be_iban(rng)))
    assert is_valid_identifier("PERSON", "Jan Peeters")  # no checksum to check
