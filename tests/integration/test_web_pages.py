"""Staff pages: sign-in, sessions, CSRF, security headers, search, document view, languages, isolation."""

from __future__ import annotations

import re

import pytest

from tests.integration.web_support import PW, csrf, sign_in
from webui.security import CSP


def test_pages_need_a_session_and_redirect_to_sign_in(client):
    for path in ("/", "/upload", "/ingest", "/admin", "/documents/1"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code in (302, 303, 307), path
        assert r.headers["location"].startswith("/sign-in?next=")


def test_security_headers_on_every_kind_of_response(client):
    for path in ("/sign-in", "/static/belfort.css", "/does-not-exist", "/api/v1/health", "/api/v1/search"):
        r = client.get(path, follow_redirects=False)
        assert r.headers["content-security-policy"] == CSP, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"]
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP


def test_no_inline_scripts_or_styles_and_lang_set(client):
    html = client.get("/sign-in").text
    assert '<html lang="nl">' in html
    assert "<script" not in html and "<style" not in html and " style=" not in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and its target


def test_sign_in_sets_a_protected_session_cookie(client):
    r = sign_in(client, "anna")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("belfort_session="))
    assert (
        "httponly" in cookie.lower() and "samesite=lax" in cookie.lower() and "secure" not in cookie.lower()
    )
    page = client.get("/")
    assert page.status_code == 200 and "anna" in page.text


def test_cookies_are_secure_unless_plain_http_is_declared(tmp_path):
    """Attack (finding 10): the session cookie had no Secure flag by default, so one plain-http request
    (a typed URL, a downgraded link) sent it in clear. Now Secure is the default."""
    from appliance.access import accounts
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings
    from tests.integration.web_support import World

    app = open_appliance(make_settings(tmp_path, web={"insecure_http": False}), embedder=FakeEmbedder())
    accounts.create_user(app, "anna", PW)
    with World(app, tmp_path).client() as c:
        c.base_url = "https://testserver.local"  # Secure cookies only come back over https
        r = c.get("/sign-in")
        assert "Secure" in next(h for h in r.headers.get_list("set-cookie") if h.startswith("belfort_csrf="))
        r = sign_in(c, "anna")
        session = next(h for h in r.headers.get_list("set-cookie") if h.startswith("belfort_session="))
        assert "secure" in session.lower() and "httponly" in session.lower()


def test_wrong_password_is_translated_and_rate_limited(client, world):
    r = sign_in(client, "anna", "verkeerd wachtwoord")
    assert r.status_code == 401 and "Onbekende gebruiker of verkeerd wachtwoord." in r.text
    r = sign_in(
        client,
        "anna",
        "verkeerd wachtwoord",
    )
    limit = world.app.settings.web.sign_in_attempts_per_minute
    for _ in range(limit - 2):
        sign_in(client, "anna", "verkeerd wachtwoord")
    r = sign_in(client, "anna")
    assert r.status_code == 429 and "Te veel mislukte pogingen" in r.text


def test_forms_without_csrf_token_are_refused(client):
    client.get("/sign-in")
    r = client.post("/sign-in", data={"username": "anna", "password": PW}, follow_redirects=False)
    assert r.status_code == 403 and "belfort_session" not in r.cookies
    r = client.post(
        "/sign-in", data={"username": "anna", "password": PW, "_csrf_token": "forged"}, follow_redirects=False
    )
    assert r.status_code == 403


def test_sign_in_never_redirects_off_site(client):
    r = sign_in(client, "anna", next="//evil.example/x")
    assert r.headers["location"] == "/"


def test_sign_out_ends_the_session(world, signed_in):
    c = signed_in("anna")
    r = c.post("/sign-out", data={"_csrf_token": csrf(c)}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/", follow_redirects=False).status_code in (302, 303, 307)


def test_search_page_shows_passage_highlights_source_page_and_links(world, signed_in):
    c = signed_in("anna")
    html = c.get("/", params={"q": "omgevingsvergunning sporthal"}).text
    doc = world.docs["bouw"]
    assert "<mark>omgevingsvergunning</mark>" in html and "Sporthal Vaartstraat" in html
    assert f'href="/documents/{doc}/original#page=2"' in html
    m = re.search(rf'href="(/documents/{doc}\?page=2&amp;chunk=(\d+)&amp;mark=\d+-\d+#chunk-\d+)"', html)
    assert m, html
    view = c.get(m.group(1).replace("&amp;", "&").split("#")[0]).text
    assert f'<mark id="chunk-{m.group(2)}" class="passage">' in view and "sporthal aan de Vaartstraat" in view
    assert f'href="/documents/{doc}/original#page=2"' in view


def test_search_page_escapes_document_text(world, signed_in, tmp_path):
    from appliance import documents
    from tests.filefactory import make_text

    make_text(tmp_path / "x.txt", 'Kermis <script>alert("x")</script> <img src=x onerror=alert(1)> programma')
    documents.ingest_file(world.app, tmp_path / "x.txt", "bouw")
    c = signed_in("anna")
    html = c.get("/", params={"q": "kermis programma"}).text
    assert "<script>alert" not in html and "<img src=x" not in html and "&lt;script&gt;" in html


def test_empty_query_shows_a_translated_message(world, signed_in):
    c = signed_in("anna")
    r = c.get("/", params={"q": "x" * 10000})
    assert r.status_code == 400 and "De vraag is te lang" in r.text


def test_pages_never_show_another_groups_documents(world, signed_in):
    c = signed_in("wout")
    html = c.get("/", params={"q": "omgevingsvergunning sporthal"}).text
    assert "Sporthal" not in html and "Vaartstraat" not in html and "Zonnebloem" in html
    assert "Bouwdossiers" not in html  # not even in the collection picker
    doc = world.docs["bouw"]
    assert c.get(f"/documents/{doc}").status_code == 404
    assert c.get(f"/documents/{doc}/original").status_code == 404
    assert c.get("/documents/999999").status_code == 404


def test_language_switch_by_query_and_cookie(world, signed_in):
    c = signed_in("anna")
    assert '<html lang="nl">' in c.get("/").text
    r = c.get("/", params={"lang": "fr"})
    assert '<html lang="fr">' in r.text and "Rechercher dans les documents" in r.text
    assert '<html lang="fr">' in c.get("/").text  # remembered in a cookie
    assert '<html lang="en">' in c.get("/", params={"lang": "en"}).text
    assert '<html lang="en">' in c.get("/", params={"lang": "xx"}).text  # unknown keeps the choice


def test_roles_guard_pages(world, signed_in):
    staff = signed_in("anna")
    for path in ("/upload", "/ingest", "/admin"):
        r = staff.get(path)
        assert r.status_code == 403 and "geen toegang" in r.text, path
    archivist = signed_in("archie")
    assert archivist.get("/upload").status_code == 200 and archivist.get("/ingest").status_code == 200
    assert archivist.get("/admin").status_code == 403
    nav = archivist.get("/").text
    assert 'href="/upload"' in nav and 'href="/admin"' not in nav


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/documents/3?page=2", "/documents/3?page=2"),
        ("//evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
    ],
)
def test_safe_next(target, expected):
    from webui.controllers.auth import safe_next

    assert safe_next(target) == expected


def test_new_password_or_disabling_ends_existing_sessions(world, signed_in):
    from appliance.access import accounts

    anna, wout = signed_in("anna"), signed_in("wout")
    accounts.update_user(world.app, "anna", password="een nieuw lang wachtwoord")
    assert anna.get("/", follow_redirects=False).status_code in (302, 303, 307)
    accounts.update_user(world.app, "wout", active=False)
    assert wout.get("/", follow_redirects=False).status_code in (302, 303, 307)
