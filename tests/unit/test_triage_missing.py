"""Required fields per category: found or missing in Dutch and French items; a polite request drafted
in the sender's language; nothing leaves before a person approves it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from appliance.access.principals import Principal
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent, OutboxMessage, TriageItem
from appliance.errors import BelfortError
from appliance.triage.missing import approve_and_send, assess, check_fields
from appliance.triage.routing import route
from tests.unit.triage_items import add_item, use_taxonomy

TAXONOMY = """
departments:
  - {key: omgeving, name: Dienst Omgeving, mailbox: omgeving@gemeente.example}
  - {key: secretariaat}
categories:
  - key: wegschade
    department: omgeving
    description: Schade aan wegen en voetpaden.
    required_fields: [address]
  - key: opvolging
    department: secretariaat
    description: Vraag over een lopend dossier.
    required_fields: [dossier_number, phone, document_description]
"""
ANNA = Principal(user_id=1, username="anna", role="staff")


@pytest.mark.parametrize("text", [
    "Er zit een diepe put in het voetpad voor Kerkstraat 12 in 9000 Gent.",
    "Gevaarlijke put ter hoogte van Brugsesteenweg 214, 8500 Kortrijk",
    "Il y a un nid-de-poule devant la rue de la Loi 16, 1000 Bruxelles.",
    "Trou dangereux dans le trottoir avenue Louise 54.",
])
def test_an_address_is_found_in_dutch_and_french(text) -> None:
    check = check_fields(text, ["address"])
    assert check.missing == [] and check.found["address"]


@pytest.mark.parametrize("text", [
    "Er zit al weken een diepe put in onze straat, kunnen jullie die herstellen?",
    "Il y a un nid-de-poule dans ma rue depuis des semaines, merci de le réparer.",
    "Put in de weg bij 9000 Gent",  # a municipality alone does not say where the hole is
])
def test_an_address_is_missing_in_dutch_and_french(text) -> None:
    assert check_fields(text, ["address"]).missing == ["address"]


def test_references_phone_and_fields_without_a_detector() -> None:
    text = "Betreft mijn aanvraag, dossiernummer OMV-2024-0153. Bel me op 0471 23 45 67."
    check = check_fields(text, ["dossier_number", "phone", "document_description"])
    assert check.found == {"dossier_number": "OMV-2024-0153", "phone": "0471 23 45 67"}
    assert check.missing == [] and check.unchecked == ["document_description"]
    assert check_fields("Hoe ver staat het?", ["dossier_number"]).missing == ["dossier_number"]


@pytest.fixture
def app(appliance, tmp_path):
    use_taxonomy(appliance, TAXONOMY, tmp_path)
    return appliance


def _outbox(app) -> list[OutboxMessage]:
    with read_session(app.db) as s:
        return list(s.exec(select(OutboxMessage)).all())


def test_the_draft_is_in_the_senders_language(app) -> None:
    fr = add_item(app, "Nid-de-poule", "Il y a un trou dangereux dans ma rue depuis une semaine.",
                  suggested="wegschade", language="fr")
    nl = add_item(app, "Put", "Er zit een gevaarlijke put in onze straat sinds vorige week.",
                  suggested="wegschade", language="nl")
    guessed = add_item(app, "Trou", "Bonjour, il y a un grand trou dans le trottoir devant chez nous, merci.",
                       suggested="wegschade", language="")
    check, draft = assess(app, fr)
    assert check.missing == ["address"]
    assert draft.language == "fr" and draft.subject.startswith("Informations complémentaires")
    assert "l'adresse complète" in draft.body and "(IA)" in draft.body
    _, draft = assess(app, nl)
    assert draft.language == "nl" and "het volledige adres" in draft.body and "Dienst Omgeving" in draft.body
    _, draft = assess(app, guessed)
    assert draft.language == "fr"
    with read_session(app.db) as s:
        assert s.get(TriageItem, fr).missing == []  # a look stores nothing; intake and routing do


def test_no_draft_when_nothing_is_missing(app) -> None:
    item = add_item(app, "Put", "Put in het voetpad voor Kerkstraat 12, 9000 Gent.", suggested="wegschade")
    check, draft = assess(app, item)
    assert check.found and draft is None


def test_assessing_an_item_stores_nothing(app) -> None:
    """Re-review F: the item page (a GET) stored the draft and wrote `triage.info_drafted`."""
    item = add_item(app, "Put", "Er zit een put in onze straat.", suggested="wegschade", language="nl")
    with read_session(app.db) as s:
        before = (s.get(TriageItem, item).model_dump_json(), len(s.exec(select(AuditEvent)).all()))
    first, again = assess(app, item)[1], assess(app, item)[1]
    assert first == again and first.fields == ["address"]  # the same draft at every look
    with read_session(app.db) as s:
        assert (s.get(TriageItem, item).model_dump_json(), len(s.exec(select(AuditEvent)).all())) == before
    route(app, item, "wegschade", by="anna")  # a person's POST: the item records what its category lacks
    with read_session(app.db) as s:
        assert s.get(TriageItem, item).missing == ["address"]


def test_nothing_is_sent_before_a_person_approves(app) -> None:
    item = add_item(app, "Put", "Er zit een put in onze straat.", suggested="wegschade", language="nl",
                    sender="burger@example.org")
    _, draft = assess(app, item)
    assess(app, item)  # opening the page twice drafts once and sends nothing
    assert _outbox(app) == []
    with read_session(app.db) as s:
        assert s.get(TriageItem, item).state == "queued"
    body = draft.body.replace("Geachte,", "Beste,")  # the person may edit it
    outbox_id = approve_and_send(app, ANNA, item, subject=draft.subject, body=body)
    [msg] = _outbox(app)
    assert msg.id == outbox_id and msg.target == "burger@example.org" and msg.ref == f"triage:{item}"
    assert msg.body.startswith("Beste,")
    with read_session(app.db) as s:
        stored = s.get(TriageItem, item)
        events = [e for e in s.exec(select(AuditEvent)).all() if e.action == "triage.info_requested"]
    assert stored.state == "awaiting_info" and stored.meta["info_request"]["sent_by"] == "anna"
    assert events and events[0].detail["edited"] is True and events[0].actor == "anna"
    assert assess(app, item)[1] is None  # sent: no new draft while the item awaits the answer
    with pytest.raises(BelfortError) as err:  # approving again does not send it twice
        approve_and_send(app, ANNA, item, subject=draft.subject, body=body)
    assert err.value.code == "triage.no_draft" and len(_outbox(app)) == 1


def test_a_forged_sender_is_never_answered(app) -> None:
    item = add_item(app, "Put", "Er zit een put in onze straat.", suggested="wegschade",
                    flags=["spoofed_sender"])
    _, draft = assess(app, item)
    with pytest.raises(BelfortError) as err:
        approve_and_send(app, ANNA, item, subject=draft.subject, body=draft.body)
    assert err.value.code == "triage.sender_unverified" and _outbox(app) == []
