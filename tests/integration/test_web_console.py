"""Archivist and admin pages: upload, ingest status with retry, and the admin console."""

from __future__ import annotations

import re

from appliance.access import accounts
from tests.filefactory import make_corrupt_pdf
from tests.integration.web_support import PW, csrf, sign_in


def upload(client, name, content, collection="bouw"):  # type: ignore[no-untyped-def]
    return client.post(
        "/upload",
        data={"collection": collection, "_csrf_token": csrf(client)},
        files={"file": (name, content, "application/octet-stream")},
    )


def test_upload_page_offers_only_readable_collections(signed_in):
    html = signed_in("archie").get("/upload").text
    assert 'value="bouw"' in html and 'value="welzijn"' not in html
    assert 'enctype="multipart/form-data"' in html and 'name="_csrf_token"' in html


def test_upload_queues_and_shows_in_the_status_page(world, signed_in):
    c = signed_in("archie")
    r = upload(c, "..\\..\\Verslag kermis.txt", b"Het verslag van de kermis op het Marktplein.")
    assert r.status_code == 202 and "Verslag kermis.txt" in r.text and "wachtrij" in r.text
    status = c.get("/ingest").text
    assert "Verslag kermis.txt" in status and "klaar" in status
    hits = c.get("/", params={"q": "kermis Marktplein"}).text
    assert "Verslag kermis" in hits


def test_upload_without_csrf_token_is_refused(signed_in):
    c = signed_in("archie")
    r = c.post("/upload", data={"collection": "bouw"}, files={"file": ("a.txt", b"tekst")})
    assert r.status_code == 403


def test_upload_errors_are_clear(world, signed_in, tmp_path):
    c = signed_in("archie")
    r = upload(c, "leeg.txt", b"")
    assert r.status_code == 400 and "Het bestand is leeg." in r.text
    r = upload(c, "a.txt", b"tekst", collection="welzijn")
    assert r.status_code == 404 and "Deze collectie bestaat niet" in r.text


def test_upload_too_large_page(tmp_path):
    from appliance import documents
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings
    from tests.integration.web_support import World

    app = open_appliance(make_settings(tmp_path, web={"max_upload_mb": 1}), embedder=FakeEmbedder())
    documents.ensure_collection(app, "bouw", "Bouw", ["g"])
    accounts.create_user(app, "archie", PW, role="archivist", groups=["g"])
    with World(app, tmp_path).client() as c:
        sign_in(c, "archie")
        r = upload(c, "groot.txt", b"x" * (1024 * 1024 + 1))
        assert r.status_code == 413 and "Het bestand is te groot." in r.text
        r = upload(c, "groter.txt", b"x" * (4 * 1024 * 1024))
        assert r.status_code == 413 and "Het bestand is te groot." in r.text


def test_failed_file_shows_reason_and_retry_button(world, signed_in, tmp_path):
    c = signed_in("archie")
    upload(c, "kapot.pdf", make_corrupt_pdf(tmp_path / "k.pdf").read_bytes())
    html = c.get("/ingest").text
    assert "kapot.pdf" in html and "ingest." in html
    m = re.search(r'action="/ingest/failed/(\d+)/retry"', html)
    assert m
    r = c.post(f"/ingest/failed/{m.group(1)}/retry", data={"_csrf_token": csrf(c)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ingest"
    r = c.post(f"/ingest/failed/{m.group(1)}/retry", data={}, follow_redirects=False)
    assert r.status_code == 403  # no CSRF token


def test_admin_console_lists_collections_users_and_models(signed_in):
    html = signed_in("admin").get("/admin").text
    assert "Bouwdossiers" in html and "bouwgroep" in html and "welzijngroep" in html
    for user in ("anna", "wout", "archie", "admin"):
        assert f'action="/admin/users/{user}"' in html
    assert "sha256" in html  # the model catalogue with checksums
    assert 'class="checks"' in html and "db.schema" in html  # the doctor's checks


def test_admin_edits_collection_groups_and_access_follows(world, signed_in):
    admin = signed_in("admin")
    r = admin.post(
        "/admin/collections/bouw/groups",
        data={"groups": "bouwgroep, welzijngroep", "_csrf_token": csrf(admin)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    wout = signed_in("wout")
    assert "Sporthal" in wout.get("/", params={"q": "sporthal"}).text
    admin.post("/admin/collections/bouw/groups", data={"groups": "bouwgroep", "_csrf_token": csrf(admin)})
    assert "Sporthal" not in wout.get("/", params={"q": "sporthal"}).text  # revoked at once


def test_admin_creates_users_and_collections(world, signed_in):
    admin = signed_in("admin")
    r = admin.post(
        "/admin/users",
        data={
            "username": "nieuw",
            "password": "nog een lang wachtwoord",
            "role": "archivist",
            "groups": "welzijngroep",
            "_csrf_token": csrf(admin),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    info = {u.username: u for u in accounts.list_users(world.app)}["nieuw"]
    assert info.role == "archivist" and info.groups == ("welzijngroep",)
    r = admin.post(
        "/admin/users",
        data={"username": "kort", "password": "kort", "role": "staff", "_csrf_token": csrf(admin)},
    )
    assert r.status_code == 400 and "korter dan 10 tekens" in r.text
    r = admin.post(
        "/admin/collections",
        data={"name": "raad", "title": "Gemeenteraad", "groups": "raadsleden", "_csrf_token": csrf(admin)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert [c.groups for c in accounts.list_collections(world.app) if c.name == "raad"] == [("raadsleden",)]


def test_admin_updates_a_user_and_cannot_lock_itself_out(world, signed_in):
    admin = signed_in("admin")
    r = admin.post(
        "/admin/users/anna",
        data={"role": "archivist", "groups": "bouwgroep", "active": "1", "_csrf_token": csrf(admin)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert {u.username: u.role for u in accounts.list_users(world.app)}["anna"] == "archivist"
    admin.post("/admin/users/wout", data={"role": "staff", "groups": "", "_csrf_token": csrf(admin)})
    assert not {u.username: u.active for u in accounts.list_users(world.app)}["wout"]
    r = admin.post("/admin/users/admin", data={"role": "staff", "active": "1", "_csrf_token": csrf(admin)})
    assert r.status_code == 400
    assert {u.username: u.role for u in accounts.list_users(world.app)}["admin"] == "admin"
