"""The admin audit view: search the answer trail, open a record, chain status, exports, event log.

Records come from the real Ask pipeline (fake embedder, `llm.engine = none`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import text
from sqlmodel import select

from appliance.access import accounts
from appliance.access.principals import SYSTEM, Principal
from appliance.ask import tickets
from appliance.ask.answering import answer
from appliance.audit import log as audit
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent
from tests.integration.web_support import build_world, csrf, sign_in

SPORTHAL_Q = "Wie verleende de omgevingsvergunning voor de sporthal aan de Vaartstraat?"
ZONNEBLOEM_Q = "Wacht de kinderopvang Zonnebloem op advies?"


def principal(app, username: str) -> Principal:  # type: ignore[no-untyped-def]
    uid = {u.username: u.id for u in accounts.list_users(app)}[username]
    who = accounts.principal_by_id(app, uid)
    assert who is not None
    return who


@pytest.fixture
def world(appliance, tmp_path):  # type: ignore[no-untyped-def]
    w = build_world(appliance, tmp_path)
    w.anna_answer = answer(appliance, principal(appliance, "anna"), SPORTHAL_Q)  # type: ignore[attr-defined]
    w.wout_answer = answer(appliance, principal(appliance, "wout"), ZONNEBLOEM_Q)  # type: ignore[attr-defined]
    asked = w.anna_answer.audit_id  # type: ignore[attr-defined]
    w.feedback = audit.record_feedback(  # type: ignore[attr-defined]
        appliance, principal(appliance, "anna"), asked, helpful=False, comment="bron te oud")
    return w



def record_links(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/admin/audit/(\d+)"', html)]


def test_audit_pages_are_for_admins_only(world, signed_in):  # type: ignore[no-untyped-def]
    for user in ("anna", "archie"):
        c = signed_in(user)
        assert c.get("/admin/audit").status_code == 403
        assert c.get(f"/admin/audit/{world.anna_answer.audit_id}").status_code == 403
        assert c.get("/admin/audit/events").status_code == 403
        r = c.post("/admin/audit/export", data={"format": "csv", "_csrf_token": csrf(c)})
        assert r.status_code == 403
    with world.client() as anonymous:
        r = anonymous.get("/admin/audit", follow_redirects=False)
        assert r.status_code in (302, 303) and r.headers["location"].startswith("/sign-in")
    admin_page = signed_in("admin").get("/admin").text
    assert 'href="/admin/audit"' in admin_page and 'href="/admin/audit/events"' in admin_page


def test_search_finds_a_record_by_text_user_status_and_date(world, signed_in):  # type: ignore[no-untyped-def]
    admin = signed_in("admin")
    anna_id, wout_id = world.anna_answer.audit_id, world.wout_answer.audit_id
    everything = admin.get("/admin/audit").text
    assert record_links(everything)[:3] == [world.feedback, wout_id, anna_id]  # newest first
    hit = admin.get("/admin/audit", params={"text": "Vaartstraat"}).text
    assert record_links(hit) == [anna_id]
    assert record_links(admin.get("/admin/audit", params={"user": "wout"}).text) == [wout_id]
    by_status = admin.get("/admin/audit", params={"status": world.wout_answer.status, "kind": "answer"}).text
    assert wout_id in record_links(by_status) and world.feedback not in record_links(by_status)
    today = datetime.now(UTC).date()
    assert anna_id in record_links(admin.get("/admin/audit", params={
        "text": "sporthal", "date_from": today.isoformat(), "date_to": today.isoformat()}).text)
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert record_links(admin.get("/admin/audit", params={"date_from": tomorrow}).text) == []
    bad = admin.get("/admin/audit", params={"date_from": "gisteren"})
    assert bad.status_code == 400 and "Geen geldige datum" in bad.text


def test_search_pages_newest_first(world, signed_in):  # type: ignore[no-untyped-def]
    for i in range(55):
        audit.record_answer(world.app, SYSTEM, question=f"vraag {i}", answer="antwoord", status="dont_know")
    admin = signed_in("admin")
    first = admin.get("/admin/audit", params={"text": "vraag"}).text
    ids = record_links(first)
    assert len(ids) == 50 and ids == sorted(ids, reverse=True) and "page=2" in first
    second = record_links(admin.get("/admin/audit", params={"text": "vraag", "page": 2}).text)
    assert len(second) == 5 and max(second) < min(ids)


def test_a_record_shows_sources_citations_checks_feedback_and_tickets(world, signed_in):  # type: ignore[no-untyped-def]
    ans = world.anna_answer
    ticket = tickets.forward(world.app, principal(world.app, "anna"), ans.audit_id)
    html = signed_in("admin").get(f"/admin/audit/{ans.audit_id}").text
    assert "Sporthal Vaartstraat" in html and f'href="/documents/{world.docs["bouw"]}?page=2' in html
    assert ans.citations and ans.citations[0].sentence.split()[0] in html
    assert "gate" in html and ans.checks["gate"] in html  # the check results
    assert f'href="/admin/audit/{world.feedback}"' in html and "bron te oud" in html and "Niet nuttig" in html
    assert f'href="/tickets/{ticket.id}"' in html
    fb = signed_in("admin").get(f"/admin/audit/{world.feedback}").text
    assert f'href="/admin/audit/{ans.audit_id}"' in fb and "bron te oud" in fb
    assert signed_in("admin").get("/admin/audit/999999").status_code == 404
    # Read-only: no form on a record page changes it, and no handler accepts a write there.
    assert '<form method="post" action="/admin/audit/' not in html
    assert signed_in("admin").post(f"/admin/audit/{ans.audit_id}", data={}).status_code in (403, 405)


def test_export_downloads_valid_csv_and_json_lines(world, signed_in):  # type: ignore[no-untyped-def]
    admin = signed_in("admin")
    count, head_hash = audit.head(world.app)
    r = admin.post("/admin/audit/export", data={"format": "csv", "_csrf_token": csrf(admin)})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    disposition = r.headers["content-disposition"]
    assert re.match(r'attachment; filename="belfort-audit-\d{8}-\d{6}\.csv"', disposition)
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == audit.EXPORT_FIELDS and len(rows) == count + 1
    assert rows[-1][-1] == head_hash
    r = admin.post("/admin/audit/export", data={"format": "json", "_csrf_token": csrf(admin)})
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.jsonl"')
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert [x["id"] for x in lines] == list(range(1, count + 1)) and lines[-1]["hash"] == head_hash
    assert all(b["prev_hash"] == a["hash"] for a, b in pairwise(lines))
    r = admin.post("/admin/audit/export", data={"format": "xml", "_csrf_token": csrf(admin)})
    assert r.status_code == 400
    assert admin.post("/admin/audit/export", data={"format": "csv"}).status_code == 403  # no CSRF token
    with read_session(world.app.db) as s:
        exported = s.exec(select(AuditEvent).where(AuditEvent.action == "audit.exported")).all()
    assert [(e.actor, e.detail["format"], e.detail["records"]) for e in exported] == [
        ("admin", "csv", count), ("admin", "json", count)]


def test_an_edited_record_shows_the_chain_broken(world, signed_in):  # type: ignore[no-untyped-def]
    admin = signed_in("admin")
    count, head_hash = audit.head(world.app)
    html = admin.get("/admin/audit").text
    assert f"De keten is intact: {count} records" in html and head_hash in html
    target = world.wout_answer.audit_id
    with world.app.db.begin() as conn:
        conn.execute(text("UPDATE answerrecord SET answer = 'Ja, morgen.' WHERE id = :id"), {"id": target})
    html = admin.get("/admin/audit").text
    assert f"De keten is verbroken bij record {target}" in html and "De keten is intact" not in html
    assert f'href="/admin/audit/{target}"' in html


def test_a_long_chain_is_checked_on_request(world, signed_in, monkeypatch):  # type: ignore[no-untyped-def]
    from appliance.audit import search as audit_search

    monkeypatch.setattr(audit_search, "AUTO_VERIFY_MAX", 2)  # the world holds 3 records
    with world.app.db.begin() as conn:
        conn.execute(text("UPDATE answerrecord SET username = 'iemand' WHERE id = 1"))
    admin = signed_in("admin")
    html = admin.get("/admin/audit").text
    assert "niet bij elk bezoek gecontroleerd" in html and "verbroken" not in html
    assert 'href="/admin/audit?verify=1"' in html
    assert "De keten is verbroken bij record 1" in admin.get("/admin/audit", params={"verify": "1"}).text


def test_event_log_lists_who_did_what_filtered_by_action_and_actor(world, signed_in):  # type: ignore[no-untyped-def]
    ticket = tickets.forward(world.app, principal(world.app, "anna"), world.anna_answer.audit_id)
    admin = signed_in("admin")
    html = admin.get("/admin/audit/events").text
    assert "user.create" in html and "ticket.created" in html and f'href="/tickets/{ticket.id}"' in html
    only = admin.get("/admin/audit/events", params={"action": "ticket.created"}).text
    assert f"ticket:{ticket.id}" in only and "user.create</code>" not in only
    by_actor = admin.get("/admin/audit/events", params={"actor": "anna"}).text
    assert "ticket.created</code>" in by_actor and "user.create</code>" not in by_actor
    prefix = admin.get("/admin/audit/events", params={"action": "user."}).text
    assert "user.create</code>" in prefix and "ticket.created</code>" not in prefix
    assert '<option value="ticket.created">' in html  # the action picker


def test_event_log_shows_sign_ins(world, signed_in):  # type: ignore[no-untyped-def]
    with world.client() as c:
        assert sign_in(c, "wout", "verkeerd wachtwoord").status_code == 401
    admin = signed_in("admin")
    html = admin.get("/admin/audit/events").text
    assert "auth.sign_in</code>" in html and "auth.sign_in_failed</code>" in html
    failed = admin.get("/admin/audit/events", params={"action": "auth.sign_in_failed"}).text
    assert "<td>wout</td>" in failed and "<td>admin</td>" not in failed and "user.create</code>" not in failed
    mine = admin.get("/admin/audit/events", params={"action": "auth.", "actor": "admin"}).text
    assert "auth.sign_in</code>" in mine and "<td>wout</td>" not in mine
    # Pages over the merged log: newest first, no row twice, none left out.
    from appliance.audit.search import search_events

    admin_who = principal(world.app, "admin")
    everything = search_events(world.app, admin_who, page_size=1000)
    pages = [search_events(world.app, admin_who, page=n, page_size=4) for n in range(1, 20)]
    paged = [row for p in pages for row in p.rows]
    assert paged == everything.rows and len(paged) == everything.total > 8
    assert [r["at"] for r in paged] == sorted((r["at"] for r in paged), reverse=True)
    assert pages[0].has_next and not pages[-1].has_next
