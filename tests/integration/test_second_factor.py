"""TOTP second factor of local accounts: administrators must enrol, codes are checked once, recovery codes
work once, and wrong codes are limited per account and per client address."""

from __future__ import annotations

import re

import pyotp
import pytest

from appliance.access import accounts, totp
from appliance.errors import BelfortError
from tests.conftest import make_settings
from tests.integration.web_support import PW, csrf


@pytest.fixture
def client(appliance):
    from litestar.testing import TestClient

    from ops.webapp import create_app

    accounts.create_user(appliance, "beheer", PW, role="admin")
    accounts.create_user(appliance, "anna", PW, role="staff")
    with TestClient(create_app(appliance)) as c:
        yield c


def _password(client, username="beheer"):
    client.get("/sign-in")
    return client.post("/sign-in", data={"username": username, "password": PW, "next": "/ask",
                                         "_csrf_token": csrf(client)}, follow_redirects=False)


def _signed_in(client) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def _enrol(client) -> tuple[str, list[str]]:
    assert _password(client).headers["location"] == "/sign-in/second-factor/enrol"
    page = client.get("/sign-in/second-factor/enrol")
    secret = re.search(r"secret=([A-Z2-7]+)", page.text).group(1)
    assert "<svg" in page.text and secret in page.text  # the QR code and the same secret as text
    done = client.post("/sign-in/second-factor/enrol", data={"code": pyotp.TOTP(secret).now(),
                                                             "_csrf_token": csrf(client)})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.text)
    return secret, codes


def _sign_out(client):
    client.post("/sign-out", data={"_csrf_token": csrf(client)}, follow_redirects=False)


def test_an_admin_must_enrol_before_any_page_opens(client):
    r = _password(client)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in/second-factor/enrol"
    assert not _signed_in(client)  # the right password alone gives no session
    page = client.get("/sign-in/second-factor/enrol")
    wrong = client.post("/sign-in/second-factor/enrol", data={"code": "000000", "_csrf_token": csrf(client)})
    assert wrong.status_code == 401 and not _signed_in(client)
    secret = re.search(r"secret=([A-Z2-7]+)", page.text).group(1)
    done = client.post("/sign-in/second-factor/enrol", data={"code": pyotp.TOTP(secret).now(),
                                                             "_csrf_token": csrf(client)})
    assert done.status_code == 200 and _signed_in(client)
    assert len(set(re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.text))) == totp.RECOVERY_CODES


def test_staff_without_a_second_factor_sign_in_with_the_password(client):
    r = _password(client, "anna")
    assert r.headers["location"] == "/ask" and _signed_in(client)


def test_wrong_code_refused_right_code_once(client, appliance):
    secret, _ = _enrol(client)
    _sign_out(client)
    assert _password(client).headers["location"] == "/sign-in/second-factor"
    wrong = client.post("/sign-in/second-factor", data={"code": "123456", "_csrf_token": csrf(client)},
                        follow_redirects=False)
    assert wrong.status_code == 401 and not _signed_in(client)
    # the code the enrolment used (this 30-second step) is spent: a replay of it is refused
    with pytest.raises(BelfortError) as spent:
        totp.verify(appliance, "beheer", pyotp.TOTP(secret).now(), client="10.0.0.9")
    assert spent.value.code == "auth.second_factor_invalid"


def test_a_recovery_code_works_once(client):
    _, codes = _enrol(client)
    _sign_out(client)
    _password(client)
    ok = client.post("/sign-in/second-factor", data={"code": codes[0].upper(), "_csrf_token": csrf(client)},
                     follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/ask" and _signed_in(client)
    _sign_out(client)
    _password(client)
    again = client.post("/sign-in/second-factor", data={"code": codes[0], "_csrf_token": csrf(client)},
                        follow_redirects=False)
    assert again.status_code == 401 and not _signed_in(client)


def test_the_second_step_expires_and_cannot_be_skipped(client):
    assert client.get("/sign-in/second-factor", follow_redirects=False).headers["location"] == "/sign-in"
    r = client.post("/sign-in/second-factor", data={"code": "123456", "_csrf_token": csrf(client)},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"


def _enrolled(tmp_path, **identity):
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder

    app = open_appliance(make_settings(tmp_path, identity=identity), embedder=FakeEmbedder())
    accounts.create_user(app, "beheer", PW, role="admin")
    enrolment = totp.begin(app, "beheer")
    codes = totp.confirm(app, "beheer", pyotp.TOTP(enrolment.secret).now(), client="10.0.0.1")
    return app, enrolment.secret, codes


def test_wrong_codes_are_limited_per_address(tmp_path):
    app, _, codes = _enrolled(tmp_path)
    limit = app.settings.web.sign_in_attempts_per_minute
    for _ in range(limit):
        with pytest.raises(BelfortError) as exc:
            totp.verify(app, "beheer", "000000", client="10.0.0.66")
        assert exc.value.code == "auth.second_factor_invalid"
    with pytest.raises(BelfortError) as exc:  # even a right code waits at this address
        totp.verify(app, "beheer", codes[0], client="10.0.0.66")
    assert exc.value.code == "auth.rate_limited" and exc.value.status == 429
    totp.verify(app, "beheer", codes[0], client="10.0.0.7")  # the real user elsewhere still gets in


def test_wrong_codes_are_limited_per_account_across_addresses(tmp_path):
    app, _, codes = _enrolled(tmp_path, second_factor_attempts_per_account=4)
    for n in range(4):
        with pytest.raises(BelfortError) as exc:
            totp.verify(app, "beheer", "999999", client=f"10.1.0.{n}")
        assert exc.value.code == "auth.second_factor_invalid"
    with pytest.raises(BelfortError) as exc:  # a fresh address changes nothing: the account is the key
        totp.verify(app, "beheer", codes[1], client="10.1.0.200")
    assert exc.value.code == "auth.rate_limited"


def test_reset_makes_the_admin_enrol_again(tmp_path):
    app, _, _ = _enrolled(tmp_path)
    user_id = accounts.list_users(app)[0].id
    assert totp.step_for(app, user_id) == "verify"
    totp.reset(app, "beheer", actor="cli")
    assert totp.step_for(app, user_id) == "enrol" and totp.recovery_codes_left(app, user_id) == 0


def test_a_staff_member_may_add_a_second_factor(client, appliance):
    _password(client, "anna")
    page = client.get("/account/second-factor")
    assert page.status_code == 200 and 'action="/account/second-factor/begin"' in page.text
    enrol = client.post("/account/second-factor/begin", data={"_csrf_token": csrf(client)})
    secret = re.search(r"secret=([A-Z2-7]+)", enrol.text).group(1)
    assert 'action="/account/second-factor/confirm"' in enrol.text
    wrong = client.post("/account/second-factor/confirm", data={"code": "000000", "_csrf_token": csrf(client)})
    assert wrong.status_code == 401 and secret in wrong.text  # the same secret, to try again
    done = client.post("/account/second-factor/confirm", data={"code": pyotp.TOTP(secret).now(),
                                                               "_csrf_token": csrf(client)})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.text)
    assert len(codes) == totp.RECOVERY_CODES
    _sign_out(client)
    assert _password(client, "anna").headers["location"] == "/sign-in/second-factor"  # now asked at sign-in
    ok = client.post("/sign-in/second-factor", data={"code": codes[3], "_csrf_token": csrf(client)},
                     follow_redirects=False)
    assert ok.headers["location"] == "/ask" and _signed_in(client)
    assert "9" in client.get("/account/second-factor").text  # nine recovery codes left
