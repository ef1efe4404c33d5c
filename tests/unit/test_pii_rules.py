"""Contact data, addresses, plates, dates of birth, names by context, merging and filtering."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from appliance.privacy.name_data import NameLists
from appliance.privacy.pii import ENTITY_TYPES, PiiSpan, detect_pii, load_first_names
from models.fakes import FakeNerTagger


def spans_of(text: str, kind: str, **kw: object) -> list[str]:
    return [s.text for s in detect_pii(text, **kw) if s.entity_type == kind]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "number",
    [
        "09 123 45 67", "09/123.45.67", "02 512 34 56", "050-12.34.56", "0471 12 34 56", "0471/12.34.56",
        "0498123456", "+32 9 123 45 67", "+32 (0)9 123 45 67", "+32 471 12 34 56", "+32471123456",
        "0032 471 12 34 56", "+31 6 12345678", "+33 1 23 45 67 89",
    ],
)
def test_phone_numbers(number: str) -> None:
    assert spans_of(f"Bel ons op {number} tijdens de kantooruren.", "PHONE_NUMBER") == [number]


@pytest.mark.parametrize(
    "text", ["In 2023 waren er 1234 567 aanvragen.", "Bedrag: 12 345 678 euro", "ref. 12/345/6789"]
)
def test_things_that_are_not_phone_numbers(text: str) -> None:
    assert spans_of(text, "PHONE_NUMBER") == []


def test_mobile_numbers_need_the_04_prefix_for_ten_digits() -> None:
    assert spans_of("Tel 0312 34 56 78", "PHONE_NUMBER") == []


def test_email_addresses() -> None:
    text = "Mail naar jan.peeters+dossier@stad.gent of info@gemeente-essen.be."
    assert spans_of(text, "EMAIL_ADDRESS") == ["jan.peeters+dossier@stad.gent", "info@gemeente-essen.be"]


@pytest.mark.parametrize(
    "address",
    [
        "Kerkstraat 12, 9000 Gent",
        "Kerkstraat 12 bus 3, 9000 Gent",
        "Sint-Pietersnieuwstraat 33 te 9000 Gent",
        "Koning Albertlaan 101B, 8300 Knokke-Heist",
        "Brugsesteenweg 5 2000 Antwerpen",
        "Grote Markt 1, 1000 Brussel",
        "Rue de la Loi 16, 1000 Bruxelles",
        "Avenue Louise 54, 1050 Ixelles",
        "Chaussée de Waterloo 12, 1180 Uccle",
        "Kouter 5, 9000 Gent",
        "Graaf d'Ursellaan 6, 8300 Knokke-Heist",
    ],
)
def test_full_addresses(address: str) -> None:
    assert spans_of(f"Hij woont in de {address}. Daarna", "BE_ADDRESS") == [address]


def test_street_with_number_and_postcode_with_municipality_alone() -> None:
    assert spans_of("Het perceel aan de Dorpsstraat 4 is verkocht.", "BE_ADDRESS") == ["Dorpsstraat 4"]
    assert spans_of("Aanvrager uit 9940 Evergem, zonder straat.", "BE_ADDRESS") == ["9940 Evergem"]


def test_years_are_not_postcodes() -> None:
    assert spans_of("In 2024 Gemeenteraad en in 1999 Brussel nog niet.", "BE_ADDRESS") == []


@pytest.mark.parametrize("plate", ["1-ABC-123", "2-XYZ-987", "ABC-123", "123-ABC"])
def test_licence_plates(plate: str) -> None:
    assert spans_of(f"Het voertuig met nummerplaat {plate} stond fout.", "LICENSE_PLATE") == [plate]


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        ("Jan Peeters, geboren op 12 maart 1985 te Gent", "12 maart 1985"),
        ("geboortedatum: 03/07/2001", "03/07/2001"),
        ("An Claes (° 1.2.1970)", "1.2.1970"),
        ("Sophie Dubois, née le 1er mars 1980 à Namur", "1er mars 1980"),
        ("date de naissance : 24-12-1965", "24-12-1965"),
    ],
)
def test_dates_of_birth(sentence: str, date: str) -> None:
    assert spans_of(sentence, "DATE_OF_BIRTH") == [date]


def test_dates_without_birth_context_are_not_dates_of_birth() -> None:
    assert spans_of("De zitting van 12 maart 2024 begint om 20 uur.", "DATE_OF_BIRTH") == []


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("De heer Jan Vermeulen vraagt het woord.", "Jan Vermeulen"),
        ("Mevrouw An De Smet is verontschuldigd.", "An De Smet"),
        ("dhr. Pieter Van den Bossche", "Pieter Van den Bossche"),
        ("Mevr. Claes antwoordt.", "Claes"),
        ("Burgemeester Marleen D'Hondt opent de zitting.", "Marleen D'Hondt"),
        ("schepen Karel Vande Velde", "Karel Vande Velde"),
        ("Madame Sophie Dubois a déclaré", "Sophie Dubois"),
        ("M. Jean-Pierre Lefèvre, échevin", "Jean-Pierre Lefèvre"),
        ("Mme Dupont est absente.", "Dupont"),
        ("le bourgmestre Philippe Close", "Philippe Close"),
        ("de heer J. Peeters", "J. Peeters"),
    ],
)
def test_names_after_titles_in_rule_only_mode(sentence: str, name: str) -> None:
    assert spans_of(sentence, "PERSON") == [name]


@pytest.mark.parametrize("sentence", [
    "De heer Voorzitter opent de zitting.", "mevrouw de Burgemeester", "m. Dupont",
    "Aanstelling waarnemend burgemeester Akkoord.", "Burgemeester Gemeente Knokke-Heist",
    "Voorzitter Blanco: 0", "de heer Besluit",
])
def test_offices_without_a_name_are_not_names(sentence: str) -> None:
    assert spans_of(sentence, "PERSON") == []


def test_ner_names_and_title_names_merge_into_one_span() -> None:
    text = "Gisteren sprak de heer Jan Vermeulen met Els."
    ner = FakeNerTagger({"Vermeulen": "PER", "Els": "PER", "Gisteren": "LOC"})
    assert spans_of(text, "PERSON", ner=ner) == ["Jan Vermeulen", "Els"]


def test_first_name_list_in_rule_only_mode() -> None:
    text = "Aanwezig: Pieter Claes en Sofie Van Damme; afwezig: Roos."
    names = frozenset({"Pieter", "Sofie", "Roos"})
    assert spans_of(text, "PERSON", first_names=names) == ["Pieter Claes", "Sofie Van Damme"]
    assert spans_of(text, "PERSON", names=NameLists.empty()) == []


def test_checksum_identifier_beats_phone_shaped_reading() -> None:
    text = "Ondernemingsnummer 0403.019.261 en gsm 0471 12 34 56"
    kinds = [(s.entity_type, s.text) for s in detect_pii(text)]
    assert kinds == [("BE_ENTERPRISE_NUMBER", "0403.019.261"), ("PHONE_NUMBER", "0471 12 34 56")]


def test_spans_are_sorted_disjoint_and_match_the_text() -> None:
    text = (
        "De heer Jan Vermeulen, Kerkstraat 12, 9000 Gent, tel. 09 123 45 67, jan@gent.be, "
        "nummerplaat 1-ABC-123, rekening BE71 0961 2345 6769."
    )
    spans = detect_pii(text)
    kinds = {s.entity_type for s in spans}
    assert kinds >= {"PERSON", "BE_ADDRESS", "PHONE_NUMBER", "EMAIL_ADDRESS", "LICENSE_PLATE", "IBAN"}
    for a, b in pairwise(spans):
        assert a.end <= b.start
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_entities_filter_and_unknown_type() -> None:
    text = "De heer Jan Vermeulen, jan@gent.be"
    assert [s.entity_type for s in detect_pii(text, entities={"EMAIL_ADDRESS"})] == ["EMAIL_ADDRESS"]
    with pytest.raises(ValueError):
        detect_pii(text, entities={"SSN"})


def test_min_score_drops_weak_guesses() -> None:
    text = "Code ABC-123 en jan@gent.be"
    assert [s.entity_type for s in detect_pii(text, min_score=0.9)] == ["EMAIL_ADDRESS"]


def test_entity_type_names_are_stable() -> None:
    assert sorted(ENTITY_TYPES) == sorted([
        "BE_NATIONAL_NUMBER", "BE_BIS_NUMBER", "BE_ENTERPRISE_NUMBER", "IBAN", "BE_EID_CARD", "BE_OGM",
        "PHONE_NUMBER", "EMAIL_ADDRESS", "BE_ADDRESS", "LICENSE_PLATE", "DATE_OF_BIRTH", "PERSON",
    ])
    assert PiiSpan("PERSON", 0, 3, 0.8, "Jan").as_dict()["entity_type"] == "PERSON"


def test_surname_alone_after_a_full_mention_is_a_name() -> None:
    text = "De heer Jan Vermeulen vraagt het woord. Vermeulen stelt voor de Vermeulenstraat te herdopen."
    assert spans_of(text, "PERSON") == ["Jan Vermeulen", "Vermeulen"]


@pytest.mark.parametrize(
    ("entity", "names"),
    [
        ("aldus Denys", ["Denys"]),
        ("Kasparov en Kramnik", ["Kasparov", "Kramnik"]),
        ("Garzelli ( Ita", ["Garzelli"]),
        ("van Santana", ["Santana"]),
        ("Marleen Van den Bossche", ["Marleen Van den Bossche"]),
        ("NMKN-directeur Désiré Van den Stockt", ["Désiré Van den Stockt"]),
    ],
)
def test_tagger_spans_are_cut_into_name_runs(entity: str, names: list[str]) -> None:
    text = f"Gisteren zei {entity} niets."
    assert spans_of(text, "PERSON", ner=FakeNerTagger({entity: "PER"})) == names


def test_other_labels_opening_with_a_first_name_become_names(tmp_path: Path) -> None:
    text = "Trainer Kenny Dalglish en The Guardian bij Ajax."
    ner = FakeNerTagger({"Kenny Dalglish": "ORG", "The Guardian": "ORG", "Ajax": "ORG"})
    name_file = tmp_path / "voornamen.txt"
    name_file.write_text("Kenny\nThe\nAjax\nal\n", encoding="utf-8")
    names = load_first_names(name_file)
    assert names == {"Kenny", "Ajax"}  # articles and lower-case lines are left out
    assert spans_of(text, "PERSON", ner=ner, first_names=names) == ["Kenny Dalglish"]


def test_names_one_per_line_stay_apart() -> None:
    text = "Aanwezig:\nPieter Claes\nSofie Van Damme\n"
    names = frozenset({"Pieter", "Sofie"})
    assert spans_of(text, "PERSON", first_names=names) == ["Pieter Claes", "Sofie Van Damme"]


def test_streets_named_after_people_are_addresses_not_names() -> None:
    text = "Terras aan de Jozef Nellenslaan 107 - Kustlaan 29 - aanvraag."
    ner = FakeNerTagger({"Jozef Nellenslaan": "PER", "Kustlaan": "PER"})
    found = [(s.entity_type, s.text) for s in detect_pii(text, ner=ner, first_names=frozenset({"Jozef"}))]
    assert found == [("BE_ADDRESS", "Jozef Nellenslaan 107"), ("BE_ADDRESS", "Kustlaan 29")]


def test_a_name_inside_an_address_leaves_the_address_whole() -> None:
    text = "Het gebouw gelegen Graaf d'Ursellaan 46, 8300 Knokke-Heist."
    found = [(s.entity_type, s.text) for s in detect_pii(text, ner=FakeNerTagger({"Graaf": "PER"}))]
    assert found == [("BE_ADDRESS", "Graaf d'Ursellaan 46, 8300 Knokke-Heist")]
