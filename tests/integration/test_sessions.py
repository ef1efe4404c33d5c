"""Sessions and sign-in (issue 19, finding 10): server-side sessions that sign-out and a new password
end, Secure cookies by default, sign-in limits per user and client address that a guesser elsewhere
cannot turn into a lock-out of the real user."""

from __future__ import annotations

import time

import pytest

from appliance.access import accounts, rate_limits
from appliance.access import sessions as web_sessions
from appliance.checks import check_web_transport
from appliance.context import open_appliance
from appliance.errors import BelfortError
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.integration.web_support import PW, client_from, csrf, sign_in

SIGNED_OUT = (302, 303, 307)


def test_a_copied_cookie_stops_working_after_sign_out(world) -> None:  # type: ignore[no-untyped-def]
    with world.client() as victim, world.client() as thief:
        assert sign_in(victim, "anna").status_code == 303
        thief.cookies.set("belfort_session", victim.cookies["belfort_session"])
        assert thief.get("/", follow_redirects=False).status_code == 200  # the copy works while signed in
        victim.post("/sign-out", data={"_csrf_token": csrf(victim)})
        assert thief.get("/", follow_redirects=False).status_code in SIGNED_OUT  # the server forgot it
        assert victim.get("/", follow_redirects=False).status_code in SIGNED_OUT


def test_a_new_password_or_disabling_ends_every_session(world) -> None:  # type: ignore[no-untyped-def]
    with world.client() as one, world.client() as two:
        sign_in(one, "anna")
        sign_in(two, "wout")
        accounts.update_user(world.app, "anna", password="een ander lang wachtwoord")
        assert one.get("/", follow_redirects=False).status_code in SIGNED_OUT
        assert two.get("/", follow_redirects=False).status_code == 200  # other users keep theirs
        assert sign_in(one, "anna", "een ander lang wachtwoord").status_code == 303
        accounts.update_user(world.app, "wout", active=False)
        assert two.get("/", follow_redirects=False).status_code in SIGNED_OUT
        accounts.update_user(world.app, "wout", active=True)
        assert two.get("/", follow_redirects=False).status_code in SIGNED_OUT  # re-enabling revives nothing


def test_a_session_id_planted_before_sign_in_is_never_valid(world) -> None:  # type: ignore[no-untyped-def]
    with world.client() as c:
        sign_in(c, "anna")
        old = c.cookies["belfort_session"]
        sign_in(c, "anna")  # signing in again ends the session the browser came with
        assert c.get("/", follow_redirects=False).status_code == 200
        with world.client() as other:
            other.cookies.set("belfort_session", old)
            assert other.get("/", follow_redirects=False).status_code in SIGNED_OUT


def test_sessions_expire_on_the_server(world) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from appliance.db.engine import write_session
    from appliance.db.tables import WebSession, utcnow

    with world.client() as c:
        sign_in(c, "anna")
        with write_session(world.app.db) as s:
            for row in s.exec(select(WebSession)).all():
                row.expires_at = utcnow()
                s.add(row)
        assert c.get("/", follow_redirects=False).status_code in SIGNED_OUT


def test_cookies_are_secure_by_default_and_doctor_warns_about_plain_http(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from appliance.settings import build_settings

    assert build_settings([{}]).web.insecure_http is False
    with pytest.raises(BelfortError) as exc:  # the old opt-in key names its replacement
        build_settings([{"web": {"secure_cookies": True}}])
    assert "insecure_http" in exc.value.hint
    plain = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder())  # tests: insecure_http
    warn = check_web_transport(plain)
    assert not warn.ok and not warn.required and "HTTPS" in warn.hint
    secure = open_appliance(make_settings(tmp_path / "b", web={"insecure_http": False}), embedder=FakeEmbedder())
    assert check_web_transport(secure).ok


def test_demo_start_declares_plain_http_for_its_children(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`belfort up --demo` serves http://localhost: its children get web.insecure_http; `up` does not."""
    from appliance.settings import build_settings, load_settings
    from ops.commands.up import child_env

    secure = build_settings([{}])
    env = child_env(secure, True, {"PATH": "/bin"})
    assert env["BELFORT_WEB__INSECURE_HTTP"] == "true" and env["PATH"] == "/bin"
    assert load_settings(None, environ=env).web.insecure_http is True  # what the children then read
    assert "BELFORT_WEB__INSECURE_HTTP" not in child_env(secure, False, {})


# --- sign-in limits -----------------------------------------------------------------------------


def test_a_guesser_elsewhere_cannot_lock_the_real_user_out(world) -> None:  # type: ignore[no-untyped-def]
    """Attack (finding 10): five wrong passwords from anywhere locked the real user out for a minute."""
    limit = world.app.settings.web.sign_in_attempts_per_minute
    with client_from(world, "10.6.6.6") as attacker, client_from(world, "10.0.0.7") as anna:
        for _ in range(limit):
            assert sign_in(attacker, "anna", "geraden wachtwoord").status_code == 401
        r = sign_in(attacker, "anna", "nog een gok")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1  # the guesser is stopped
        assert sign_in(anna, "anna").status_code == 303  # the real user is not
        assert anna.get("/", follow_redirects=False).status_code == 200


def test_one_address_is_limited_across_user_names(appliance) -> None:  # type: ignore[no-untyped-def]
    per_hour = appliance.settings.web.sign_in_client_attempts_per_hour
    accounts.create_user(appliance, "anna", PW)
    for i in range(per_hour):
        with pytest.raises(BelfortError):
            accounts.authenticate(appliance, f"naam{i}", "fout wachtwoord", client="10.6.6.6")
    with pytest.raises(BelfortError) as exc:
        accounts.authenticate(appliance, "anna", PW, client="10.6.6.6")
    assert (exc.value.code, exc.value.status) == ("auth.rate_limited", 429)
    assert accounts.authenticate(appliance, "anna", PW, client="10.0.0.7").username == "anna"


def test_many_addresses_only_slow_one_user_down(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = open_appliance(make_settings(tmp_path, web={"sign_in_slowdown_after": 3}), embedder=FakeEmbedder())
    accounts.create_user(app, "anna", PW)
    assert rate_limits.sign_in_delay(app, "anna", "10.0.0.7") == 0.0
    for i in range(4):  # a botnet: one guess per address
        with pytest.raises(BelfortError):
            accounts.authenticate(app, "anna", "fout wachtwoord", client=f"10.6.6.{i}")
    delay = rate_limits.sign_in_delay(app, "anna", "10.0.0.7")
    assert 0 < delay <= rate_limits.MAX_DELAY_S
    started = time.monotonic()
    assert accounts.authenticate(app, "anna", PW, client="10.0.0.7").username == "anna"  # slowed, not locked
    assert time.monotonic() - started >= delay * 0.9


def test_session_rows_store_no_usable_cookie_value(world) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from appliance.db.engine import read_session
    from appliance.db.tables import WebSession

    sid = web_sessions.start(world.app, 1, client="10.0.0.7")
    with read_session(world.app.db) as s:
        rows = s.exec(select(WebSession)).all()
    assert rows and all(sid not in r.sid_hash for r in rows) and rows[-1].client == "10.0.0.7"
    web_sessions.end(world.app, sid)
    assert web_sessions.principal(world.app, 1, sid) is None
