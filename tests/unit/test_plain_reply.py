"""Reply drafts: in the sender's language, every statement cited and claim-checked, protected terms
kept, audited; nothing leaves before a person approves, and the sent mail carries the AI label."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from appliance import plain
from appliance.access.principals import Principal
from appliance.ask.types import Answer, Citation, Source
from appliance.db.engine import read_session
from appliance.db.tables import AnswerRecord, AuditEvent, OutboxMessage, TriageItem
from appliance.documents.ingest import ensure_collection, ingest_file
from appliance.errors import BelfortError
from appliance.i18n import t
from appliance.mail.outbox import build_mail
from appliance.plain.reply import _statements
from models.fakes import FakeLLM
from tests.conftest import make_settings
from tests.unit.triage_items import add_item

ADMIN = Principal(user_id=1, username="anna", role="admin")
STAFF = Principal(user_id=2, username="bert", role="staff")
FR_DOC = ("Carte d'identité électronique\n\nLa nouvelle carte d'identité électronique coûte 25 euros en "
          "procédure normale. Prenez rendez-vous au guichet Population et apportez une photo récente en "
          "couleur. Vous recevez les codes PIN et PUK par courrier après trois semaines.")
NL_DOC = ("Elektronische identiteitskaart\n\nEen nieuwe elektronische identiteitskaart kost 25 euro in de "
          "normale procedure. Maak een afspraak bij het loket Burgerzaken en breng een recente pasfoto mee.")
FR_MAIL = ("Bonjour,\n\nMa carte d'identité électronique expire le mois prochain. Combien coûte une nouvelle "
           "carte d'identité ? Faut-il apporter une photo au guichet Population ?\n\nMerci d'avance,\nMarie Dubois")
NL_MAIL = ("Goedendag,\n\nMijn identiteitskaart vervalt. Wat kost een nieuwe elektronische identiteitskaart en "
           "moet ik een pasfoto meebrengen naar het loket Burgerzaken?\n\nGroeten,\nJan")


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_settings(tmp_path, ask={"answer_mode": "composed"})


@pytest.fixture
def app(appliance, tmp_path: Path):  # type: ignore[no-untyped-def]
    ensure_collection(appliance, "publiek", groups=["balie"])
    for name, text in (("eid-fr.txt", FR_DOC), ("eid-nl.txt", NL_DOC)):
        path = tmp_path / name
        path.write_text(text, "utf-8")
        assert ingest_file(appliance, path, "publiek").ok
    plain.save_lists(appliance, "admin", terms="guichet Population\nloket Burgerzaken", rules="")
    return appliance


def _item(app, text: str, language: str, subject: str, name: str) -> int:  # type: ignore[no-untyped-def]
    return add_item(app, subject, text, language=language, sender_name=name, sender="burger@example.org")


def _outbox(app) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with read_session(app.db) as s:
        return list(s.exec(select(OutboxMessage)).all())


def test_a_french_mail_gets_a_french_draft_from_french_sources_only(app) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(app, FR_MAIL, "fr", "Nouvelle carte d'identité", "Marie Dubois")
    draft = plain.draft_reply(app, ADMIN, item_id, llm=FakeLLM('{"ids": [1, 2, 3]}'))
    assert draft["language"] == "fr" and draft["state"] == "draft"
    assert draft["body"].startswith("Bonjour Marie Dubois,") and t("fr", "plain_reply.closing") in draft["body"]
    assert draft["statements"], draft
    assert all(s["language"] == "fr" for s in draft["sources"])
    assert "25 euros" in draft["body"] and "kost" not in draft["body"]  # nothing quoted from the Dutch page
    assert draft["claim_check"]["passed"] and all(s["kept"] for s in draft["claim_check"]["sentences"])
    assert "guichet Population" in draft["body"]  # protected term kept as written
    for s in draft["statements"]:
        assert f"[{s['number']}]" in draft["body"]  # every statement cites its source
    scores = draft["readability"]
    assert scores["draft"]["language"] == "fr" and scores["sources"]["formula"] == "kandel-moles"
    assert _outbox(app) == []  # drafting sends nothing


def test_each_question_of_a_mail_is_asked_with_its_subject(app) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(app, FR_MAIL, "fr", "Nouvelle carte d'identité", "Marie Dubois")
    with read_session(app.db) as s:
        item = s.get(TriageItem, item_id)
    assert item is not None
    assert plain.questions_of(item) == [
        "Nouvelle carte d'identité: Combien coûte une nouvelle carte d'identité ?",
        "Nouvelle carte d'identité: Faut-il apporter une photo au guichet Population ?"]
    assert "Bonjour" not in plain.question_of(item) and "Marie" not in plain.question_of(item)


def test_a_dutch_mail_gets_a_dutch_draft(app) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(app, NL_MAIL, "nl", "Nieuwe identiteitskaart", "")
    draft = plain.draft_reply(app, ADMIN, item_id, llm=FakeLLM('{"ids": [1, 2]}'))
    assert draft["language"] == "nl" and draft["body"].startswith(t("nl", "plain_reply.greeting_anonymous"))
    assert "25 euro" in draft["body"] and "euros" not in draft["body"]
    assert draft["readability"]["draft"]["score"] > draft["readability"]["sources"]["score"]


def test_nothing_is_sent_without_approval_and_the_sent_mail_is_labelled(app) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(app, FR_MAIL, "fr", "Nouvelle carte d'identité", "Marie Dubois")
    with pytest.raises(BelfortError) as none_yet:
        plain.approve_reply(app, ADMIN, item_id, subject="Réponse", body="Bonjour")
    assert none_yet.value.code == "plain.no_reply_draft" and _outbox(app) == []
    draft = plain.draft_reply(app, ADMIN, item_id, llm=FakeLLM('{"ids": [1]}'))
    assert _outbox(app) == []
    with pytest.raises(BelfortError):  # a person outside the triage group cannot approve
        plain.approve_reply(app, STAFF, item_id, subject=draft["subject"], body=draft["body"])
    assert _outbox(app) == []
    edited = draft["body"].replace("Cordialement", "Bien à vous")
    outbox_id = plain.approve_reply(app, ADMIN, item_id, subject=draft["subject"], body=edited)
    [row] = _outbox(app)
    assert row.id == outbox_id and row.target == "burger@example.org"
    mail = build_mail(app, row)
    text = mail.get_content()
    assert t("fr", "plain_reply.ai_label") in text and "Bien à vous" in text
    assert mail[plain.AI_HEADER] == plain.REPLY_VERSION
    with pytest.raises(BelfortError) as twice:  # sent once; a second approval sends nothing
        plain.approve_reply(app, ADMIN, item_id, subject=draft["subject"], body=edited)
    assert twice.value.code == "plain.no_reply_draft" and len(_outbox(app)) == 1
    with read_session(app.db) as s:
        item = s.get(TriageItem, item_id)
        events = {e.action: e for e in s.exec(select(AuditEvent).where(AuditEvent.target == f"triage:{item_id}"))}
        record = s.get(AnswerRecord, draft["ask_audit_ids"][0])
    assert item is not None and item.meta["reply_draft"]["state"] == "sent" and item.meta["reply_draft"]["edited"]
    assert events["plain.reply_sent"].detail["edited"] is True
    assert events["plain.reply_sent"].detail["decision"] == "approved"
    assert events["plain.reply_drafted"].detail["ask_audit_ids"] == draft["ask_audit_ids"]
    assert record is not None and record.model == "fake-llm"  # Ask's record: model, version, sources


def test_without_a_matching_passage_the_draft_promises_a_person(app) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(app, "Bonjour,\n\nQuand passe le camion des encombrants dans ma rue ?\n\nMerci", "fr",
                    "Encombrants", "")
    draft = plain.draft_reply(app, ADMIN, item_id, llm=FakeLLM('{"ids": [1]}'))
    assert draft["statements"] == [] and t("fr", "plain_reply.no_answer") in draft["body"]
    assert _outbox(app) == []


def test_a_forged_sender_is_never_answered(app) -> None:  # type: ignore[no-untyped-def]
    item_id = add_item(app, "Nouvelle carte d'identité", FR_MAIL, language="fr", flags=["spoofed_sender"])
    draft = plain.draft_reply(app, ADMIN, item_id, llm=FakeLLM('{"ids": [1]}'))
    with pytest.raises(BelfortError) as err:
        plain.approve_reply(app, ADMIN, item_id, subject=draft["subject"], body=draft["body"])
    assert err.value.code == "triage.sender_unverified" and _outbox(app) == []


@pytest.mark.parametrize(("statement", "context", "expected"), [
    ("De Kerkstraat wordt vanaf 1 mei een fietsstraat.", "", False),  # only the street name is shared
    ("Een put in de weg meldt u bij de dienst wegen.", "", True),
    ("U meldt het binnen de week.", "Putten in de weg melden", True),  # the heading carries the subject
])
def test_a_statement_must_carry_the_question(statement: str, context: str, expected: bool) -> None:
    question = "Put in de Kerkstraat: waar meld ik een put in de weg?"
    assert plain.on_topic(question, statement, context) is expected


def _source(number: int, text: str, language: str, context: str = "") -> Source:
    return Source(number=number, chunk_id=number, document_id=number, version_id=number, collection="publiek",
                  title=f"doc {number}", source_path="", page=1, snippet_html="", text=text, relevance=0.5,
                  language=language, context=context)


def test_quotes_in_another_language_give_way_to_the_senders_language(app) -> None:  # type: ignore[no-untyped-def]
    """Ask may quote a Dutch page to a French question (with a note); a French reply cannot: the
    sentences of Ask's French sources that carry the question are used instead."""
    question = "Nouvelle carte d'identité: Faut-il apporter une photo ?"
    answer = Answer(text="", citations=[Citation(1, "Breng een recente pasfoto mee naar het loket.", 1.0, "quote")],
                    sources=[_source(1, NL_DOC, "nl", "Elektronische identiteitskaart"),
                             _source(2, FR_DOC, "fr", "Carte d'identité électronique")],
                    status="answered", language="fr")
    lines, left = _statements(app, answer, "fr", question)
    assert left == {"language": 1, "off_topic": 0}
    assert lines and {(s["number"], s["kind"]) for s in lines} == {(2, "extract")}
    assert "photo récente" in lines[0]["text"] and not lines[0]["text"].startswith("Carte")
    answer.status = "dont_know"  # Ask's gate is respected: no extract where Ask found no answer
    assert _statements(app, answer, "fr", question)[0] == []


def test_words_that_only_say_something_is_asked_do_not_make_a_statement_off_topic() -> None:
    from appliance.plain.reply import on_topic

    leefloon = "Het leefloon is een maandelijks bedrag voor wie geen of te weinig inkomen heeft."
    assert on_topic("Vraag over leefloon", leefloon)  # "vraag" says a question is asked, not its topic
    assert on_topic("DRINGEND: leefloon", leefloon)
    # a statement that shares none of the topic words stays off topic
    assert not on_topic("Vraag over leefloon", "De Molenstraat heet voortaan Stationsweg.")
    # with two topic words, one shared word is still chance
    assert not on_topic("Vraag over het fietspad in de Molenstraat", "De Molenstraat heet voortaan Stationsweg.")


WASTE_DOC = ("Sluikstorten\n\nAfval achterlaten op straat is sluikstorten.\n\n## Gevaarlijk afval\n\n"
             "Gaat het om vaten, jerrycans of onbekende vloeistoffen langs de weg? Raak ze niet aan en houd "
             "afstand van de vaten. Bel de milieudienst op het nummer 099 12 34 30.\n\n## Boetes\n\n"
             "Wie sluikstort, krijgt een GAS-boete tot 350 euro.")
WASTE_MAIL = ("Dag,\n\nVannacht zijn langs de weg naast de speeltuin tien vaten gedumpt en uit twee vaten "
              "lekt een stinkende vloeistof. Kan iemand vandaag nog komen?\n\nKoen")


def test_a_letter_that_asks_nothing_ask_can_answer_is_answered_from_the_passages_about_its_situation(
        app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "sluikstorten.md"
    path.write_text(WASTE_DOC, "utf-8")
    assert ingest_file(app, path, "publiek").ok
    item_id = _item(app, WASTE_MAIL, "nl", "DRINGEND", "Koen")
    draft = plain.draft_reply(app, ADMIN, item_id, llm=FakeLLM('{"ids": [1]}'))
    quoted = [s["quote"] for s in draft["statements"]]
    assert draft["questions"][-1]["status"] == "mail_extract"
    # The statements answering the passage's own question about barrels and liquids; not its question,
    # not the unrelated fine.
    assert "Raak ze niet aan en houd afstand van de vaten." in quoted
    assert not any(q.endswith("?") or "GAS-boete" in q for q in quoted)
    assert draft["claim_check"]["passed"] and all(s["kind"] == "extract" for s in draft["statements"])
    assert draft["sources"] and draft["sources"][0]["title"].startswith("sluikstorten")
