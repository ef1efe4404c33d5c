"""The weekdays a question asks about, and whose hours a sentence gives (appliance.ask.days)."""

from __future__ import annotations

import pytest

from appliance.ask import compose
from appliance.ask.days import at_days, gives_hour, named_days, of_day, weekdays_named

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.mark.parametrize(("text", "days"), [
    ("Tot hoe laat is het zwembad open op woensdag?", {WED}),
    ("Ik heb enkel op zaterdagochtend tijd.", {SAT}),  # a Dutch compound
    ("À quelle heure ouvre la piscine le dimanche ?", {SUN}),
    ("Until what time is the desk open on a Thursday evening?", {THU}),
    ("Open van dinsdag tot en met vrijdag.", {TUE, WED, THU, FRI}),
    ("Ouvert du vendredi au lundi.", {FRI, SAT, SUN, MON}),  # a range over the weekend
    ("Open Monday to Wednesday.", {MON, TUE, WED}),
    ("Toegelaten op weekdagen.", {MON, TUE, WED, THU, FRI}),
    ("Gesloten in het weekend.", {SAT, SUN}),
    ("Dagelijks geopend.", set(range(7))),
    ("Ik werk de hele week.", set()),  # 'week' is no day
    ("Open vanaf 1 september.", set()),  # a month is no weekday
])
def test_named_days(text: str, days: set[int]) -> None:
    assert named_days(text) == frozenset(days)


@pytest.mark.parametrize(("asked", "sentence", "fits"), [
    # The hour belongs to the days of its own clause, not to a day named in another one.
    ({SAT}, "Het zwembad is open van maandag tot en met zaterdag, met een late opening op woensdag tot 22 uur.", False),
    ({WED}, "Het zwembad is open van maandag tot en met zaterdag, met een late opening op woensdag tot 22 uur.", True),
    # A clause with hours and no day takes the days named in the clause before it.
    ({FRI}, "Open van dinsdag tot en met zaterdag, 10 – 12 uur en 14 – 18 uur.", True),
    ({MON}, "Open van dinsdag tot en met zaterdag, 10 – 12 uur en 14 – 18 uur.", False),
    # A table row: the row's day, then the hours per column.
    ({SAT}, "zaterdag: loket Burgerzaken 9.30 – 12.00 (enkel afhalen); loket Omgeving gesloten", True),
    ({SAT}, "vrijdag: loket Burgerzaken 8.30 – 12.00 en 13.30 – 16.00; loket Omgeving gesloten", False),
    # Days and hours in one clause: the sentence may answer (it is quoted whole).
    ({SAT}, "Muziek mag tot 22 uur op weekdagen en tot 2 uur in de nacht van zaterdag op zondag.", True),
    ({TUE}, "Muziek mag tot 22 uur op weekdagen en tot 2 uur in de nacht van zaterdag op zondag.", True),
    # No day named: general hours, or no hour at all.
    ({SUN}, "De sporthal is open van 8 tot 23 uur.", True),
    ({SUN}, "Te laat ingeleverde boeken kosten 0,30 euro per week.", True),
    # A count of hours or a date is no hour of the day.
    ({SAT}, "De balie is 30 uur per week open, van dinsdag tot en met zaterdag.", True),
    ({SAT}, "Op 1 september opent het loket op maandag om 9 uur.", False),
    ({SAT}, "Le guichet est ouvert le samedi de 9h à 12h.", True),
    ({SAT}, "Le guichet est ouvert le mardi de 9h à 12h.", False),
    ({SAT}, "The desk is open on Tuesdays from 9 a.m. to 4 p.m.", False),
    ({TUE}, "The desk is open on Tuesdays from 9 a.m. to 4 p.m.", True),
    (set(), "Le guichet est ouvert le mardi de 9h à 12h.", True),  # nothing asked: no day to keep to
])
def test_at_days(asked: set[int], sentence: str, fits: bool) -> None:
    assert at_days(frozenset(asked), sentence) is fits


def test_hours_of_other_days_are_no_candidate_for_a_time_on_the_asked_day() -> None:
    text = ("De sporthal is open van maandag tot en met zaterdag, met een late opening op woensdag tot 22 uur. "
            "Op zaterdag zijn de kleedkamers open tot 17 uur. Een beurtkaart kost 40 euro.")
    question = "Wij sporten enkel op zaterdag. Tot hoe laat is de sporthal dan open?"
    texts = [c.text for c in compose.candidates(question, [compose.Passage(1, text)], {}, kind="time")]
    assert "Op zaterdag zijn de kleedkamers open tot 17 uur." in texts
    assert not any(t.startswith("De sporthal is open van maandag") for t in texts)
    # Another kind asked: the day does not decide (a cost on Saturday is no hour).
    assert len(compose.candidates("Hoeveel kost de sporthal op zaterdag?", [compose.Passage(1, text)], {},
                                  kind="amount")) == 1
    # The asked day's hours are a candidate where they are the late opening's.
    late = [c.text for c in compose.candidates("Tot hoe laat is de sporthal open op woensdag?",
                                               [compose.Passage(1, text)], {}, kind="time")]
    assert late[0].startswith("De sporthal is open van maandag")


@pytest.mark.parametrize(("question", "translation", "same"), [
    ("Is the library open on Christmas Day?", "Is de bibliotheek open op zaterdag?", False),  # a day made up
    ("Le guichet est-il ouvert le samedi matin ?", "Is het loket open op zaterdagvoormiddag?", True),
    ("Is the desk open on Wednesday?", "Is het loket open?", False),  # a day lost
    ("Ouvert du mardi au samedi ?", "Open van dinsdag tot en met zaterdag?", True),
    ("Is the desk open on weekdays?", "Is het loket open op weekdagen?", True),  # no day by name in either
])
def test_a_translation_keeps_the_weekdays_a_question_names(question: str, translation: str, same: bool) -> None:
    assert (weekdays_named(question) == weekdays_named(translation)) is same


@pytest.mark.parametrize(("sentence", "hour"), [
    ("zaterdag: loket Burgerzaken 9.00 – 11.30", True),
    ("Versterkte muziek is toegelaten tot 23 uur.", True),
    ("Le guichet ferme à 16h.", True),
    ("Op zondag is het recyclagepark gesloten.", True),  # closed says it too
    ("De boete bedraagt 0,20 euro per week per item.", False),
    ("La maison communale se trouve au Marktplein 1.", False),
])
def test_gives_hour(sentence: str, hour: bool) -> None:
    assert gives_hour(sentence) is hour


ZONE = ["In het centrum geldt een blauwe zone van maandag tot en met zaterdag, van 9 uur tot 18 uur.",
        "U mag er maximaal twee uur parkeren met een parkeerschijf achter de voorruit.",
        "Op zondag is de markt op het Marktplein.",
        "Op zondag en op feestdagen is parkeren vrij."]


def test_what_a_source_says_of_the_asked_day_is_found_where_no_quote_speaks_of_it() -> None:
    question = "Mag ik op zondag zonder parkeerschijf in de blauwe zone parkeren?"
    # The Monday-to-Saturday rule leaves Sunday unsaid; the page's own sentence on Sunday that names a word of
    # the question ('parkeren') says it, not the first one that names Sunday (the market).
    assert of_day(question, ZONE[:1], ZONE) == ZONE[3]
    # A quote that speaks of Sunday already, in a range or by name, needs nothing more.
    assert of_day(question, ["Van maandag tot en met zondag betaalt u."], ZONE) == ""
    assert of_day(question, ZONE[3:], ZONE) == ""
    # No weekday asked by name, or no sentence on it that names the question's words: nothing.
    assert of_day("Mag ik zonder parkeerschijf in de blauwe zone parkeren?", ZONE[:1], ZONE) == ""
    assert of_day("Is er op zondag een markt?", ZONE[:1], ZONE) == ZONE[2]
    assert of_day("Is er op zondag een markt?", ZONE[:1], ZONE[:2]) == ""
    assert of_day("Peut-on se garer le dimanche sans disque ?", ZONE[:1], ZONE) == ""  # no word in common
