"""The LBLOD publication page and API through the real web app: the secretary completes a draft's
record (with the form) and sees the level and what is missing; a draft cannot be published (page
and API refuse it); approved minutes publish from the button and the API; staff cannot publish."""

from __future__ import annotations

import pytest

from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.minutes.lblod import load_record
from tests.integration.web_support import PW, csrf, sign_in
from tests.lblod_support import MEMBER, lblod_world


@pytest.fixture
def world(tmp_path):
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings

    app = open_appliance(make_settings(tmp_path, minutes={"lblod_base_uri": "https://www.belveld.be/",
                                                          "lblod_publish_dir": str(tmp_path / "pub")}),
                         embedder=FakeEmbedder())
    for user, role in (("anna", "staff"), ("archie", "archivist")):
        accounts.create_user(app, user, PW, role=role)
    ids = lblod_world(app)
    tokens = {u: api_tokens.create_token(app, u, "tests") for u in ("anna", "archie")}
    return app, ids, tokens, tmp_path


def _client(app, user):
    from litestar.testing import TestClient

    from ops.webapp import create_app

    client = TestClient(create_app(app))
    client.__enter__()
    assert sign_in(client, user).status_code in (302, 303)
    return client


def _post(client, url, data):
    return client.post(url, data={"_csrf_token": csrf(client), **data}, follow_redirects=False)


def test_secretary_completes_a_draft_and_cannot_publish_it(world):
    app, ids, tokens, tmp_path = world
    draft = ids["lblod_draft"]
    archie = _client(app, "archie")
    page = archie.get(f"/minutes/{draft}/publication")
    assert page.status_code == 200
    assert "AI-ontwerp, niet goedgekeurd." in page.text and "Niveau 0" in page.text
    # Item 1 has a decision 14/3/2 while 7 are present: the vote cannot be completed as is.
    r = _post(archie, f"/minutes/{draft}/publication/decisions/{ids['lblod_draft_decision']}",
              {"title": "Sporthal", "secret": "no", f"vote:{MEMBER}1": "for"})
    assert r.status_code == 400 and "De stemmen tellen niet op tot het aantal aanwezigen." in r.text
    r = _post(archie, f"/minutes/{draft}/publication/meeting",
              {"body_uri": load_record(app, draft).meeting.body_uri, "started_at": "2026-03-02T21:00",
               "ended_at": "2026-03-02T19:00"})
    assert r.status_code == 400 and "Een zitting eindigt niet voor ze begint." in r.text
    r = _post(archie, f"/minutes/{draft}/publication/items/2", {"public": "no", "left": f"{MEMBER}7"})
    assert r.status_code == 303
    record = load_record(app, draft)
    assert record.item_record(2).public is False and record.attendees(2) == [f"{MEMBER}{n}" for n in range(1, 7)]
    # Neither the button nor the API publishes a draft.
    assert _post(archie, f"/minutes/{draft}/publish", {}).status_code == 409
    api = archie.post(f"/api/v1/minutes/{draft}/publish", json={},
                      headers={"Authorization": f"Bearer {tokens['archie']}"})
    assert api.status_code == 409 and api.json()["error"]["code"] == "lblod.not_approved"
    assert not (tmp_path / "pub").exists()


def test_approved_minutes_publish_from_the_button_and_the_api(world):
    app, ids, tokens, tmp_path = world
    mid = ids["lblod_approved"]
    archie = _client(app, "archie")
    review = archie.get(f"/minutes/{mid}").text  # the review page names the level and links to the page
    assert f'href="/minutes/{mid}/publication"' in review and "Besluitenlijst: Niveau 3" in review
    page = archie.get(f"/minutes/{mid}/publication?lang=en")
    assert page.status_code == 200 and page.text.count("Niveau 3") == 2
    assert _post(archie, f"/minutes/{mid}/publish", {}).status_code == 303
    folder = tmp_path / "pub" / f"minutes-{mid}"
    assert (folder / "notulen.html").is_file() and (folder / "besluitenlijst.ttl").is_file()
    headers = {"Authorization": f"Bearer {tokens['archie']}"}
    check = archie.get(f"/api/v1/minutes/{mid}/lblod-check", headers=headers).json()
    assert [(r["document"], r["level"]) for r in check] == [("besluitenlijst", 3), ("notulen", 3)]
    out = archie.post(f"/api/v1/minutes/{mid}/publish", json={"base_uri": "ftp://x"}, headers=headers)
    assert out.status_code == 400 and out.json()["error"]["code"] == "lblod.bad_base_uri"
    out = archie.post(f"/api/v1/minutes/{mid}/publish", json={}, headers=headers)
    assert out.status_code == 200 and out.json()["zitting"] == f"https://www.belveld.be/id/zittingen/{mid}"
    # Staff read approved minutes but do not publish them, nor see the publication page.
    anna = _client(app, "anna")
    assert anna.get(f"/minutes/{mid}/publication").status_code == 403
    assert _post(anna, f"/minutes/{mid}/publish", {}).status_code == 403
    staff = archie.post(f"/api/v1/minutes/{mid}/publish", json={},
                        headers={"Authorization": f"Bearer {tokens['anna']}"})
    assert staff.status_code == 403


def test_agenda_item_type_is_picked_from_the_lblod_concepts(world):
    from appliance.minutes import AGENDA_ITEM_TYPES

    app, ids, _tokens, _tmp = world
    draft = ids["lblod_draft"]
    archie = _client(app, "archie")
    page = archie.get(f"/minutes/{draft}/publication")
    assert '<select id="type-2" name="item_type">' in page.text and ">Spoedeisend</option>" in page.text
    r = _post(archie, f"/minutes/{draft}/publication/items/2", {"public": "yes",
                                                                "item_type": AGENDA_ITEM_TYPES["aanvullend"]})
    assert r.status_code == 303 and load_record(app, draft).item_record(2).item_type == AGENDA_ITEM_TYPES["aanvullend"]
    assert f'<option value="{AGENDA_ITEM_TYPES["aanvullend"]}" selected>Aanvullend</option>' in \
        archie.get(f"/minutes/{draft}/publication").text
    r = _post(archie, f"/minutes/{draft}/publication/items/2", {"public": "yes",
                                                                "item_type": "https://example.org/eigen-type"})
    assert r.status_code == 400 and "Kies een type agendapunt uit de lijst." in r.text
    assert load_record(app, draft).item_record(2).item_type == AGENDA_ITEM_TYPES["aanvullend"]
