"""Plain-language pages through the real app: /write (rewrite, limit, escaping), the admin's lists,
and a triage item's reply draft that only leaves on approval."""

from __future__ import annotations

import pytest
from sqlmodel import select

from appliance.access import accounts
from appliance.db.engine import read_session
from appliance.db.tables import OutboxMessage
from appliance.i18n import t
from tests.integration.web_support import PW, build_world, csrf, sign_in
from tests.unit.triage_items import add_item

LETTER = ("Indien u een omgevingsvergunning aanvraagt, dient u het volledige dossier in bij de Dienst "
          "Omgeving, maar de behandeling van het dossier kan tot 105 dagen duren en wordt door het college "
          "beoordeeld. <script>alert(1)</script>")


@pytest.fixture
def world(appliance, tmp_path):
    world = build_world(appliance, tmp_path)
    accounts.create_user(appliance, "tina", PW, role="staff", groups=["triage", "bouwgroep"])
    return world


def _client(world, user: str):  # type: ignore[no-untyped-def]
    client = world.client()
    assert sign_in(client, user).status_code in (302, 303)
    return client


def test_write_rewrites_escapes_and_shows_scores(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "anna")
    assert client.get("/write").status_code == 200
    admin = _client(world, "admin")
    r = admin.post("/admin/plain", data={"_csrf_token": csrf(admin), "terms": "Dienst Omgeving", "rules": ""},
                   follow_redirects=False)
    assert r.status_code == 303
    page = client.post("/write", data={"_csrf_token": csrf(client), "text": LETTER, "language": ""})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    assert "Als u een omgevingsvergunning aanvraagt" in page.text and "Dienst Omgeving" in page.text
    assert t("nl", "plain_change.split") in page.text and "flesch-douma" in page.text


def test_fifty_thousand_characters_are_refused_with_the_limit(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "anna")
    page = client.post("/write", data={"_csrf_token": csrf(client), "text": "a " * 25000})
    assert page.status_code == 413
    assert t("nl", "plain.too_long", chars=50000, limit=20000) in page.text


def test_only_admins_edit_the_lists(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "anna")
    assert client.get("/admin/plain").status_code == 403
    r = client.post("/admin/plain", data={"_csrf_token": csrf(client), "terms": "x", "rules": ""})
    assert r.status_code == 403
    admin = _client(world, "admin")
    admin.post("/admin/plain", data={"_csrf_token": csrf(admin), "terms": "Dienst Omgeving\nDienst Omgeving",
                                     "rules": "burger => inwoner"})
    page = admin.get("/admin/plain")
    assert page.text.count("Dienst Omgeving") == 1 and "burger =&gt; inwoner" in page.text


def test_a_reply_draft_is_shown_and_sent_only_on_approval(world) -> None:  # type: ignore[no-untyped-def]
    item = add_item(world.app, "Sporthal", "Goedendag,\n\nWie verleende de omgevingsvergunning voor de sporthal "
                    "aan de Vaartstraat?\n\nGroeten,\nJan", language="nl", sender="jan@example.org")
    client = _client(world, "tina")
    r = client.post(f"/triage/items/{item}/reply", data={"_csrf_token": csrf(client)}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/triage/items/{item}")
    assert t("nl", "plain.reply_ai_label") in page.text and 'name="body"' in page.text
    for lang in ("fr", "en"):  # the page axe checks renders in every language
        assert t(lang, "plain.reply_heading") in client.get(f"/triage/items/{item}?lang={lang}").text
    client.get(f"/triage/items/{item}?lang=nl")
    with read_session(world.app.db) as s:
        assert s.exec(select(OutboxMessage)).all() == []
    r = client.post(f"/triage/items/{item}/reply/send", data={"_csrf_token": csrf(client), "subject": "Antwoord",
                                                              "body": "Beste Jan,\n\nHet college."},
                    follow_redirects=False)
    assert r.status_code == 303
    with read_session(world.app.db) as s:
        [row] = s.exec(select(OutboxMessage)).all()
    assert row.target == "jan@example.org" and t("nl", "plain_reply.ai_label") in row.body
    assert t("nl", "plain.reply_sent", name="tina") in client.get(f"/triage/items/{item}").text
    outsider = _client(world, "anna")
    assert outsider.post(f"/triage/items/{item}/reply", data={"_csrf_token": csrf(outsider)}).status_code == 403
