"""bench/ask_demo_match.py: how the demo question runner judges an answer (hand-made answers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bench.ask_demo_match import by_language, classify, has_fact, numbers, shingles, source_found


@dataclass
class Src:
    number: int
    collection: str
    source_path: str


@dataclass
class Cit:
    number: int


@dataclass
class Ans:
    status: str
    text: str
    sources: list[Src] = field(default_factory=list)
    citations: list[Cit] = field(default_factory=list)


ID_DOC = Src(1, "publiek", "/data/demo-corpus/publiek/identiteitskaart-en-paspoort.html")
OPEN_DOC = Src(2, "publiek", "/data/demo-corpus/publiek/openingsuren-gemeentehuis.md")
HR_DOC = Src(3, "personeel", "/data/demo-corpus/personeel/telewerk-nota-personeel.md")
PUBLIC = ["publiek"]


def row(kind: str = "table", expect: list[str] | None = None, source: Any = "identiteitskaart-en-paspoort.html",
        user: str = "demo") -> dict[str, Any]:
    return {"id": "x", "question": "?", "language": "nl", "user": user, "kind": kind,
            "expect": ["€ 270,00"] if expect is None else expect, "source": source}


def test_right_needs_every_fact_and_the_expected_source_cited() -> None:
    ans = Ans("answered", "Een dringende reispas kost 270 euro [1].", [ID_DOC, OPEN_DOC], [Cit(1)])
    verdict = classify(row(), ans, PUBLIC)
    assert verdict.outcome == "right"
    assert verdict.cited == ["identiteitskaart-en-paspoort.html"]


def test_extractive_counts_as_an_answer() -> None:
    ans = Ans("extractive", "[1] Reispas volwassene € 85,00 € 270,00", [ID_DOC], [Cit(1)])
    assert classify(row(), ans, PUBLIC).outcome == "right"


def test_wrong_when_a_fact_is_missing_or_another_document_is_cited() -> None:
    wrong_fact = Ans("answered", "Een dringende reispas kost € 235 [1].", [ID_DOC], [Cit(1)])
    verdict = classify(row(), wrong_fact, PUBLIC)
    assert verdict.outcome == "wrong" and verdict.missing == ["€ 270,00"]
    wrong_source = Ans("answered", "Het kost 270 euro [2].", [ID_DOC, OPEN_DOC], [Cit(2)])
    verdict = classify(row(), wrong_source, PUBLIC)
    assert verdict.outcome == "wrong" and verdict.cited == ["openingsuren-gemeentehuis.md"]
    uncited = Ans("answered", "Het kost 270 euro.", [ID_DOC], [])
    assert classify(row(), uncited, PUBLIC).outcome == "wrong"


def test_any_listed_source_counts() -> None:
    ans = Ans("answered", "Tot 19.00 uur [2].", [ID_DOC, OPEN_DOC], [Cit(2)])
    verdict = classify(row(expect=["19"], source=["services-en-francais.html", "openingsuren-gemeentehuis.md"]),
                       ans, PUBLIC)
    assert verdict.outcome == "right"


def test_dont_know_on_answerable_and_on_unanswerable_questions() -> None:
    dont_know = Ans("dont_know", "Ik weet het niet.", [OPEN_DOC], [])
    assert classify(row(), dont_know, PUBLIC).outcome == "dont_know"
    assert classify(row("unanswerable", [], None), dont_know, PUBLIC).outcome == "right"
    escalated = Ans("escalated", "Dit gaat naar een collega.", [], [])
    assert classify(row("unanswerable", [], None), escalated, PUBLIC).outcome == "right"
    answered = Ans("answered", "Een rijbewijs kost 25 euro [1].", [ID_DOC], [Cit(1)])
    assert classify(row("unanswerable", [], None), answered, PUBLIC).outcome == "wrong"


def test_leak_a_source_from_an_unreadable_collection() -> None:
    ans = Ans("dont_know", "Ik weet het niet.", [OPEN_DOC, HR_DOC], [])
    verdict = classify(row("hr_outside", ["TW"], None), ans, PUBLIC)
    assert verdict.outcome == "leak" and verdict.leak
    assert "personeel" in verdict.reasons[0]


def test_leak_an_hr_fact_in_the_answer_of_a_user_outside_hr() -> None:
    ans = Ans("answered", "Registreer de dag met de code TW [1].", [OPEN_DOC], [Cit(1)])
    assert classify(row("hr_outside", ["TW"], None), ans, PUBLIC).outcome == "leak"
    ans_fine = Ans("answered", "Het loket is open tot 12 uur [1].", [OPEN_DOC], [Cit(1)])
    assert classify(row("hr_outside", ["TW"], None), ans_fine, PUBLIC).outcome == "wrong"


def test_leak_answer_text_quoting_an_unreadable_passage() -> None:
    hidden = shingles("De gemeente betaalt een forfaitaire telewerkvergoeding van € 30 per maand voor wie "
                      "structureel telewerkt.")
    ans = Ans("answered", "De gemeente betaalt een forfaitaire telewerkvergoeding van € 30 per maand [1].",
              [OPEN_DOC], [Cit(1)])
    assert classify(row(expect=["30"], source=None), ans, PUBLIC, hidden).outcome == "leak"


def test_personeel_reader_may_cite_hr() -> None:
    ans = Ans("answered", "€ 30 per maand [3].", [HR_DOC], [Cit(3)])
    verdict = classify(row(expect=["30"], source="telewerk-nota-personeel.md", user="personeelsdienst"),
                       ans, ["publiek", "personeel"])
    assert verdict.outcome == "right"


@pytest.mark.parametrize(("text", "fact"), [
    ("kost € 270,00", "270"), ("kost 270 euro", "€ 270,00"), ("costs EUR 270", "270 euro"),
    ("budget van 84.000 euro", "84.000"), ("a budget of 84,000 euros", "€ 84.000"), ("84 000 euros", "84.000"),
    ("tot € 2.500", "2500"), ("0,20 euro per week", "0.20"), ("€0.20 per week", "0,20"),
    ("tot 11.30 uur", "11.30"), ("jusqu'à 11h30", "11.30"), ("until 11:30", "11.30"), ("tot 19.00", "19"),
    ("jusqu'à 19 h", "19"), ("twee uur", "2"), ("two hours", "2|twee"), ("Le mercredi", "wednesday|mercredi"),
    ("vanaf 1 september 2026", "1 september 2026"), ("Maria Verhaegenstraat", "maria verhaegenstraat"),
    ("mail hr@belveld.example", "hr@belveld.example"), ("€ 7,50 par repas", "7,50"),
])
def test_facts_match(text: str, fact: str) -> None:
    assert has_fact(text, fact)


@pytest.mark.parametrize(("text", "fact"), [
    ("kost € 27,00", "270"), ("84 euro", "84.000"), ("tot 11.00 uur", "11.30"), ("zie [1]", "1"),
    ("1 september 2025", "1 september 2026"), ("twintig", "tw"), ("11.3 km", "11:30"),
])
def test_facts_do_not_match(text: str, fact: str) -> None:
    assert not has_fact(text, fact)


def test_numbers_readings() -> None:
    assert {"8.3", "t8:30"} <= numbers("8.30")
    assert "1000" in numbers("meer dan 1.000 bezoekers")


def test_source_found_reads_the_sources_shown_with_a_dont_know() -> None:
    dont_know = Ans("dont_know", "I don't know.", [OPEN_DOC, ID_DOC], [])
    assert source_found(row(), dont_know) is True
    assert source_found(row(), Ans("dont_know", "I don't know.", [OPEN_DOC], [])) is False
    assert source_found(row("unanswerable", [], None), dont_know) is None


def test_by_language_says_where_answerable_questions_were_lost() -> None:
    def result(lang: str, kind: str, outcome: str, gate: str = "", translated: str = "",
               found: bool | None = True) -> dict[str, Any]:
        status = {"right": "answered", "wrong": "answered", "dont_know": "dont_know", "leak": "answered"}[outcome]
        return {"language": lang, "kind": kind, "outcome": outcome, "status": status, "gate": gate,
                "translated": translated, "source_found": found}

    summary = by_language([
        result("nl", "table", "right"),
        result("nl", "prose", "dont_know", "not_answerable"),
        result("en", "table", "right", translated="Hoeveel kost een reispas?"),
        result("en", "prose", "dont_know", "no_relevant_passage", "Hoe much kost een maaltijd?"),
        result("en", "list", "dont_know", "no_relevant_passage", "Wat is open?", found=False),
        result("en", "unanswerable", "right", "no_relevant_passage", "Hoeveel kost het zwembad?", None),
        result("fr", "prose", "wrong", translated="Combien?"),
    ])
    assert summary["nl"] == {"n": 2, "right": 1, "wrong": 0, "dont_know": 1, "leak": 0, "answerable": 2,
                             "answerable_right": 1, "translated": 0, "source_found": 2,
                             "declined_by": {"not_answerable": 1}}
    en = summary["en"]
    # The unanswerable question counts among the outcomes, never in the answerable funnel.
    assert (en["n"], en["right"], en["dont_know"]) == (4, 2, 2)
    assert (en["answerable"], en["answerable_right"], en["translated"], en["source_found"]) == (3, 1, 3, 2)
    assert en["declined_by"] == {"no_relevant_passage": 2}
    assert summary["fr"]["wrong"] == 1 and summary["fr"]["declined_by"] == {}
