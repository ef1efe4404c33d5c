"""Identity state for page checks (tests/browser/test_axe.py): an administrator with a second factor, one
halfway through enrolment, and an OIDC provider with one user, so every identity page has content."""

from __future__ import annotations

import pyotp

from appliance import access
from appliance.access import accounts
from appliance.access.oidc_users import provision
from appliance.context import Appliance
from tests.integration.web_support import PW

ENROL_USER = "beheer2"


def identity_world(app: Appliance, admin: str = "admin") -> dict[str, str]:
    """Returns what the browser driver needs: a recovery code of `admin` and the TOTP secret of an
    administrator who still has to enrol (the driver gets a fresh code of it just before it runs)."""
    secret = access.totp_begin(app, admin).secret
    codes = access.totp_confirm(app, admin, pyotp.TOTP(secret).now(), client="127.0.0.1")
    accounts.create_user(app, ENROL_USER, PW, role="admin")
    # An administrator whose last sign-in had no second factor: /admin/identity shows its warning.
    unguarded = accounts.create_user(app, "beheer3", PW, role="admin")
    access.start_session(app, unguarded.user_id or 0, second_factor="none")
    access.save_oidc_provider(app, "entra", actor="test", preset="entra", title="Gemeente (Entra ID)",
                              issuer="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
                              client_id="belfort", mapping={"groups": {"GG-Bouw": "bouwgroep"}})
    provision(app, access.get_oidc_provider(app, "entra"),
              {"sub": "x-1", "preferred_username": "jan@gemeente.be", "name": "Jan <b>Peeters</b>",
               "groups": ["GG-Bouw"]})
    return {"recovery": codes[0], "enrol_secret": access.totp_begin(app, ENROL_USER).secret}


def driver_env(identity: dict[str, str]) -> dict[str, str]:
    return {"BELFORT_AXE_RECOVERY_CODE": identity["recovery"], "BELFORT_AXE_ENROL_USER": ENROL_USER,
            "BELFORT_AXE_ENROL_CODE": pyotp.TOTP(identity["enrol_secret"]).now()}
