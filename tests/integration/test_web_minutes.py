"""The minutes review through the real web app and API: accept some items, reject one, edit, add,
approve; exports then hold only accepted items; staff read approved minutes but cannot review."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, MinutesItem
from tests.integration.web_support import PW, csrf, sign_in
from tests.minutes_support import make_minutes


@pytest.fixture
def world(appliance):
    for user, role in (("anna", "staff"), ("archie", "archivist")):
        accounts.create_user(appliance, user, PW, role=role)
    ids = make_minutes(appliance)
    with write_session(appliance.db) as s:  # a fresh draft: every item waits for the secretary
        for item in s.exec(select(MinutesItem)).all():
            item.state = "proposed"
            s.add(item)
        s.get(MinutesItem, ids["rejected"]).supported = False
    return appliance, ids, api_tokens.create_token(appliance, "anna", "tests")


def _client(appliance, user):
    from litestar.testing import TestClient

    from appliance.jobs import queue_for
    from ops.webapp import create_app

    queue_for(appliance, immediate=True)  # the web app's jobs run where they are queued
    client = TestClient(create_app(appliance))
    client.__enter__()
    assert sign_in(client, user).status_code in (302, 303)
    return client


def _post(client, url, **data):
    return client.post(url, data={"_csrf_token": csrf(client), **data}, follow_redirects=False)


def test_review_accept_reject_edit_add_approve_then_export(world):
    appliance, ids, token = world
    mid = ids["minutes"]
    archie = _client(appliance, "archie")
    page = archie.get(f"/minutes/{mid}")
    assert page.status_code == 200
    html = page.text
    assert "AI-gegenereerd ontwerp, niet goedgekeurd." in html
    assert f'href="/recordings/{ids["recording"]}#seg-' in html  # cited segments link into the transcript
    assert "0:01:15" in html  # the cited segment's timestamp
    assert "Niet gestaafd door de transcriptie (score 0.10)" in html  # the unsupported item is flagged
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert "staat niet op de aanwezigenlijst" in html and "some_future_flag" not in html  # the draft's checks
    assert "Nog 6 punt(en) na te kijken" in html  # approval waits for a decision on every item

    for key in ("summary", "decision", "action", "action_minus"):
        assert _post(archie, f"/minutes/{mid}/items/{ids[key]}/state", state="accepted").status_code == 303
    assert _post(archie, f"/minutes/{mid}/items/{ids['rejected']}/state", state="rejected").status_code == 303
    assert _post(archie, f"/minutes/{mid}/items/{ids['proposed']}/state", state="rejected").status_code == 303
    # The secretary corrects an action's owner and deadline, and a vote count.
    r = _post(archie, f"/minutes/{mid}/items/{ids['action_minus']}", text="Budget herzien",
              owner="An Peeters", deadline="2026-04-30")
    assert r.status_code == 303 and r.headers["location"] == f"/minutes/{mid}#item-{ids['action_minus']}"
    r = _post(archie, f"/minutes/{mid}/items/{ids['decision']}", text="De raad keurt de sporthal goed.",
              vote_for="15", vote_against="2", vote_abstain="2")
    assert r.status_code == 303
    r = _post(archie, f"/minutes/{mid}/items", kind="action", agenda_number="2",
              text="Toelichting begroting bezorgen", owner="Bart Claes", deadline="2026-05-15")
    assert r.status_code == 303
    # An item of other minutes cannot be changed through these.
    assert _post(archie, f"/minutes/{mid + 1}/items/{ids['summary']}/state", state="rejected").status_code == 404

    assert _post(archie, f"/minutes/{mid}/approve").status_code == 303
    html = archie.get(f"/minutes/{mid}").text
    assert "Goedgekeurd door archie" in html and "AI-gegenereerd ontwerp, niet goedgekeurd." not in html
    assert f'action="/minutes/{mid}/approve"' not in html  # approved minutes no longer change

    md = archie.get(f"/minutes/{mid}/export/md").text
    assert "Goedgekeurd door archie" in md
    assert "Budget herzien" in md and "Toelichting begroting bezorgen" in md and "15 voor, 2 tegen" in md
    assert "VERWORPEN" not in md and "VOORGESTELD" not in md
    csv_export = archie.get(f"/minutes/{mid}/export/actions.csv")
    assert csv_export.headers["content-disposition"].startswith('attachment; filename="minutes-')
    assert "Toelichting begroting bezorgen" in csv_export.text and "VOORGESTELD" not in csv_export.text

    with read_session(appliance.db) as s:
        (approved,) = s.exec(select(AuditEvent).where(AuditEvent.action == "minutes.approved")).all()
    assert approved.actor == "archie" and approved.target == f"minutes:{mid}"

    # Staff read approved minutes (accepted items only), page and API, and download exports.
    anna = _client(appliance, "anna")
    html = anna.get(f"/minutes/{mid}").text
    assert "Budget herzien" in html and "VERWORPEN" not in html
    assert '<form method="post" action="/minutes' not in html
    assert "0:01:15" in html and "/recordings/" not in html  # anna may not open the recording itself
    assert f'href="/minutes/{mid}"' in anna.get("/minutes").text
    api = anna.get(f"/api/v1/minutes/{mid}", headers={"Authorization": f"Bearer {token}"}).json()
    assert api["ai_generated"] is False and api["approved_by"] == "archie"
    assert {i["state"] for i in api["items"]} == {"accepted"} and len(api["items"]) == 5
    decision = next(i for i in api["items"] if i["kind"] == "decision")
    assert decision["vote"] == {"for": 15, "against": 2, "abstain": 2} and decision["segments"][0]["start"] == 75.0
    docx = anna.get(f"/api/v1/minutes/{mid}/export/docx", headers={"Authorization": f"Bearer {token}"})
    assert docx.status_code == 200

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Goedgekeurd door archie" in text and "VERWORPEN" not in text


def test_staff_cannot_see_drafts_nor_review_or_approve(world):
    appliance, ids, token = world
    mid = ids["minutes"]
    anna = _client(appliance, "anna")
    assert anna.get(f"/minutes/{mid}").status_code == 404  # a draft is not even listed for staff
    assert f"/minutes/{mid}" not in anna.get("/minutes").text
    assert anna.get(f"/minutes/{mid}/export/md").status_code == 404
    assert anna.get(f"/api/v1/minutes/{mid}", headers={"Authorization": f"Bearer {token}"}).status_code == 404
    assert _post(anna, f"/minutes/{mid}/items/{ids['summary']}/state", state="accepted").status_code == 403
    assert _post(anna, f"/minutes/{mid}/approve").status_code == 403
    with read_session(appliance.db) as s:
        assert s.get(MinutesItem, ids["summary"]).state == "proposed"
        assert not s.exec(select(AuditEvent).where(AuditEvent.action == "minutes.approved")).all()


def test_approval_waits_for_every_item_and_forms_need_csrf(world):
    appliance, ids, _token = world
    mid = ids["minutes"]
    archie = _client(appliance, "archie")
    assert _post(archie, f"/minutes/{mid}/approve").status_code == 409
    r = archie.post(f"/minutes/{mid}/items/{ids['summary']}/state", data={"state": "accepted"},
                    follow_redirects=False)
    assert r.status_code == 403  # no CSRF token
    assert archie.get(f"/minutes/{mid}/export/exe").status_code == 404
