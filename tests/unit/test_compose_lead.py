"""A long question is answered from the document search ranked first, not from whichever document
holds the sentence that carries most of the question's words (dev: the ranking's first document is
the right one more often)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

import appliance.search
from appliance.access.principals import Principal
from appliance.ask import compose
from appliance.ask.answering import answer
from appliance.db.engine import read_session
from appliance.db.tables import Group
from appliance.documents.ingest import ensure_collection, ingest_file
from models.fakes import FakeLLM

RANKED = ("# Premie groendak\n\nDe gemeente geeft een premie van 25 euro per vierkante meter voor een groendak "
          "op een woning.\n")
NEIGHBOUR = ("# Premies wonen\n\nDe premie voor een groendak en een regenwaterput op een woning in de gemeente "
             "wordt elk jaar herzien.\n")
QUESTION = "Welke premie is er voor een groendak en een regenwaterput op een woning?"


def test_the_lead_documents_sentences_come_first_each_part_best_first() -> None:
    passages = [compose.Passage(1, "Een groendak en een regenwaterput op een woning krijgen een premie.", document=7),
                compose.Passage(2, "Een groendak krijgt een premie. De gemeente betaalt 25 euro per vierkante meter.",
                                document=9)]
    plain = compose.candidates(QUESTION, passages, {})
    led = compose.candidates(QUESTION, passages, {}, lead=9)
    assert plain[0].source == 1  # the sentence carrying most of the question leads
    assert [c.source for c in led] == [2, 2, 1]
    assert led[0].score >= led[1].score and [c.id for c in led] == [1, 2, 3]
    assert sorted(c.text for c in led) == sorted(c.text for c in plain)  # reordered, nothing added or lost
    assert [c.source for c in compose.candidates(QUESTION, passages, {}, lead=5)] == [c.source for c in plain]


@pytest.fixture()
def premiums(appliance, tmp_path):  # type: ignore[no-untyped-def]
    ensure_collection(appliance, "wonen", groups=["balie"])
    ids: dict[str, int] = {}
    for name, text in (("groendak.md", RANKED), ("premies.md", NEIGHBOUR)):
        (tmp_path / name).write_text(text, "utf-8")
        result = ingest_file(appliance, tmp_path / name, "wonen")
        assert result.ok and result.document_id is not None
        ids[name] = result.document_id
    with read_session(appliance.db) as s:
        balie = s.exec(select(Group).where(Group.name == "balie")).one()
    assert balie.id is not None
    return appliance, Principal(10, "baliemedewerker", "staff", frozenset({balie.id})), ids


def _ranked_first(document: int) -> Any:
    """search as for a long question: the document ranking put `document` first."""
    real = appliance.search.search

    def search(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        result.hits.sort(key=lambda h: h.document_id != document)
        for h in result.hits:
            h.document_probability = 0.8 if h.document_id == document else 0.1
        return result
    return search


def test_a_long_question_quotes_the_document_ranked_first(premiums, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app, clerk, ids = premiums
    plain = answer(app, clerk, QUESTION, llm=FakeLLM('{"ids": [1]}'))
    assert plain.status == "answered"
    first = {s.number: s.document_id for s in plain.sources}
    assert first[plain.citations[0].number] == ids["premies.md"]  # without a ranking: most words win

    monkeypatch.setattr(appliance.search, "search", _ranked_first(ids["groendak.md"]))
    led = answer(app, clerk, QUESTION, llm=FakeLLM('{"ids": [1]}'))
    assert led.status == "answered"
    of = {s.number: s.document_id for s in led.sources}
    assert of[led.citations[0].number] == ids["groendak.md"] and "25 euro" in led.citations[0].sentence
    assert led.checks["answerability"]["document"] == ids["groendak.md"]  # what answerability was fitted on
