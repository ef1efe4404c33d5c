"""Secrets at rest: TOTP secrets, OIDC client secrets and share passwords are sealed with one key file
outside the database; plain rows from before keep working and are sealed at their next write."""

from __future__ import annotations

import stat
import time

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from appliance import access
from appliance.access import accounts, oidc_config, totp
from appliance.db.engine import read_session, write_session
from appliance.db.tables import OidcProvider, TotpFactor, User, utcnow
from appliance.errors import BelfortError
from appliance.shares import secrets as share_secrets
from tests.integration.web_support import PW

ISSUER = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"


def _factor(app, username: str) -> TotpFactor:  # type: ignore[no-untyped-def]
    with read_session(app.db) as s:
        uid = s.exec(select(User.id).where(User.username == username)).one()
        row = s.get(TotpFactor, uid)
    assert row is not None
    return row


def test_a_totp_secret_is_sealed_and_still_checks(appliance) -> None:  # type: ignore[no-untyped-def]
    accounts.create_user(appliance, "admin", PW, role="admin")
    enrolment = totp.begin(appliance, "admin")
    stored = _factor(appliance, "admin").secret
    assert stored.startswith("sealed:v1:") and enrolment.secret not in stored
    assert totp.pending_enrolment(appliance, "admin").secret == enrolment.secret  # type: ignore[union-attr]
    assert len(totp.confirm(appliance, "admin", pyotp.TOTP(enrolment.secret).now())) == totp.RECOVERY_CODES
    code = pyotp.TOTP(enrolment.secret).at(time.time() + 30)
    totp.verify(appliance, "admin", code)
    key = access.secrets_key_path(appliance)
    assert key == appliance.layout.secrets_key and stat.S_IMODE(key.stat().st_mode) == 0o600
    # Without the key file the secret cannot be opened: a copy of the database alone is not enough.
    key.rename(key.with_suffix(".away"))
    with pytest.raises(BelfortError) as err:
        totp.verify(appliance, "admin", pyotp.TOTP(enrolment.secret).at(time.time() + 60))
    assert err.value.code == "secrets.no_key"
    key.write_bytes(Fernet.generate_key())  # another box's key
    with pytest.raises(BelfortError) as err:
        totp.verify(appliance, "admin", pyotp.TOTP(enrolment.secret).at(time.time() + 60))
    assert err.value.code == "secrets.bad_key"


def test_a_plain_totp_secret_from_before_keeps_working_and_is_sealed_at_the_next_check(appliance) -> None:  # type: ignore[no-untyped-def]
    accounts.create_user(appliance, "admin", PW, role="admin")
    plain = pyotp.random_base32()
    with write_session(appliance.db) as s:
        uid = s.exec(select(User.id).where(User.username == "admin")).one()
        s.add(TotpFactor(user_id=uid, secret=plain, confirmed_at=utcnow()))
    assert totp.step_for(appliance, uid) == "verify"
    totp.verify(appliance, "admin", pyotp.TOTP(plain).now())
    stored = _factor(appliance, "admin").secret
    assert stored.startswith("sealed:v1:") and plain not in stored
    totp.verify(appliance, "admin", pyotp.TOTP(plain).at(time.time() + 30))  # the sealed one checks too
    with pytest.raises(BelfortError):
        totp.verify(appliance, "admin", "000000" if pyotp.TOTP(plain).now() != "000000" else "111111")


def test_oidc_client_secret_sealed_and_a_plain_one_resealed_on_the_next_save(appliance) -> None:  # type: ignore[no-untyped-def]
    oidc_config.save_provider(appliance, "entra", actor="t", preset="entra", issuer=ISSUER, client_id="belfort",
                              client_secret="geheim-geheim")
    row = oidc_config.get_provider(appliance, "entra")
    assert row.client_secret.startswith("sealed:v1:") and "geheim" not in row.client_secret
    assert oidc_config.client_secret(appliance, row) == "geheim-geheim"
    with write_session(appliance.db) as s:  # a row written before sealing
        stored = s.exec(select(OidcProvider).where(OidcProvider.name == "entra")).one()
        stored.client_secret = "oud-geheim"
        s.add(stored)
    row = oidc_config.get_provider(appliance, "entra")
    assert oidc_config.client_secret(appliance, row) == "oud-geheim"  # read as plain
    oidc_config.save_provider(appliance, "entra", actor="t", title="Gemeente")  # any next write seals it
    row = oidc_config.get_provider(appliance, "entra")
    assert row.client_secret.startswith("sealed:v1:") and oidc_config.client_secret(appliance, row) == "oud-geheim"
    assert oidc_config.list_providers(appliance)[0].has_secret


def test_one_key_file_for_shares_totp_and_oidc_and_old_share_rows_still_open(appliance) -> None:  # type: ignore[no-untyped-def]
    token = share_secrets.encrypt(appliance, "crawl-pw")
    assert token.startswith("sealed:v1:") and share_secrets.decrypt(appliance, token) == "crawl-pw"
    key = appliance.layout.secrets_key.read_bytes().strip()
    bare = Fernet(key).encrypt(b"oud-pw").decode()  # a share row from before: a bare Fernet token
    assert share_secrets.decrypt(appliance, bare) == "oud-pw"
    accounts.create_user(appliance, "admin", PW, role="admin")
    secret = totp.begin(appliance, "admin").secret
    stored = _factor(appliance, "admin").secret
    assert Fernet(key).decrypt(stored.removeprefix("sealed:v1:").encode()).decode() == secret  # the same key


def test_a_data_folder_from_before_keeps_its_shares_key(appliance) -> None:  # type: ignore[no-untyped-def]
    earlier = appliance.layout.root / "shares.key"
    earlier.parent.mkdir(parents=True, exist_ok=True)
    earlier.write_bytes(Fernet.generate_key())
    assert access.secrets_key_path(appliance) == earlier
    sealed = access.seal_secret(appliance, "x")
    assert not appliance.layout.secrets_key.exists() and access.unseal_secret(appliance, sealed) == "x"
    assert access.unseal_secret(appliance, "not sealed") == "not sealed"
