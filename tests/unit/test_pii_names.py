"""Person names without a tagger (issue 18): titles, roles, surname-first lists, initials, the name
lists as data, and the institutions, eponyms and streets that are not persons."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.privacy import NameLists, default_name_lists, detect_pii, load_name_lists
from appliance.privacy.name_data import BUNDLE
from models.fakes import FakeNerTagger

# Small lists written for these tests: the rules must work from whatever lists they are given.
LISTS = NameLists(
    first=frozenset({"Jan", "Els", "Marie", "Jean", "Marc", "Sofie", "Wout", "Tine", "Luc", "Sandra"}),
    first_weak=frozenset({"Ben", "Roos"}),
    surnames=frozenset({"peeters", "janssens", "dubois", "van den broeck", "claes", "van hecke", "de smet"}),
    surnames_weak=frozenset({"storm", "vos"}),
)


def persons(text: str, lists: NameLists = LISTS, **kw: object) -> list[str]:
    return [s.text for s in detect_pii(text, entities={"PERSON"}, names=lists, **kw)  # type: ignore[arg-type]
            if s.entity_type == "PERSON"]


@pytest.mark.parametrize(("text", "name"), [
    ("Gelet op het advies van Prof. Dr. Peeters van de universiteit.", "Peeters"),
    ("Op voorstel van de heer dr. ir. Vandamme werd beslist.", "Vandamme"),
    ("Mevrouw Prof. Maes was afwezig.", "Maes"),
    ("Dhr. Hendrickx kwam te laat.", "Hendrickx"),
    ("Mr Verstraeten pleitte voor de buren.", "Verstraeten"),
    ("Mme Lefèvre a signé.", "Lefèvre"),
    ("Me Lambert représente la commune.", "Lambert"),
    ("Le Dr Goffin a remis son rapport.", "Goffin"),
])
def test_titles_stack_and_the_surname_is_hidden(text: str, name: str) -> None:
    assert persons(text, NameLists.empty()) == [name]


@pytest.mark.parametrize(("text", "name"), [
    ("Aanvrager Jan Peeters werd gehoord.", "Jan Peeters"),
    ("Verzoeker Yasmina El Amrani was afwezig.", "Yasmina El Amrani"),
    ("Le demandeur, Olivier Renard, sera entendu.", "Olivier Renard"),
    ("La requérante Fatima Benali n'était pas présente.", "Fatima Benali"),
    ("Mijn buurman Filip Segers doet niets.", "Filip Segers"),
    ("Bezwaarindiener Sven Cools licht toe.", "Sven Cools"),
    ("Aanvrager Peeters werd gehoord.", "Peeters"),  # one part: a known family name
])
def test_a_role_word_before_a_name(text: str, name: str) -> None:
    assert persons(text) == [name]


def test_a_role_word_needs_two_parts_or_a_known_surname() -> None:
    assert persons("De aanvrager Gent vraagt een premie.") == []


@pytest.mark.parametrize("line", ["PEETERS Jan", "VAN DEN BROECK Els", "DE SMET Marie", "Peeters, Jan",
                                  "Van Hecke, Sandra", "Dubois, Jean-Marc"])
def test_surname_first_in_lists(line: str) -> None:
    assert persons(f"Aanwezig:\n{line}\nEinde van de lijst.") == [line]


def test_comma_form_needs_a_known_first_name() -> None:
    assert persons("In Brussel, Antwerpen en Gent.") == []
    assert persons("Gezien in Brussel, Jan zei niets.") == []  # no list, no known surname before the comma


@pytest.mark.parametrize(("text", "name"), [
    ("De nota van J. Janssens, juridisch adviseur.", "J. Janssens"),
    ("Vu l'avis de J.-P. Dubois, conseiller.", "J.-P. Dubois"),
    ("Volgens A.M. Claes klopt dit.", "A.M. Claes"),
    ("L'avis de M. Van Campenhout est suffisant.", "Van Campenhout"),
    ("Ondertekend door K. Van Acker.", "K. Van Acker"),
])
def test_initial_plus_surname(text: str, name: str) -> None:
    assert name in " ".join(persons(text))
    assert any(name in p for p in persons(text))


def test_an_initial_before_an_unknown_word_is_no_name() -> None:
    assert persons("Zie bijlage B. Situatieplan en bijlage C. Foto's.") == []


def test_known_first_and_family_names_in_either_order() -> None:
    assert persons("Wij zagen Ben Peeters gisteren.") == ["Ben Peeters"]
    assert persons("Wij zagen Ben gisteren.") == []  # a weak first name alone is a word
    assert persons("Lijst: Peeters Luc en anderen.") == ["Peeters Luc"]


def test_first_name_after_a_greeting_or_under_a_closing() -> None:
    text = "Hallo Wout,\n\nKan jij dit nakijken?\n\nGroetjes,\nTine"
    assert persons(text) == ["Wout", "Tine"]


def test_later_mentions_of_a_first_name() -> None:
    text = "Kijk het dossier van Sofie Mertens na. Sofie belt morgen."
    assert persons(text, first_names=LISTS.first) == ["Sofie Mertens", "Sofie"]


@pytest.mark.parametrize("text", [
    "Hij werd doorverwezen naar het Erasmus MC in Rotterdam.",
    "Zij werd opgenomen in AZ Sint-Jan in Brugge.",
    "Zij ligt in AZ Sint-Jan.",
    "Opgenomen in het Sint-Jan ziekenhuis.",
    "Er is een vermoeden van de ziekte van Alzheimer.",
    "Diagnose: M. Alzheimer, beginnend stadium.",
    "De ziekte van Parkinson werd uitgesloten.",
    "Il est suivi à l'Institut Jules Bordet.",
    "Hij woont in de rue Jean Jaurès 25 te Charleroi.",
    "Zij woont in de Jan Frans Willemsstraat 7.",
    "De opening van de Jan Palfijn-zaal in het Museum Dr. Guislain.",
    "De prijs van de Stichting Koning Boudewijn.",
])
def test_institutions_eponyms_and_streets_are_not_persons(text: str) -> None:
    ner = FakeNerTagger({"Erasmus": "PER", "Sint-Jan": "PER", "Alzheimer": "PER", "Parkinson": "PER",
                         "Jules Bordet": "PER", "Jean Jaurès": "PER", "Jan Palfijn": "PER", "Guislain": "PER",
                         "Koning Boudewijn": "PER", "Jan Frans Willemsstraat": "PER"})
    first = frozenset({"Jan", "Jean", "Jules", "Erasmus"})
    assert persons(text, default_name_lists(), ner=ner, first_names=first) == []
    assert persons(text, default_name_lists(), first_names=first) == []


def test_a_person_with_an_eponym_surname_outside_a_disease_context_stays() -> None:
    assert persons("Mevrouw Parkinson diende een bezwaar in.", NameLists.empty()) == ["Parkinson"]
    assert persons("M. Dupont a signé.", NameLists.empty()) == ["Dupont"]


def test_a_name_running_into_an_institution_is_cut_before_it() -> None:
    assert persons("Advies van Prof. Dr. Peeters van de Universiteit Gent.", NameLists.empty()) == ["Peeters"]


def test_signature_columns_are_two_names() -> None:
    text = "De algemeen directeur,        De burgemeester,\nGreet Van den Bossche        Wim Driesen"
    lists = NameLists(frozenset({"Greet", "Wim"}), frozenset(), frozenset(), frozenset())
    assert persons(text, lists, first_names=lists.first) == ["Greet Van den Bossche", "Wim Driesen"]


def test_the_lists_are_data(tmp_path: Path) -> None:
    (tmp_path / "first_names.txt").write_text("Zoë\n", "utf-8")
    (tmp_path / "surnames.txt").write_text("Vanhoutteghem\n", "utf-8")
    lists = load_name_lists(tmp_path)
    assert persons("Lijst:\nVANHOUTTEGHEM Zoë\n", lists) == ["VANHOUTTEGHEM Zoë"]
    assert persons("Lijst:\nVANHOUTTEGHEM Zoë\n", NameLists.empty()) == []


def test_the_bundled_lists_hold_belgian_names() -> None:
    if not (BUNDLE / "surnames.txt").is_file():
        pytest.skip("the GPL name-list bundle is not installed")
    lists = default_name_lists()
    assert len(lists.first) > 10_000 and len(lists.surnames) > 10_000
    assert lists.is_surname("Van den Broeck") and lists.is_surname("VAN DEN BROECK")
    assert lists.is_surname("Dubois", weak=True)
    assert lists.is_first("Jean-Marc") and not lists.is_first("Gemeente")
    assert (BUNDLE / "SOURCES.md").read_text("utf-8").count("GPL-3.0") >= 1


def test_an_institution_word_on_the_line_before_does_not_hide_a_signature() -> None:
    text = "Pour le Collège,\nLuc Stassart, Bourgmestre"
    assert persons(text, NameLists.empty(), first_names=frozenset({"Luc"})) == ["Luc Stassart"]


def test_a_compound_ending_in_an_institution_word_is_no_person() -> None:
    assert persons("Een rondleiding in het Dr. Jozef Lippensinstituut.", NameLists.empty()) == []


def test_a_number_after_a_name_is_no_street_without_an_address_around_it() -> None:
    lists = NameLists(frozenset({"Marieke"}), frozenset(), frozenset(), frozenset())
    assert persons("bezwaar Marieke Vandenbroucke 85 07 30 033 28", lists, first_names=lists.first) == [
        "Marieke Vandenbroucke"]
    assert persons("Stemmen: Marieke Vandenbroucke 12, Jan Peeters 9", lists, first_names=lists.first) == [
        "Marieke Vandenbroucke"]
    assert persons("Hij woont in de Frans Vandenbroucke 12 bus 3.", lists, first_names=frozenset({"Frans"})) == []
