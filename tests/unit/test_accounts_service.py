"""Accounts: argon2 hashes, rate-limited sign-in, API tokens, groups of collections."""

from __future__ import annotations

import pytest
from sqlmodel import select

from appliance.access import accounts
from appliance.access import sessions as web_sessions
from appliance.access import tokens as api_tokens
from appliance.db.engine import read_session, write_session
from appliance.db.tables import ApiToken, Collection, User
from appliance.errors import BelfortError

PW = "correct horse battery"


def test_create_user_stores_argon2_hash_and_groups(appliance):
    who = accounts.create_user(appliance, "an", PW, role="archivist", groups=["bouw", "milieu"])
    assert who.role == "archivist" and len(who.group_ids) == 2
    with read_session(appliance.db) as s:
        user = s.exec(select(User).where(User.username == "an")).one()
    assert user.password_hash.startswith("$argon2id$") and PW not in user.password_hash
    info = {u.username: u for u in accounts.list_users(appliance)}["an"]
    assert info.groups == ("bouw", "milieu")


@pytest.mark.parametrize(
    "kw,code",
    [
        ({"username": "../x"}, "accounts.invalid_user"),
        ({"role": "root"}, "accounts.invalid_role"),
        ({"password": "short"}, "accounts.weak_password"),
    ],
)
def test_create_user_rejects_bad_input(appliance, kw, code):
    args = {"username": "bert", "password": PW, "role": "staff"} | kw
    with pytest.raises(BelfortError) as exc:
        accounts.create_user(appliance, args["username"], args["password"], role=args["role"])
    assert exc.value.code == code


def test_duplicate_user_is_refused(appliance):
    accounts.create_user(appliance, "an", PW)
    with pytest.raises(BelfortError) as exc:
        accounts.create_user(appliance, "an", PW)
    assert exc.value.code == "accounts.user_exists"


def test_authenticate_ok_wrong_and_unknown(appliance):
    accounts.create_user(appliance, "an", PW, groups=["bouw"])
    who = accounts.authenticate(appliance, "an", PW)
    assert who.username == "an" and who.role == "staff"
    for name, pw in (("an", "wrong password!"), ("nobody", PW)):
        with pytest.raises(BelfortError) as exc:
            accounts.authenticate(appliance, name, pw)
        # Same code and message for both, so the form does not reveal which user names exist.
        assert (exc.value.code, exc.value.status, exc.value.message) == (
            "auth.invalid",
            401,
            "unknown user or wrong password",
        )


def test_disabled_user_cannot_sign_in(appliance):
    accounts.create_user(appliance, "an", PW)
    accounts.update_user(appliance, "an", active=False)
    with pytest.raises(BelfortError) as exc:
        accounts.authenticate(appliance, "an", PW)
    assert exc.value.code == "auth.invalid"


def test_sign_in_is_rate_limited_per_user(appliance):
    accounts.create_user(appliance, "an", PW)
    accounts.create_user(appliance, "bert", PW)
    limit = appliance.settings.web.sign_in_attempts_per_minute
    for _ in range(limit):
        with pytest.raises(BelfortError):
            accounts.authenticate(appliance, "an", "wrong password!")
    with pytest.raises(BelfortError) as exc:
        accounts.authenticate(appliance, "an", PW)  # even the right password waits
    assert (exc.value.code, exc.value.status) == ("auth.rate_limited", 429)
    assert accounts.authenticate(appliance, "bert", PW).username == "bert"  # other users unaffected


def test_token_is_shown_once_stored_hashed_and_revocable(appliance):
    accounts.create_user(appliance, "svc", PW, groups=["bouw"])
    token = api_tokens.create_token(appliance, "svc", "intranet")
    with read_session(appliance.db) as s:
        row = s.exec(select(ApiToken)).one()
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert api_tokens.principal_for_token(appliance, token).username == "svc"
    api_tokens.revoke_token(appliance, token)
    with pytest.raises(BelfortError) as exc:
        api_tokens.principal_for_token(appliance, token)
    assert (exc.value.code, exc.value.status) == ("auth.invalid_token", 401)
    with pytest.raises(BelfortError):
        api_tokens.principal_for_token(appliance, "blf_made-up")


def test_set_collection_groups_replaces_groups(appliance):
    with write_session(appliance.db) as s:
        s.add(Collection(name="bouw", title="Bouwdossiers"))
    assert accounts.set_collection_groups(appliance, "bouw", ["a", "b"]) == ("a", "b")
    assert accounts.set_collection_groups(appliance, "bouw", ["b"]) == ("b",)
    assert [c.groups for c in accounts.list_collections(appliance)] == [("b",)]
    with pytest.raises(BelfortError) as exc:
        accounts.set_collection_groups(appliance, "nope", ["a"])
    assert exc.value.status == 404


def test_local_provider_satisfies_identity_provider_protocol(appliance):
    provider: accounts.IdentityProvider = accounts.LocalIdentityProvider(appliance)
    accounts.create_user(appliance, "an", PW)
    assert accounts.authenticate(appliance, "an", PW, provider=provider).username == "an"


def test_a_new_password_ends_every_session_of_the_user(appliance):
    who = accounts.create_user(appliance, "an", PW)
    other = accounts.create_user(appliance, "bert", PW)
    sid = web_sessions.start(appliance, who.user_id)
    kept = web_sessions.start(appliance, other.user_id)
    assert web_sessions.principal(appliance, who.user_id, sid) == who
    accounts.update_user(appliance, "an", password="another long password")
    assert web_sessions.principal(appliance, who.user_id, sid) is None
    assert web_sessions.principal(appliance, other.user_id, kept) is not None  # others keep theirs
    fresh = web_sessions.start(appliance, who.user_id)
    assert web_sessions.principal(appliance, who.user_id, fresh) is not None
