"""A local administrator who signs in without TOTP (identity.admin_second_factor switched off) is named by
`belfort doctor`; after enrolling, the next sign-in carries the second factor and the warning goes."""

from __future__ import annotations

import time

import pyotp
from litestar.testing import TestClient

from appliance import access
from appliance.checks import check_admin_second_factor
from appliance.context import open_appliance
from models.fakes import FakeEmbedder
from ops.webapp import create_app
from tests.conftest import make_settings
from tests.integration.web_support import PW, csrf, sign_in


def test_a_local_admin_without_totp_is_named_until_enrolled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = open_appliance(make_settings(tmp_path, identity={"admin_second_factor": False}), embedder=FakeEmbedder())
    access.create_user(app, "beheer", PW, role="admin")
    access.create_user(app, "anna", PW, role="staff")
    with TestClient(create_app(app)) as web:
        assert sign_in(web, "anna").status_code == 303  # staff without a second factor: not named
        assert access.admins_without_second_factor(app) == []
        r = sign_in(web, "beheer")
        assert r.status_code == 303 and r.headers["location"] == "/"  # no second step: switched off
        check = check_admin_second_factor(app)
        assert not check.ok and "beheer (local)" in check.message
    # once enrolled (the account page does the same), the next sign-in passes TOTP
    enrolment = access.totp_begin(app, "beheer")
    access.totp_confirm(app, "beheer", pyotp.TOTP(enrolment.secret).now())
    with TestClient(create_app(app)) as web:
        web.get("/sign-in")
        r = web.post("/sign-in", data={"username": "beheer", "password": PW, "next": "/", "_csrf_token": csrf(web)},
                     follow_redirects=False)
        assert r.headers["location"] == "/sign-in/second-factor"
        code = pyotp.TOTP(enrolment.secret).at(time.time() + 30)
        r = web.post("/sign-in/second-factor", data={"code": code, "_csrf_token": csrf(web)}, follow_redirects=False)
        assert r.status_code == 303
    assert access.admins_without_second_factor(app) == [] and check_admin_second_factor(app).ok
