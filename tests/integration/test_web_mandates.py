"""The mandates page through the real web app: archivists add, edit and end mandates with the
import's checks and translated errors; staff cannot; forms need the CSRF token; the page says that a
later import replaces everything, and the publication page and /admin link to it."""

from __future__ import annotations

import pytest

from appliance.access import accounts
from appliance.mandates import list_bodies
from ops.demo.seed_lblod import RAAD
from tests.integration.web_support import PW, csrf, sign_in
from tests.lblod_support import MEMBER, lblod_world


@pytest.fixture
def world(tmp_path):
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings

    app = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder())
    for user, role in (("anna", "staff"), ("archie", "archivist"), ("root", "admin")):
        accounts.create_user(app, user, PW, role=role)
    return app, lblod_world(app)


def _client(app, user):
    from litestar.testing import TestClient

    from ops.webapp import create_app

    client = TestClient(create_app(app))
    client.__enter__()
    assert sign_in(client, user).status_code in (302, 303)
    return client


def _post(client, url, data):
    return client.post(url, data={"_csrf_token": csrf(client), **data}, follow_redirects=False)


def _people(app):
    return {p.uri: p for b in list_bodies(app) for p in b.people}


def test_archivist_adds_edits_and_ends_a_mandate(world):
    app, ids = world
    archie = _client(app, "archie")
    page = archie.get("/mandates")
    assert page.status_code == 200 and "vervangt alle bestuursorganen en mandatarissen" in page.text
    assert "Els Van Damme" in page.text
    new = "https://www.belveld.be/id/mandatarissen/nieuw"
    r = _post(archie, "/mandates/people", {"uri": new, "body_uri": RAAD, "name": "Nora <b>Nieuw</b>",
                                           "role": "Gemeenteraadslid", "kind": "mandataris",
                                           "start_date": "2026-01-05"})
    assert r.status_code == 303
    assert _people(app)[new].name == "Nora <b>Nieuw</b>" and _people(app)[new].start_date == "2026-01-05"
    assert "Nora &lt;b&gt;Nieuw&lt;/b&gt;" in archie.get("/mandates").text  # escaped
    assert _post(archie, "/mandates/people/end", {"uri": new, "end_date": "2026-02-01"}).status_code == 303
    assert _people(app)[new].end_date == "2026-02-01"
    # The import's rules, with translated errors: http(s) only, one body per mandataris.
    r = _post(archie, "/mandates/people", {"uri": "urn:x:1", "body_uri": RAAD, "name": "X"})
    assert r.status_code == 400 and "Dit is geen http(s)-URI." in r.text
    other = next(b.uri for b in list_bodies(app) if b.uri != RAAD)
    r = _post(archie, "/mandates/people", {"uri": f"{MEMBER}1", "body_uri": other, "name": "Els Van Damme"})
    assert r.status_code == 400 and "zit al in een ander bestuursorgaan" in r.text
    r = _post(archie, "/mandates/bodies", {"uri": "https://www.belveld.be/id/organen/comite", "name": "Comité"})
    assert r.status_code == 303 and "Comité" in {b.name for b in list_bodies(app)}
    assert "/mandates" in archie.get(f"/minutes/{ids['lblod_draft']}/publication").text


def test_staff_cannot_and_forms_need_the_csrf_token(world):
    app, _ids = world
    anna = _client(app, "anna")
    assert anna.get("/mandates").status_code == 403
    assert _post(anna, "/mandates/bodies", {"uri": "https://x.be/o", "name": "O"}).status_code == 403
    archie = _client(app, "archie")
    r = archie.post("/mandates/bodies", data={"uri": "https://x.be/o", "name": "O"}, follow_redirects=False)
    assert r.status_code == 403 and "O" not in {b.name for b in list_bodies(app)}


def test_admin_page_links_to_mandates(world):
    app, _ids = world
    root = _client(app, "root")
    assert 'href="/mandates"' in root.get("/admin").text and root.get("/mandates").status_code == 200
