"""Escalation tickets ("stuur door naar een collega"): routing, permissions, replies, audit, mail.

Answers come from the real Ask pipeline (fake embedder, `llm.engine = none`: extractive or
"I don't know"), so each ticket starts from a real hash-chained AnswerRecord.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select

from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.access.principals import Principal
from appliance.ask import tickets
from appliance.ask.answering import answer
from appliance.audit.log import record_feedback
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Collection, OutboxMessage
from appliance.errors import BelfortError
from tests.integration.ask_support import ask_page, audit_id
from tests.integration.web_support import PW, bearer, build_world, csrf

SPORTHAL_Q = "Wie verleende de omgevingsvergunning voor de sporthal aan de Vaartstraat?"
BOTH_Q = "omgevingsvergunning sporthal Vaartstraat kinderopvang Zonnebloem advies"
MAILBOX = "omgeving@belveld.invalid"


def principal(app, username: str) -> Principal:  # type: ignore[no-untyped-def]
    uid = {u.username: u.id for u in accounts.list_users(app)}[username]
    who = accounts.principal_by_id(app, uid)
    assert who is not None
    return who


def set_route(app, name: str, department: str, mailbox: str = "", group: str = "") -> None:  # type: ignore[no-untyped-def]
    with write_session(app.db) as s:
        c = s.exec(select(Collection).where(Collection.name == name)).one()
        c.route_department, c.route_mailbox = department, mailbox
        c.settings_json = {**(c.settings_json or {}), **({"route_group": group} if group else {})}
        s.add(c)


@pytest.fixture
def world(appliance, tmp_path):  # type: ignore[no-untyped-def]
    w = build_world(appliance, tmp_path)
    set_route(appliance, "bouw", "Dienst Omgeving", MAILBOX, group="omgevingsdienst")
    set_route(appliance, "welzijn", "Sociale dienst", "", group="welzijngroep")
    # olga handles the bouw route; her group reads bouw (handlers read only what they may read).
    accounts.create_user(appliance, "olga", PW, role="staff", groups=["omgevingsdienst"])
    accounts.set_collection_groups(appliance, "bouw", ["bouwgroep", "omgevingsdienst"])
    w.tokens["olga"] = api_tokens.create_token(appliance, "olga", "tests")
    return w



def ask(world, user: str, question: str = SPORTHAL_Q):  # type: ignore[no-untyped-def]
    ans = answer(world.app, principal(world.app, user), question)
    assert ans.audit_id and ans.status in ("extractive", "dont_know"), ans.status
    return ans


def events(app, ticket_id: int) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with read_session(app.db) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.target == f"ticket:{ticket_id}")
                           .order_by(AuditEvent.id)).all())


def outbox(app) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with read_session(app.db) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_forward_takes_the_route_and_the_answer_from_the_record(world, signed_in):  # type: ignore[no-untyped-def]
    ans = ask(world, "anna")
    assert ans.status == "extractive" and ans.sources[0].document_id == world.docs["bouw"]
    anna = signed_in("anna")
    r = anna.post(f"/ask/{ans.audit_id}/forward", data={"note": "Graag nakijken", "_csrf_token": csrf(anna)},
                  follow_redirects=False)
    assert r.status_code == 303
    m = re.fullmatch(r"/tickets/(\d+)", r.headers["location"])
    assert m
    t = tickets.get_ticket(world.app, principal(world.app, "anna"), int(m.group(1))).ticket
    assert (t.answer_id, t.asker, t.forwarded_by, t.state) == (ans.audit_id, "anna", "anna", "open")
    assert (t.collection, t.department, t.mailbox) == ("bouw", "Dienst Omgeving", MAILBOX)
    assert t.question == SPORTHAL_Q and t.answer == ans.text and t.note == "Graag nakijken"
    assert [s["document_id"] for s in t.sources] == [s.document_id for s in ans.sources]
    assert t.sources[0]["title"] == "Sporthal Vaartstraat" and t.sources[0]["page"] == 2
    page = anna.get(r.headers["location"]).text
    assert "Sporthal Vaartstraat" in page and "Graag nakijken" in page and "Dienst Omgeving" in page
    assert t.answer_status == "extractive" and "geen AI-antwoord" in page  # quotes, not AI-made text
    assert f'action="/tickets/{t.id}/close"' in page
    assert 'name="reply"' not in page  # the asker does not handle her own ticket
    # Forwarding the same answer again (double submit) gives the same open ticket.
    again = anna.post(f"/ask/{ans.audit_id}/forward", data={"_csrf_token": csrf(anna)},
                      follow_redirects=False)
    assert again.headers["location"] == r.headers["location"]
    assert anna.post(f"/ask/{ans.audit_id}/forward", data={"note": "x"}).status_code == 403  # no CSRF token


def test_ticket_sources_are_only_what_the_asker_can_read(world):  # type: ignore[no-untyped-def]
    app = world.app
    accounts.set_collection_groups(app, "welzijn", ["welzijngroep", "bouwgroep"])
    ans = ask(world, "anna", BOTH_Q)
    asked = {s.document_id for s in ans.sources}
    assert asked == {world.docs["bouw"], world.docs["welzijn"]}, asked
    # Anna loses welzijn before she forwards: the ticket must not carry it, nor route there.
    accounts.set_collection_groups(app, "welzijn", ["welzijngroep"])
    t = tickets.forward(app, principal(app, "anna"), ans.audit_id)
    assert [s["document_id"] for s in t.sources] == [world.docs["bouw"]]
    assert t.collection == "bouw"


def test_no_route_in_the_sources_takes_the_first_readable_route(world):  # type: ignore[no-untyped-def]
    app = world.app
    set_route(app, "bouw", "", "")  # bouw loses its route; wout reads only welzijn
    ans = ask(world, "wout", "Hoeveel kost een reispas aan het loket?")
    t = tickets.forward(app, principal(app, "wout"), ans.audit_id)
    assert (t.collection, t.department, t.mailbox) == ("welzijn", "Sociale dienst", "")
    anna_ans = ask(world, "anna", "Hoeveel kost een reispas aan het loket?")
    t2 = tickets.forward(app, principal(app, "anna"), anna_ans.audit_id)
    assert (t2.collection, t2.department) == ("", "")  # nothing anna reads has a route: admins handle it
    assert tickets.get_ticket(app, principal(app, "admin"), t2.id or 0).may_handle
    assert not tickets.get_ticket(app, principal(app, "anna"), t2.id or 0).may_handle


def test_another_staff_user_cannot_forward_or_see_the_ticket(world, signed_in):  # type: ignore[no-untyped-def]
    ans = ask(world, "anna")
    archie = signed_in("archie")  # reads the same collection, but did not ask and does not handle
    r = archie.post(f"/ask/{ans.audit_id}/forward", data={"_csrf_token": csrf(archie)},
                    follow_redirects=False)
    assert r.status_code == 404
    t = tickets.forward(world.app, principal(world.app, "anna"), ans.audit_id)
    assert archie.get(f"/tickets/{t.id}").status_code == 404
    assert f"/tickets/{t.id}" not in archie.get("/tickets").text
    r = archie.post(f"/tickets/{t.id}/reply", data={"reply": "hack", "_csrf_token": csrf(archie)})
    assert r.status_code == 404
    assert archie.post(f"/tickets/{t.id}/close", data={"_csrf_token": csrf(archie)}).status_code == 404
    with world.client() as api:
        assert api.get(f"/api/v1/tickets/{t.id}", headers=bearer(world, "wout")).status_code == 404
        r = api.post(f"/api/v1/ask/{ans.audit_id}/forward", json={}, headers=bearer(world, "wout"))
        assert r.status_code == 404 and r.json()["error"]["code"] == "tickets.answer_not_found"
        assert api.get("/api/v1/tickets", headers=bearer(world, "wout")).json() == []
    assert tickets.get_ticket(world.app, principal(world.app, "anna"), t.id or 0).ticket.state == "open"


def test_handler_replies_the_asker_reads_it_and_every_change_is_audited(world, signed_in):  # type: ignore[no-untyped-def]
    ans = ask(world, "anna")
    anna = signed_in("anna")
    location = anna.post(f"/ask/{ans.audit_id}/forward", data={"note": "dringend", "_csrf_token": csrf(anna)},
                         follow_redirects=False).headers["location"]
    tid = int(location.rsplit("/", 1)[1])
    olga = signed_in("olga")
    listing = olga.get("/tickets").text
    assert f'href="/tickets/{tid}"' in listing and "anna" in listing
    assert f'href="/tickets/{tid}"' not in olga.get("/tickets", params={"state": "closed"}).text
    page = olga.get(location).text
    assert 'name="reply"' in page and "Sporthal Vaartstraat" in page
    r = olga.post(f"{location}/reply", data={"reply": "  ", "_csrf_token": csrf(olga)})
    assert r.status_code == 400 and "Het antwoord is leeg." in r.text
    r = anna.post(f"{location}/reply", data={"reply": "zelf", "_csrf_token": csrf(anna)})
    assert r.status_code == 403  # the asker is no handler
    r = olga.post(f"{location}/reply", data={"reply": "Het college, op 3 maart.", "_csrf_token": csrf(olga)},
                  follow_redirects=False)
    assert r.status_code == 303
    mine = anna.get(location).text
    assert "Het college, op 3 maart." in mine and "olga" in mine and "Beantwoord" in mine
    r = olga.post(f"{location}/reply", data={"reply": "nog eens", "_csrf_token": csrf(olga)})
    assert r.status_code == 409
    r = anna.post(f"{location}/close", data={"_csrf_token": csrf(anna)}, follow_redirects=False)
    assert r.status_code == 303
    assert tickets.get_ticket(world.app, principal(world.app, "anna"), tid).ticket.state == "closed"
    assert anna.post(f"{location}/close", data={"_csrf_token": csrf(anna)}).status_code == 409

    trail = events(world.app, tid)
    assert [(e.action, e.actor, e.detail["from"], e.detail["to"]) for e in trail] == [
        ("ticket.created", "anna", "", "open"),
        ("ticket.answered", "olga", "open", "answered"),
        ("ticket.closed", "anna", "answered", "closed"),
    ]
    for e in trail:  # no question, note or reply text in the event log
        text = json.dumps(e.detail)
        assert "sporthal" not in text.lower() and "dringend" not in text and "college" not in text
        assert e.detail["answer_id"] == ans.audit_id


def test_api_forward_list_and_read(world):  # type: ignore[no-untyped-def]
    ans = ask(world, "anna")
    with world.client() as api:
        r = api.post(f"/api/v1/ask/{ans.audit_id}/forward", json={"note": "via intranet"},
                     headers=bearer(world, "anna"))
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["state"] == "open" and body["collection"] == "bouw" and body["mine"] is True
        assert body["url"] == f"/tickets/{body['id']}" and body["sources"][0]["page"] == 2
        listed = api.get("/api/v1/tickets", headers=bearer(world, "olga")).json()
        assert [t["id"] for t in listed] == [body["id"]] and listed[0]["may_handle"] is True
        olga = bearer(world, "olga")
        assert api.get("/api/v1/tickets", params={"state": "closed"}, headers=olga).json() == []
        assert api.get("/api/v1/tickets", params={"state": "nope"}, headers=olga).status_code == 400
        one = api.get(f"/api/v1/tickets/{body['id']}", headers=bearer(world, "anna")).json()
        assert one["note"] == "via intranet" and one["reply"] == ""
        assert api.get("/api/v1/tickets").status_code == 401


def test_admin_may_forward_someone_elses_answer(world):  # type: ignore[no-untyped-def]
    app = world.app
    ans = ask(world, "anna")
    t = tickets.forward(app, principal(app, "admin"), ans.audit_id)
    assert (t.asker, t.forwarded_by) == ("anna", "admin")
    assert tickets.get_ticket(app, principal(app, "anna"), t.id or 0).mine
    with pytest.raises(BelfortError) as err:
        tickets.forward(app, principal(app, "anna"), ans.audit_id, "x" * 3000)
    assert err.value.code == "tickets.note_too_long"
    fb_id = record_feedback(app, principal(app, "anna"), ans.audit_id, helpful=False)  # not an answer
    with pytest.raises(BelfortError) as err:
        tickets.forward(app, principal(app, "anna"), fb_id)
    assert err.value.code == "tickets.answer_not_found"


def test_a_route_with_a_mailbox_queues_the_ticket_mail(world):  # type: ignore[no-untyped-def]
    app = world.app
    ans = ask(world, "anna")
    t = tickets.forward(app, principal(app, "anna"), ans.audit_id, "zie bijlage")
    [mail] = [m for m in outbox(app) if m.ref == f"ticket:{t.id}"]
    assert (mail.channel, mail.state, mail.target) == ("smtp", "pending", MAILBOX)
    assert mail.subject.startswith(f"[Belfort] Vraag doorgestuurd #{t.id}: Wie verleende de")
    for private in ("anna", "zie bijlage", "Vaartstraat"):  # no asker, no note, only the first words
        assert private not in mail.subject
    assert SPORTHAL_Q in mail.body and ans.text in mail.body
    assert "Sporthal Vaartstraat, p. 2" in mail.body and f"/tickets/{t.id}" in mail.body
    assert "Passages uit de documenten (geen AI-antwoord):" in mail.body  # extractive: quotes, not AI text
    # welzijn's route has no mailbox: a ticket, no mail.
    w_ans = ask(world, "wout", "Wacht de kinderopvang Zonnebloem op advies?")
    w_ticket = tickets.forward(app, principal(app, "wout"), w_ans.audit_id)
    assert w_ticket.collection == "welzijn"
    assert not [m for m in outbox(app) if m.ref == f"ticket:{w_ticket.id}"]


def test_the_ask_pages_forward_button_creates_the_ticket(world, signed_in):  # type: ignore[no-untyped-def]
    anna = signed_in("anna")
    page = ask_page(anna, SPORTHAL_Q).text
    action = re.search(r'<form method="post" action="(/ask/\d+/forward)"', page)
    assert action and action.group(1) == f"/ask/{audit_id(page)}/forward"
    r = anna.post(action.group(1), data={"note": "via de Ask-pagina", "_csrf_token": csrf(anna)})
    assert r.status_code == 200 and "via de Ask-pagina" in r.text and "Dienst Omgeving" in r.text
    assert re.search(r"/tickets/\d+$", str(r.url))
    assert "via de Ask-pagina" not in anna.get("/tickets").text  # the list shows no notes
    assert SPORTHAL_Q in anna.get("/tickets").text
