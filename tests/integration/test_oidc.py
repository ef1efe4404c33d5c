"""OIDC sign-in against a REAL OpenID Connect provider (the certified `oidc-provider`, run by node on
loopback, tests/oidc/provider.js): the full code flow with PKCE, driven without a browser, and what must
be refused (forged, replayed or foreign state; wrong audience, issuer or nonce; expired; bad signature;
an unreachable provider; a user the directory no longer grants access)."""

from __future__ import annotations

import json
import re
import select
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import RSAKey

from appliance.access import accounts, oidc, oidc_config, oidc_users
from appliance.errors import BelfortError
from tests.integration.web_support import PW, csrf, sign_in

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]
HERE = Path(__file__).resolve().parent.parent / "oidc"
NODE = shutil.which("node") or shutil.which("nodejs")
CALLBACK = "http://testserver.local/sign-in/oidc/callback"
SECRET = "a-long-client-secret-for-the-tests-only"
ANNA = {"preferred_username": "anna@gemeente.be", "name": "Anna Peeters", "groups": ["GG-Bouw", "GG-Other"],
        "roles": []}
BERT = {"preferred_username": "bert@gemeente.be", "name": "Bert", "groups": [], "roles": ["Belfort.Admin"]}


class Provider:
    def __init__(self, issuer: str, accounts_file: Path) -> None:
        self.issuer, self.accounts_file = issuer, accounts_file

    def set_accounts(self, people: dict[str, dict]) -> None:
        self.accounts_file.write_text(json.dumps(people), "utf-8")


def _start(tmp: Path, *, claims_in_id_token: bool) -> tuple[subprocess.Popen, Provider]:
    accounts_file = tmp / "accounts.json"
    provider = Provider("", accounts_file)
    provider.set_accounts({"anna": ANNA, "bert": BERT})
    clients = [{"client_id": cid, "client_secret": SECRET, "redirect_uris": [CALLBACK]} for cid in ("belfort", "other")]
    config = tmp / "config.json"
    config.write_text(json.dumps({"port": 0, "clients": clients, "accounts_file": str(accounts_file),
                                  "claims_in_id_token": claims_in_id_token}), "utf-8")
    proc = subprocess.Popen([NODE, str(HERE / "provider.js"), str(config)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        line = proc.stdout.readline() if ready else ""  # type: ignore[union-attr]
        if line.startswith("READY "):
            provider.issuer = line.split()[1]
            return proc, provider
        if proc.poll() is not None:
            break
    proc.kill()
    pytest.fail("the OIDC test provider did not start (see tests/oidc/provider.js)")


def _missing() -> str:
    if NODE is None:
        return "node is not installed (ops/setup.sh installs nodejs)"
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        return "tests/oidc/node_modules is missing: run `npm ci` in tests/oidc (ops/setup.sh test does)"
    return ""


@pytest.fixture(scope="module")
def providers(tmp_path_factory):
    if _missing():
        pytest.skip(_missing())
    procs, out = [], {}
    for key, in_token in (("token", True), ("userinfo", False)):
        proc, provider = _start(tmp_path_factory.mktemp(f"op-{key}"), claims_in_id_token=in_token)
        procs.append(proc)
        out[key] = provider
    yield out
    for proc in procs:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def op(providers):
    provider = providers["token"]
    provider.set_accounts({"anna": ANNA, "bert": BERT})
    return provider


def _connect(app, provider: Provider, name: str = "gemeente", **extra) -> None:
    fields = {"issuer": provider.issuer, **extra}
    oidc_config.save_provider(app, name, actor="test", preset="generic", client_id="belfort", client_secret=SECRET,
                              mapping={"groups": {"GG-Bouw": "bouwgroep"}, "roles": {"Belfort.Admin": "admin"}},
                              **fields)


@pytest.fixture
def web(appliance):
    from litestar.testing import TestClient

    from ops.webapp import create_app

    with TestClient(create_app(appliance)) as client:
        yield client


def _at_provider(authorize_url: str, login: str, amr: str = "") -> str:
    """What the person's browser does at the provider: open the authorization URL, sign in as `login`;
    returns the URL the provider sends the browser back to (Belfort's callback)."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        r = browser.get(authorize_url)
        interaction = urljoin(authorize_url, r.headers["location"])
        assert "/interaction/" in interaction, r.text[:300]
        r = browser.post(interaction + "/login", data={"login": login, **({"amr": amr} if amr else {})})
        url = urljoin(interaction, r.headers["location"])
        while not url.startswith(CALLBACK):
            r = browser.get(url)
            url = urljoin(url, r.headers["location"])
        return url


def _press(web, name: str, next_path: str = "/"):
    """The sign-in page's button: a POST with the CSRF token."""
    web.get("/sign-in")
    return web.post(f"/sign-in/oidc/{name}", data={"next": next_path, "_csrf_token": csrf(web)},
                    follow_redirects=False)


def _begin(web, name: str = "gemeente", next_path: str = "/ask") -> str:
    r = _press(web, name, next_path)
    assert r.status_code == 303, r.text[:500]
    return r.headers["location"]


def _callback(web, url: str):
    parts = urlsplit(url)
    return web.get(f"{parts.path}?{parts.query}", follow_redirects=False)


def _signed_in(web) -> bool:
    return web.get("/", follow_redirects=False).status_code == 200


def test_full_code_flow_creates_the_user_with_mapped_groups(appliance, web, op):
    _connect(appliance, op)
    assert "gemeente" in web.get("/sign-in").text  # the sign-in page offers the provider
    authorize = _begin(web)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"] and query["nonce"]
    assert query["redirect_uri"] == [CALLBACK] and query["state"]
    r = _callback(web, _at_provider(authorize, "anna"))
    assert r.status_code == 303 and r.headers["location"] == "/ask"
    assert _signed_in(web)
    user = next(u for u in accounts.list_users(appliance) if u.username == "anna@gemeente.be")
    assert user.groups == ("bouwgroep",) and user.role == "staff" and user.display_name == "Anna Peeters"
    # sign-out ends the local session
    web.post("/sign-out", data={"_csrf_token": csrf(web)}, follow_redirects=False)
    assert not _signed_in(web)
    rows = oidc_users.last_sign_ins(appliance)
    assert [(r.username, r.provider, r.active) for r in rows] == [("anna@gemeente.be", "gemeente", True)]


def test_roles_map_and_userinfo_claims_are_used(appliance, web, providers):
    provider = providers["userinfo"]  # groups and roles only at the userinfo endpoint
    provider.set_accounts({"anna": ANNA, "bert": BERT})
    _connect(appliance, provider, name="adfs")
    r = _callback(web, _at_provider(_begin(web, "adfs"), "bert"))
    assert r.status_code == 303
    bert = next(u for u in accounts.list_users(appliance) if u.username == "bert@gemeente.be")
    assert bert.role == "admin" and bert.groups == ()


def test_forged_replayed_and_foreign_state_are_refused(appliance, web, op):
    _connect(appliance, op)
    forged = web.get("/sign-in/oidc/callback?code=abc&state=forged", follow_redirects=False)
    assert forged.status_code == 400
    # another site cannot start a sign-in in this browser: the start is a POST with the CSRF token
    assert web.post("/sign-in/oidc/gemeente", data={"next": "/"}, follow_redirects=False).status_code == 403
    assert not _signed_in(web)
    answer = _at_provider(_begin(web), "anna")
    from litestar.testing import TestClient

    from ops.webapp import create_app

    with TestClient(create_app(appliance)) as other_browser:  # the answer carried to another browser
        assert _callback(other_browser, answer).status_code == 400
        assert not _signed_in(other_browser)
    # the state was used up by that attempt: even the right browser cannot use it any more
    assert _callback(web, answer).status_code == 400 and not _signed_in(web)
    assert _callback(web, _at_provider(_begin(web), "anna")).status_code == 303 and _signed_in(web)


def test_a_replayed_answer_is_refused(appliance, web, op):
    _connect(appliance, op)
    answer = _at_provider(_begin(web), "anna")
    assert _callback(web, answer).status_code == 303
    web.post("/sign-out", data={"_csrf_token": csrf(web)}, follow_redirects=False)
    again = _callback(web, answer)
    assert again.status_code == 400 and not _signed_in(web)


def test_an_answer_naming_another_issuer_is_refused(appliance, web, op):
    _connect(appliance, op)
    answer = _at_provider(_begin(web), "anna")
    assert "iss=" in answer  # the provider names itself in its answer (RFC 9207)
    mixed_up = re.sub(r"iss=[^&]+", "iss=https%3A%2F%2Fidp.elders.example", answer)
    assert _callback(web, mixed_up).status_code == 400 and not _signed_in(web)


def _real_id_token(provider: Provider, client_id: str, nonce: str) -> str:
    """An ID token the provider really issued to `client_id` (the test plays that client)."""
    doc = httpx.get(provider.issuer + "/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Client(client_id=client_id, client_secret=SECRET, redirect_uri=CALLBACK,
                          code_challenge_method="S256", scope="openid profile")
    verifier = "v" * 64
    url, state = client.create_authorization_url(doc["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    answer = parse_qs(urlsplit(_at_provider(url, "anna")).query)
    assert answer["state"] == [state]
    token = client.fetch_token(doc["token_endpoint"], code=answer["code"][0], code_verifier=verifier,
                               grant_type="authorization_code")
    return str(token["id_token"])


def _refusal(appliance, provider_row, token, *, nonce="n-1", now=None) -> str:
    doc = oidc.discover(appliance, provider_row)
    with pytest.raises(BelfortError) as exc:
        oidc.validate_id_token(appliance, provider_row, doc, token, nonce=nonce, now=now)
    assert exc.value.code == "oidc.bad_token" and exc.value.status == 401
    return exc.value.message


def test_id_token_checks(appliance, op):
    _connect(appliance, op)
    row = oidc_config.get_provider(appliance, "gemeente")
    doc = oidc.discover(appliance, row)
    good = _real_id_token(op, "belfort", "n-1")
    assert oidc.validate_id_token(appliance, row, doc, good, nonce="n-1")["sub"] == "anna"
    assert "aud" in _refusal(appliance, row, _real_id_token(op, "other", "n-1"))  # issued to another client
    assert "expired" in _refusal(appliance, row, good, now=time.time() + 2 * 3600)
    assert "nonce" in _refusal(appliance, row, good, nonce="another-sign-in")
    head, body, sig = good.split(".")
    flipped = sig[:-4] + ("AAAA" if sig[-4:] != "AAAA" else "BBBB")
    assert "signature" in _refusal(appliance, row, f"{head}.{body}.{flipped}")
    # a token with the same claims and key id, signed by a key that is not the provider's
    real = jwt.decode(good, oidc._keys(appliance, doc["jwks_uri"], fresh=False), algorithms=["RS256"])
    forged = jwt.encode({"alg": "RS256", "kid": real.header["kid"]}, real.claims, RSAKey.generate_key(2048))
    assert "signature" in _refusal(appliance, row, forged)
    assert "signature" in _refusal(appliance, row, "not.a-token.at-all")
    # a key id the provider never published: the key set is fetched again once, then the token is refused
    unknown = jwt.encode({"alg": "RS256", "kid": "rotated-away"}, real.claims, RSAKey.generate_key(2048))
    assert "unknown key id" in _refusal(appliance, row, unknown)
    # the same token checked for a provider configured with another issuer
    wrong_issuer = row.model_copy(update={"issuer": "http://127.0.0.1:9/other"})
    with pytest.raises(BelfortError) as exc:
        oidc.validate_id_token(appliance, wrong_issuer, doc, good, nonce="n-1")
    assert "iss" in exc.value.message


def test_a_discovery_document_naming_another_issuer_is_refused(appliance, web, op):
    port = urlsplit(op.issuer).port
    _connect(appliance, op, issuer=f"http://localhost:{port}")  # the provider calls itself 127.0.0.1
    r = _press(web, "gemeente")
    assert r.status_code == 502 and not _signed_in(web)


def test_an_unreachable_provider_says_so_and_the_local_admin_still_signs_in(appliance, web):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again at once: nothing listens there
    oidc_config.save_provider(appliance, "weg", actor="test", issuer=f"http://127.0.0.1:{port}", client_id="belfort")
    r = _press(web, "weg")
    assert r.status_code == 503 and 'role="alert"' in r.text
    accounts.create_user(appliance, "noodbeheer", PW, role="admin")
    assert sign_in(web, "noodbeheer").status_code == 303 and _signed_in(web)


def test_losing_the_groups_deactivates_and_ends_sessions(appliance, web, op):
    _connect(appliance, op)
    assert _callback(web, _at_provider(_begin(web), "anna")).status_code == 303 and _signed_in(web)
    op.set_accounts({"anna": {**ANNA, "groups": ["GG-Other"]}, "bert": BERT})  # IT removed her from GG-Bouw
    from litestar.testing import TestClient

    from ops.webapp import create_app

    with TestClient(create_app(appliance)) as second:
        r = _callback(second, _at_provider(_begin(second), "anna"))
        assert r.status_code == 403 and not _signed_in(second)
    assert not _signed_in(web)  # her open session ended with the deactivation
    user = next(u for u in accounts.list_users(appliance) if u.username == "anna@gemeente.be")
    assert not user.active
    op.set_accounts({"anna": ANNA, "bert": BERT})  # back in the group: the provider vouches again
    assert _callback(web, _at_provider(_begin(web), "anna")).status_code == 303 and _signed_in(web)


def test_an_account_the_provider_does_not_know_is_refused(appliance, web, op):
    _connect(appliance, op)
    answer = _at_provider(_begin(web), "nobody")  # the provider refuses the sign-in itself
    assert "error=access_denied" in answer
    r = _callback(web, answer)
    assert r.status_code == 401 and 'role="alert"' in r.text and not _signed_in(web)


def test_a_stranger_without_mapped_claims_leaves_no_account(appliance, web, op):
    _connect(appliance, op)
    op.set_accounts({"anna": {**ANNA, "groups": []}, "bert": BERT})
    assert _callback(web, _at_provider(_begin(web), "anna")).status_code == 403
    assert "anna@gemeente.be" not in {u.username for u in accounts.list_users(appliance)}


def test_sweep_deactivates_users_the_provider_stopped_vouching_for(appliance, web, op):
    from datetime import timedelta

    from appliance.db.engine import write_session
    from appliance.db.tables import OidcIdentity, utcnow

    _connect(appliance, op)
    assert _callback(web, _at_provider(_begin(web), "anna")).status_code == 303
    assert oidc_users.sweep(appliance, days=30) == []
    with write_session(appliance.db) as session:
        for ident in session.exec(__import__("sqlmodel").select(OidcIdentity)).all():
            ident.last_sign_in_at = utcnow() - timedelta(days=31)
            session.add(ident)
    assert oidc_users.sweep(appliance, days=30) == ["anna@gemeente.be"]
    assert not _signed_in(web)


def test_a_local_account_is_never_taken_over(appliance, web, op):
    accounts.create_user(appliance, "anna@gemeente.be", PW, role="admin")
    _connect(appliance, op)
    assert _callback(web, _at_provider(_begin(web), "anna")).status_code == 409
    assert not _signed_in(web)


def test_a_provider_admin_needs_no_local_totp_and_a_password_only_sign_in_is_flagged(appliance, web, op):
    """TOTP is for local accounts: an admin from the provider signs in without Belfort's second step. The
    provider's amr claim says how they signed in; password only is named by doctor and the admin console."""
    from appliance import access
    from appliance.checks import check_admin_second_factor

    _connect(appliance, op)
    r = _callback(web, _at_provider(_begin(web, next_path="/admin"), "bert"))
    assert r.status_code == 303 and r.headers["location"] == "/admin"  # no /sign-in/second-factor step
    bert = next(u for u in accounts.list_users(appliance) if u.username == "bert@gemeente.be")
    assert bert.role == "admin" and _signed_in(web)
    assert access.admins_without_second_factor(appliance) == []  # no amr: the provider's policy decides
    assert check_admin_second_factor(appliance).ok
    web.post("/sign-out", data={"_csrf_token": csrf(web)}, follow_redirects=False)
    assert _callback(web, _at_provider(_begin(web), "bert", amr="pwd")).status_code == 303
    [flagged] = access.admins_without_second_factor(appliance)
    assert (flagged.username, flagged.auth_source, flagged.second_factor) == ("bert@gemeente.be", "oidc:gemeente",
                                                                             "password")
    check = check_admin_second_factor(appliance)
    assert not check.ok and not check.required and "bert@gemeente.be (oidc:gemeente)" in check.message
    page = web.get("/admin/identity").text
    assert "bert@gemeente.be (oidc:gemeente)" in page
    web.post("/sign-out", data={"_csrf_token": csrf(web)}, follow_redirects=False)
    assert _callback(web, _at_provider(_begin(web), "bert", amr="pwd,otp")).status_code == 303
    assert access.admins_without_second_factor(appliance) == []  # the latest sign-in had a second factor
