"""The redaction gaps of issue 18 (identifiers, addresses, dates of birth), one test per gap.

Numbers are generated here with their own check-digit arithmetic (independent of python-stdnum,
which the detector uses), then written the ways people and scanners write them.
"""

from __future__ import annotations

import random

import pytest

from appliance.privacy.addresses import postcodes
from appliance.privacy.pii import PiiSpan, detect_pii

REVIEW_BELOW = 0.8  # pii.redact_min_score: below it a span is a proposal a person decides on


def spans(text: str, kind: str | None = None) -> list[PiiSpan]:
    return [s for s in detect_pii(text) if kind is None or s.entity_type == kind]


def covered(text: str, value: str, kind: str) -> PiiSpan | None:
    start = text.index(value)
    return next((s for s in spans(text, kind) if s.start <= start and start + len(value) <= s.end), None)


def be_iban(rng: random.Random) -> str:
    account = f"{rng.randint(100, 999):03d}{rng.randint(0, 9_999_999):07d}"
    bban = account + f"{int(account) % 97 or 97:02d}"
    numeric = "".join(str(int(c, 36)) for c in bban + "BE00")
    return f"BE{98 - int(numeric) % 97:02d}{bban}"


def nn(rng: random.Random) -> str:
    while True:
        body = f"{rng.randint(30, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1, 997):03d}"
        digits = body + f"{97 - int(body) % 97:02d}"
        if 97 - int("2" + body) % 97 != int(digits[9:]):
            return digits


def kbo(rng: random.Random) -> str:
    body = f"0{rng.randint(2000000, 9999999):07d}"
    return body + f"{97 - int(body) % 97:02d}"


def mistyped(digits: str, index: int) -> str:
    return digits[:index] + str((int(digits[index]) + 1) % 10) + digits[index + 1:]


IBAN_STYLES = [
    lambda v: " ".join(v[i:i + 4] for i in range(0, 16, 4)),
    lambda v: f"{v[:2]} {v[2:4]} {v[4:8]} {v[8:12]} {v[12:]}",  # "BE 68 5390 0754 7034"
    lambda v: v.lower(),
    lambda v: ".".join(v[i:i + 4] for i in range(0, 16, 4)),
    lambda v: f"{v[:4]} {v[4:8]}\n{v[8:12]} {v[12:]}",  # wrapped at the end of a line
    lambda v: f"{v[:4]} {v[4:8]}\n\f{v[8:12]} {v[12:]}",  # a page break in extracted text
    lambda v: "-".join(v[i:i + 4] for i in range(0, 16, 4)).lower(),
]


@pytest.mark.parametrize("style", range(len(IBAN_STYLES)))
def test_iban_in_any_spelling_is_found_whole_and_never_as_a_phone(style: int) -> None:
    rng = random.Random(style)
    for _ in range(10):
        value = IBAN_STYLES[style](be_iban(rng))
        text = f"Gelieve te storten op {value} voor 1 juni."
        found = covered(text, value, "IBAN")
        assert found is not None and found.score >= REVIEW_BELOW, value
        assert found.text.replace("\f", "").split() == value.replace("\f", "").split()  # not the next words
        assert not spans(text, "PHONE_NUMBER"), value


def test_iban_with_one_digit_wrong_is_proposed_for_review_after_its_label_only() -> None:
    value = mistyped(be_iban(random.Random(3)), 10)
    grouped = " ".join(value[i:i + 4] for i in range(0, 16, 4))
    text = f"IBAN: {grouped} op naam van de vereniging"
    assert [(s.text, s.score < REVIEW_BELOW) for s in spans(text, "IBAN")] == [(grouped, True)]
    assert not spans(f"Zie {grouped} op naam van", "IBAN")


NN_STYLES = [
    lambda d: f"{d[:2]}.{d[2:4]}.{d[4:6]}-{d[6:9]}.{d[9:]}",
    lambda d: f"{d[:2]} {d[2:4]} {d[4:6]} {d[6:9]} {d[9:]}",
    lambda d: f"{d[:2]}.{d[2:4]}.{d[4:6]}-\n{d[6:9]}.{d[9:]}",
    lambda d: f"{d[:6]}-{d[6:9]}-{d[9:]}",
    lambda d: f"{d[:6]}\n{d[6:]}",
]


@pytest.mark.parametrize("style", range(len(NN_STYLES)))
def test_national_number_tolerates_separators_and_line_breaks(style: int) -> None:
    rng = random.Random(10 + style)
    for _ in range(10):
        value = NN_STYLES[style](nn(rng))
        found = covered(f"Betrokkene {value} werd gehoord.", value, "BE_NATIONAL_NUMBER")
        assert found is not None and found.score >= REVIEW_BELOW, value


LABELS = ["Rijksregisternummer:", "rijksregisternr.", "INSZ", "INSZ-nummer:", "RRN", "NISS :",
          "numéro de registre national", "Numéro national:", "national register number"]


@pytest.mark.parametrize("label", LABELS)
def test_mistyped_national_number_after_its_label_is_flagged_for_review(label: str) -> None:
    rng = random.Random(label)
    for i in range(6):
        digits = mistyped(nn(rng), i)
        value = NN_STYLES[i % 2](digits)
        text = f"{label} {value}\nTelefoon: 0475 12 34 56"
        found = spans(text, "BE_NATIONAL_NUMBER")
        assert [(s.text, s.score < REVIEW_BELOW) for s in found] == [(value, True)], (label, value)
        assert [s.text for s in spans(text, "PHONE_NUMBER")] == ["0475 12 34 56"]  # no piece of it
        assert not spans(f"Dossier {value} afgesloten.", "BE_NATIONAL_NUMBER")  # no label: nothing


def test_enterprise_numbers_in_any_spelling() -> None:
    rng = random.Random(5)
    for _ in range(10):
        d = kbo(rng)
        for value in (f"be{d}", f"BE {d[:4]}.{d[4:7]}.{d[7:]}", f"BE-{d[:4]} {d[4:7]} {d[7:]}",
                      f"{d[:4]}.{d[4:7]}.{d[7:]}", f"{d[:4]}.{d[4:7]}.\n{d[7:]}"):
            found = covered(f"Aannemer NV, {value}, Gent", value, "BE_ENTERPRISE_NUMBER")
            assert found is not None and found.score >= REVIEW_BELOW, value


def test_invalid_enterprise_number_is_no_phone_number() -> None:
    rng = random.Random(6)
    for _ in range(10):
        d = mistyped(kbo(rng), 5)
        dotted = f"{d[:4]}.{d[4:7]}.{d[7:]}"
        assert not spans(f"Factuur van {dotted} ontvangen.")
        labelled = f"Ondernemingsnummer: {d}"
        assert not spans(labelled, "PHONE_NUMBER")
        assert [s.score < REVIEW_BELOW for s in spans(labelled, "BE_ENTERPRISE_NUMBER")] == [True]
    # A real phone number after a phone word stays one.
    assert [s.text for s in spans("KBO 0403.170.701, tel. 0475.123.456")] == ["0403.170.701", "0475.123.456"]


def test_eid_ogm_and_plates_in_other_spellings() -> None:
    body = "5912345678"
    eid = body + f"{int(body) % 97 or 97:02d}"
    assert covered(f"Kaartnummer: {eid[:3]} {eid[3:10]} {eid[10:]}", f"{eid[:3]} {eid[3:10]} {eid[10:]}",
                   "BE_EID_CARD")
    assert covered(f"n° de carte {eid[:3]}.{eid[3:10]}.{eid[10:]}", f"{eid[:3]}.{eid[3:10]}.{eid[10:]}",
                   "BE_EID_CARD")
    ogm = "0909337554"
    ogm += f"{int(ogm) % 97 or 97:02d}"
    value = f"{ogm[:3]} {ogm[3:7]} {ogm[7:]}"
    assert covered(f"Vermeld de mededeling {value}.", value, "BE_OGM")
    assert not spans(f"Bestelling {value}.", "BE_OGM")  # twelve digits without a keyword: no OGM
    for plate in ("1-ABC-123", "1ABC123", "1 ABC 123", "1-abc-123", "ABC-123", "123-ABC"):
        assert covered(f"Het voertuig met nummerplaat {plate} stond fout.", plate, "LICENSE_PLATE"), plate
    assert not spans("Artikel 3 van 100 en 2 mei 123", "LICENSE_PLATE")


ADDRESSES = [
    ("Kerkstr. 12 bus 3, 9000 Gent", "Kerkstr. 12 bus 3, 9000 Gent"),
    ("Brusselse Stwg. 312, 9050 Gentbrugge", "Brusselse Stwg. 312, 9050 Gentbrugge"),
    ("Kon. Elisabethln. 4 bte 2, 8300 Knokke-Heist", "Kon. Elisabethln. 4 bte 2, 8300 Knokke-Heist"),
    ("av. Louise 54, 1050 Bruxelles", "av. Louise 54, 1050 Bruxelles"),
    ("bd Anspach 3 bte 12", "bd Anspach 3 bte 12"),
    ("chée de Waterloo 1200, 1180 Uccle", "chée de Waterloo 1200, 1180 Uccle"),
    ("rue de l'Église 14, 6740 Etalle", "rue de l'Église 14, 6740 Etalle"),
    ("Zij woont in het Begijnhof 5.", "Begijnhof 5"),
    ("Lindenpark 12 te Zele", "Lindenpark 12 te Zele"),
    ("Adres: Brussel 1000", "Brussel 1000"),
    ("Postbus 12, 1348 Louvain-la-Neuve", "1348 Louvain-la-Neuve"),
    ("Postbus 3, 2220 Heist-op-den-Berg", "2220 Heist-op-den-Berg"),
    ("Postbus 7, 1420 Braine-l'Alleud", "1420 Braine-l'Alleud"),
    ("Boslaan 3, B-3090 Overijse", "Boslaan 3, B-3090 Overijse"),
    ("Molenweg 7, Gent 9000", "Molenweg 7, Gent 9000"),
]


@pytest.mark.parametrize(("text", "address"), ADDRESSES)
def test_belgian_address_forms(text: str, address: str) -> None:
    assert [s.text for s in spans(text, "BE_ADDRESS")] == [address]


def test_municipality_then_postcode_needs_a_real_pair() -> None:
    assert not spans("Het plan Gent 2030 en Brussel 2018 werden voorgesteld.", "BE_ADDRESS")
    assert postcodes()["1000"] >= {"brussel", "bruxelles"}
    assert "antwerpen" in postcodes()["2000"]


BIRTH_DATES = ["17-mei-2011", "15.jan.1928", "23 10 2011", "3 Sept. 1961", "1er mars 1950", "17 mei 2011",
               "12/03/1950", "1950-03-12", "2 février 1944", "12.3.50", "7 okt. 1999", "March 3, 1950"]


@pytest.mark.parametrize("date", BIRTH_DATES)
@pytest.mark.parametrize("lead", ["geboren op ", "Geboortedatum: ", "née le ", "Né(e) le ", "° ", "born on "])
def test_date_of_birth_formats(lead: str, date: str) -> None:
    assert [s.text for s in spans(f"{lead}{date}, wonende te Gent", "DATE_OF_BIRTH")] == [date]


@pytest.mark.parametrize("date", ["31 februari 2011", "30.02.1990", "31/04/1980", "29-feb-2023", "12 13 2011"])
def test_impossible_dates_are_not_dates_of_birth(date: str) -> None:
    assert not spans(f"geboren op {date}", "DATE_OF_BIRTH")


def test_a_date_is_a_birth_date_only_by_its_context() -> None:
    assert not spans("Het college besliste op 17 mei 2024; zitting van 23.10.2023.", "DATE_OF_BIRTH")
    text = "Geboren op 3 mei 1950 en 7 juni 1952 respectievelijk; de akte van 1 juli 2024."
    assert [s.text for s in spans(text, "DATE_OF_BIRTH")] == ["3 mei 1950", "7 juni 1952"]


def test_birth_date_column_of_a_table() -> None:
    text = "Naam;Geboortedatum;Aankomst\nA. B.;03/05/1961;01/02/2024\nC. D.;31/02/1970;02/02/2024\n\nTotaal;2;3\n"
    assert [s.text for s in spans(text, "DATE_OF_BIRTH")] == ["03/05/1961"]


def test_degree_and_numero_signs_are_not_born() -> None:
    text = "Temperatuur 18 °C op 12.05.2024; circulaire n° 6.3.49; arrêté N° 12/03/2024."
    assert not spans(text, "DATE_OF_BIRTH")
    assert [s.text for s in spans("Jan Peeters (° 12.05.1950)", "DATE_OF_BIRTH")] == ["12.05.1950"]


def test_mistyped_number_wrapped_after_its_label_is_flagged_whole() -> None:
    digits = mistyped(nn(random.Random(9)), 3)
    value = f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}-\n{digits[6:9]}.{digits[9:]}"
    found = spans(f"Numéro de registre national : {value}\nCompte :", "BE_NATIONAL_NUMBER")
    assert [(s.text, s.score < REVIEW_BELOW) for s in found] == [(value, True)]
