"""The kind of fact a short question asks for, and sentences that carry one (appliance.ask.asked)."""

from __future__ import annotations

import pytest

from appliance.ask.asked import asked_kind, carries


@pytest.mark.parametrize(("question", "kind"), [
    ("Hoeveel kost een reispas in de dringende procedure?", "amount"),
    ("Combien coûte un passeport pour un mineur ?", "amount"),
    ("How much do I pay per kilogram for asbestos?", "amount"),
    ("Binnen hoeveel dagen beslist het college?", "number"),
    ("How many seats does the council have?", "number"),
    ("Tot hoe laat is het loket open op donderdag?", "time"),
    ("Quand a lieu la collecte des sapins ?", "time"),
    ("Wat is het e-mailadres van de bibliotheek?", "email"),
    ("Wie beslist over een omgevingsvergunning?", ""),
    ("Hoeveel kost " + "een lange brief over vele zaken " * 12 + "?", ""),  # a letter asks several things
])
def test_asked_kind(question: str, kind: str) -> None:
    assert asked_kind(question) == kind


def test_carries() -> None:
    assert carries("amount", "Een tweede kaart kost € 50 per jaar.")
    assert carries("amount", "De eerste kaart is gratis.")
    assert not carries("amount", "Voor asbest betaalt u een bijdrage per kilogram.")
    assert not carries("amount", "Het loket is open tot 16 uur.")
    assert carries("number", "U mag er maximaal twee uur parkeren.")
    assert carries("time", "Zone Zuid: elke woensdag.")
    assert not carries("time", "De bibliotheek wordt een Digipunt.")
    assert carries("email", "Mail naar info@belveld.example.") and not carries("email", "Mail ons.")
    assert carries("", "anything")
