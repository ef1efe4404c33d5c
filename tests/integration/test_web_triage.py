"""Triage pages through the real app: the queue, accept and correct, who may see it, a hostile
subject, the item's missing information, the taxonomy editor and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.db.engine import read_session
from appliance.db.tables import JobOutcome, OutboxMessage, TriageItem, TriageLabel
from appliance.triage.store import active_taxonomy
from tests.integration.web_support import PW, bearer, build_world, csrf, sign_in
from tests.unit.triage_items import add_item, use_taxonomy

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "taxonomy-gemeente.yaml"
TAXONOMY = EXAMPLE.read_text("utf-8")
HOSTILE = "<script>alert('x')</script> Put"


@pytest.fixture
def world(appliance, tmp_path):
    world = build_world(appliance, tmp_path)
    accounts.create_user(appliance, "tina", PW, role="staff", groups=["triage"])
    world.tokens["tina"] = api_tokens.create_token(appliance, "tina", "tests")
    use_taxonomy(appliance, TAXONOMY, tmp_path)
    return world


def _client(world, user: str):
    client = world.client()
    assert sign_in(client, user).status_code in (302, 303)
    return client


def test_the_queue_lists_a_waiting_item_with_its_suggestion(world) -> None:
    add_item(world.app, "Sluikstort aan de glasbol", "Er ligt afval", suggested="afval", confidence=0.42,
             flags=["spoofed_sender"], urgent=True)
    client = _client(world, "tina")
    page = client.get("/triage")
    assert page.status_code == 200
    assert "Sluikstort aan de glasbol" in page.text and "42%" in page.text and "spoofed_sender" in page.text
    assert 'href="/triage"' in page.text  # the nav link shows for the group
    assert client.get("/triage/dashboard").status_code == 200
    assert client.get("/triage/departments/omgeving").status_code == 200


def test_staff_outside_the_triage_group_get_403(world) -> None:
    item = add_item(world.app, "Put", suggested="wegschade")
    client = _client(world, "anna")
    for path in ("/triage", f"/triage/items/{item}", "/triage/dashboard", "/triage/departments/omgeving"):
        assert client.get(path).status_code == 403, path
    assert 'href="/triage"' not in client.get("/").text
    r = client.post(f"/triage/items/{item}/accept", data={"_csrf_token": csrf(client)})
    assert r.status_code == 403
    assert client.get("/api/v1/triage/items", headers=bearer(world, "anna")).status_code == 403


def test_accept_routes_the_item_and_correct_stores_a_label(world) -> None:
    app = world.app
    first = add_item(app, "Glasbol vol", suggested="afval")
    second = add_item(app, "Put in het fietspad", suggested="afval")
    client = _client(world, "tina")
    r = client.post(f"/triage/items/{first}/accept", data={"_csrf_token": csrf(client)},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post(f"/triage/items/{second}/route", follow_redirects=False,
                    data={"_csrf_token": csrf(client), "category": "wegschade"})
    assert r.status_code == 303
    with read_session(app.db) as s:
        a, b = s.get(TriageItem, first), s.get(TriageItem, second)
        labels = {lab.item_id: lab for lab in s.exec(select(TriageLabel)).all()}
        retrains = s.exec(select(JobOutcome).where(JobOutcome.kind == "triage_retrain")).all()
        mails = s.exec(select(OutboxMessage)).all()
    assert (a.state, a.category, a.routed_by) == ("routed", "afval", "tina")
    assert (b.state, b.category, b.department) == ("routed", "wegschade", "omgeving")
    assert (labels[first].category, labels[first].previous) == ("afval", "afval")
    assert (labels[second].category, labels[second].previous, labels[second].by) == (
        "wegschade", "afval", "tina")
    assert len(retrains) == 1 and retrains[0].code == "triage.retrain_skipped"  # only the correction asked
    assert {m.target for m in mails} == {"omgeving@gemeente.example"}
    assert "Glasbol vol" not in client.get("/triage").text


def test_the_item_page_escapes_a_hostile_subject_and_drafts_a_request(world) -> None:
    item = add_item(world.app, HOSTILE, "Er zit een put in onze straat. <img src=x onerror=alert(1)>",
                    suggested="wegschade", language="nl")
    client = _client(world, "tina")
    page = client.get(f"/triage/items/{item}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(" in page.text
    assert "het volledige adres" in page.text  # the address is missing: a drafted request waits
    with read_session(world.app.db) as s:
        assert s.exec(select(OutboxMessage)).all() == []
    r = client.post(f"/triage/items/{item}/request", follow_redirects=False, data={
        "_csrf_token": csrf(client), "subject": "Adres gevraagd", "body": "Geachte, welk adres?"})
    assert r.status_code == 303
    with read_session(world.app.db) as s:
        [mail] = s.exec(select(OutboxMessage)).all()
        assert s.get(TriageItem, item).state == "awaiting_info"
    assert mail.target == "burger@example.org" and mail.subject == "Adres gevraagd"


def test_the_taxonomy_editor_refuses_removing_a_category_items_wait_in(world) -> None:
    add_item(world.app, "Put", suggested="wegschade")
    add_item(world.app, "Nog een put", suggested="wegschade")
    client = _client(world, "admin")
    r = client.post("/admin/triage/retrain", data={"_csrf_token": csrf(client)})
    assert r.status_code == 200 and "too few labels" in r.text  # the skipped retrain says why
    r = client.post("/admin/triage/categories/wegschade/remove", data={"_csrf_token": csrf(client)})
    assert r.status_code == 409 and "2 item(s)" in r.text and "wegschade" in r.text
    assert "wegschade" in active_taxonomy(world.app.settings).keys
    # a category nobody waits in goes; an edit is validated and becomes active
    r = client.post("/admin/triage/categories/burgerzaken/remove", data={"_csrf_token": csrf(client)},
                    follow_redirects=False)
    assert r.status_code == 303 and "burgerzaken" not in active_taxonomy(world.app.settings).keys
    r = client.post("/admin/triage/categories/afval", follow_redirects=False, data={
        "_csrf_token": csrf(client), "department": "omgeving", "description": "Sluikstorten en zwerfvuil.",
        "examples": "Zwerfvuil in het park\nVolle glasbol", "required_fields": "address, date",
        "deadline_days": "5", "threshold": "0.7", "human_only": "1"})
    assert r.status_code == 303
    afval = active_taxonomy(world.app.settings).get("afval")
    assert afval.examples == ("Zwerfvuil in het park", "Volle glasbol") and afval.human_only
    assert (afval.required_fields, afval.deadline_days, afval.threshold) == (("address", "date"), 5, 0.7)
    r = client.post("/admin/triage/categories/afval",
                    data={"_csrf_token": csrf(client), "department": "nergens", "description": "x"})
    assert r.status_code == 400 and active_taxonomy(world.app.settings).get("afval").department == "omgeving"
    assert "human_only: true" in client.get("/admin/triage/taxonomy.yaml").text
    assert client.get("/admin/triage", cookies={}).status_code == 200
    assert _client(world, "tina").get("/admin/triage").status_code == 403


def test_the_api_lists_and_routes(world) -> None:
    item = add_item(world.app, "Identiteitskaart verloren", suggested="burgerzaken", confidence=0.55)
    client = world.client()
    r = client.get("/api/v1/triage/items?state=queued", headers=bearer(world, "tina"))
    assert r.status_code == 200 and [row["id"] for row in r.json()] == [item]
    assert r.json()[0]["suggested"] == "burgerzaken" and r.json()[0]["deadline"]
    r = client.post(f"/api/v1/triage/items/{item}/route", json={"category": "burgerzaken"},
                    headers=bearer(world, "tina"))
    assert r.status_code == 200 and r.json()["state"] == "routed" and r.json()["retrain_queued"] is False
    r = client.post(f"/api/v1/triage/items/{item}/route", json={"category": "nope"},
                    headers=bearer(world, "tina"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "triage.unknown_category"
    assert client.get("/api/v1/triage/items?state=bogus", headers=bearer(world, "tina")).status_code == 400
