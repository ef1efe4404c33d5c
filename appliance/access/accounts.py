"""Local accounts: users with argon2 hashes, groups and rate-limited sign-in (API tokens:
appliance.access.tokens; browser sessions: appliance.access.sessions).

OIDC and LDAP arrive later behind `IdentityProvider`: a provider turns credentials into a
`Principal`; everything after sign-in (sessions, permissions) only ever sees the Principal.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from appliance.access import rate_limits
from appliance.access import sessions as web_sessions
from appliance.access.principals import Principal, principal_for, readable_collection_ids
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Collection, CollectionGroup, Group, User, UserGroup
from appliance.errors import BelfortError, NotFound

if TYPE_CHECKING:
    from appliance.context import Appliance

ROLES = ("staff", "archivist", "admin")
LANGUAGES = ("nl", "fr", "en")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_hasher = PasswordHasher()  # argon2id with the RFC 9106 low-memory parameters
# The `test` profile hashes with tiny parameters so test suites stay fast; verification reads the
# parameters from each stored hash, so either hasher verifies the other's hashes.
_test_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_dummy_hashes: dict[int, str] = {}


def _hasher_for(app: Appliance) -> PasswordHasher:
    return _test_hasher if app.settings.profile == "test" else _hasher


def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the user does not exist, so an unknown name costs as much as a wrong password."""
    if id(hasher) not in _dummy_hashes:
        _dummy_hashes[id(hasher)] = hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[id(hasher)]


class IdentityProvider(Protocol):
    """Where identities come from: local accounts today, OIDC or LDAP later."""

    name: str

    def authenticate(self, username: str, password: str) -> Principal: ...


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: str
    language: str
    active: bool
    groups: tuple[str, ...]


def hash_password(password: str, hasher: PasswordHasher = _hasher) -> str:
    return hasher.hash(password)


def _check_name(kind: str, name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise BelfortError(
            f"accounts.invalid_{kind}",
            f"'{name}' is not a valid {kind} name",
            hint="use letters, digits, '.', '_', '-' or '@' (at most 64 characters)",
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise BelfortError(
            "accounts.weak_password",
            "the password is shorter than 10 characters",
            hint="choose a longer passphrase",
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise BelfortError(
            "accounts.invalid_role", f"unknown role '{role}'", hint="one of " + ", ".join(ROLES)
        )


def _groups(session: Session, names: Iterable[str]) -> list[Group]:
    out = []
    for raw in names:
        if not raw.strip():
            continue
        name = _check_name("group", raw)
        group = session.exec(select(Group).where(Group.name == name)).first()
        if group is None:
            group = Group(name=name)
            session.add(group)
            session.flush()
        out.append(group)
    return out


def _audit(session: Session, actor: str, action: str, target: str, **detail: object) -> None:
    session.add(AuditEvent(actor=actor, action=action, target=target, detail=dict(detail)))


def create_user(
    app: Appliance,
    username: str,
    password: str,
    *,
    role: str = "staff",
    groups: Iterable[str] = (),
    display_name: str = "",
    language: str = "nl",
    actor: str = "system",
) -> Principal:
    username = _check_name("user", username)
    _check_role(role)
    _check_password(password)
    if language not in LANGUAGES:
        language = "nl"
    with write_session(app.db) as session:
        if session.exec(select(User).where(User.username == username)).first() is not None:
            raise BelfortError(
                "accounts.user_exists",
                f"user '{username}' already exists",
                hint="pick another name or change the existing user",
                status=409,
            )
        user = User(
            username=username,
            display_name=display_name or username,
            password_hash=hash_password(password, _hasher_for(app)),
            role=role,
            language=language,
        )
        session.add(user)
        session.flush()
        for group in _groups(session, groups):
            assert user.id is not None and group.id is not None  # both stored (flushed) by now
            session.add(UserGroup(user_id=user.id, group_id=group.id))
        _audit(session, actor, "user.create", username, role=role)
        session.flush()
        return principal_for(session, user)


def update_user(
    app: Appliance,
    username: str,
    *,
    role: str | None = None,
    groups: Iterable[str] | None = None,
    active: bool | None = None,
    password: str | None = None,
    actor: str = "system",
) -> Principal:
    with write_session(app.db) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            raise NotFound("accounts.no_user", f"no user '{username}'", hint="belfort admin create-user")
        if role is not None:
            _check_role(role)
            user.role = role
        ended = 0
        if active is not None:
            user.active = active
            if not active:
                ended = web_sessions.end_all(session, user.id or 0)
        if password is not None:
            _check_password(password)
            user.password_hash = hash_password(password, _hasher_for(app))
            ended = web_sessions.end_all(session, user.id or 0)  # a stolen session dies with the old password
        if groups is not None:
            for link in session.exec(select(UserGroup).where(UserGroup.user_id == user.id)).all():
                session.delete(link)
            session.flush()
            for group in _groups(session, groups):
                assert user.id is not None and group.id is not None  # both stored (flushed) by now
                session.add(UserGroup(user_id=user.id, group_id=group.id))
        session.add(user)
        _audit(session, actor, "user.update", username, role=user.role, active=user.active,
               password_changed=password is not None, sessions_ended=ended)
        session.flush()
        return principal_for(session, user)


def admin_update_user(app: Appliance, who: Principal, username: str, *, role: str,
                      groups: Iterable[str], active: bool) -> Principal:
    """An administrator's change to an account (the admin console); never their own admin access."""
    if username == who.username and (role != "admin" or not active):
        raise BelfortError(
            "accounts.self_lockout",
            "you cannot remove your own admin access",
            hint="ask another administrator",
        )
    return update_user(app, username, role=role, groups=groups, active=active, actor=who.username)


def list_users(app: Appliance) -> list[UserInfo]:
    with read_session(app.db) as session:
        names = dict(session.exec(select(Group.id, Group.name)).all())
        links: dict[int, list[str]] = {}
        for link in session.exec(select(UserGroup)).all():
            links.setdefault(link.user_id, []).append(names[link.group_id])
        return [
            UserInfo(
                u.id or 0,
                u.username,
                u.display_name,
                u.role,
                u.language,
                u.active,
                tuple(sorted(links.get(u.id or 0, []))),
            )
            for u in session.exec(select(User).order_by(User.username)).all()
        ]


def principal_by_id(app: Appliance, user_id: int) -> Principal | None:
    """The current Principal of a user; None when the user is gone or disabled (browser sessions:
    web_sessions.principal, which also checks that the session still lives)."""
    with read_session(app.db) as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        return principal_for(session, user)


def set_language(app: Appliance, user_id: int, language: str) -> None:
    if language not in LANGUAGES:
        return
    with write_session(app.db) as session:
        user = session.get(User, user_id)
        if user is not None:
            user.language = language
            session.add(user)


# --- sign-in -----------------------------------------------------------------------------------


class LocalIdentityProvider:
    """Username and password checked against the argon2 hash in the users table."""

    name = "local"

    def __init__(self, app: Appliance) -> None:
        self.app = app

    def authenticate(self, username: str, password: str) -> Principal:
        hasher = _hasher_for(self.app)
        with write_session(self.app.db) as session:
            user = session.exec(select(User).where(User.username == username)).first()
            known = user is not None and user.auth_source == "local"
            ok = _verify(user.password_hash if known else _dummy_hash(hasher), password)  # type: ignore[union-attr]
            if not (ok and known and user is not None and user.active):
                raise BelfortError(
                    "auth.invalid",
                    "unknown user or wrong password",
                    hint="check the user name and password",
                    status=401,
                )
            if hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password, hasher)
                session.add(user)
            return principal_for(session, user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)  # parameters come from the hash itself
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    app: Appliance, username: str, password: str, provider: IdentityProvider | None = None, *, client: str = ""
) -> Principal:
    """Raises BelfortError auth.invalid (401) or auth.rate_limited (429, per user name and client address
    and per address; failures of one user from everywhere only slow the next attempts down)."""
    username, client = username.strip()[:64], client[:64]
    # Counted as a failure before the check, so concurrent attempts cannot all slip under the limit;
    # the wait and the password hash run outside any transaction: the database stays free meanwhile.
    attempt, delay = rate_limits.reserve_sign_in(app, username, client)
    if delay:
        time.sleep(delay)
    if provider is None:
        from appliance.access.directory_provider import provider_for

        provider = provider_for(app, username) or LocalIdentityProvider(app)
    who = provider.authenticate(username, password)
    rate_limits.finish_sign_in(app, attempt)
    return who


# --- groups of collections ---------------------------------------------------------------------


@dataclass(frozen=True)
class CollectionInfo:
    id: int
    name: str
    title: str
    groups: tuple[str, ...]


def list_collections(app: Appliance) -> list[CollectionInfo]:
    with read_session(app.db) as session:
        names = dict(session.exec(select(Group.id, Group.name)).all())
        links: dict[int, list[str]] = {}
        for link in session.exec(select(CollectionGroup)).all():
            links.setdefault(link.collection_id, []).append(names[link.group_id])
        return [
            CollectionInfo(c.id or 0, c.name, c.title or c.name, tuple(sorted(links.get(c.id or 0, []))))
            for c in session.exec(select(Collection).order_by(Collection.name)).all()
        ]


def set_collection_groups(
    app: Appliance, collection: str, groups: Iterable[str], *, actor: str = "system"
) -> tuple[str, ...]:
    """Replace the groups that may read `collection` (admins always may)."""
    with write_session(app.db) as session:
        row = session.exec(select(Collection).where(Collection.name == collection)).first()
        if row is None:
            raise NotFound(
                "collection.not_found",
                f"no collection '{collection}'",
                hint="create it by ingesting into it or with belfort ingest --collection",
            )
        for link in session.exec(
            select(CollectionGroup).where(CollectionGroup.collection_id == row.id)
        ).all():
            session.delete(link)
        session.flush()
        names = []
        for group in _groups(session, groups):
            assert row.id is not None and group.id is not None  # both stored (flushed) by now
            session.add(CollectionGroup(collection_id=row.id, group_id=group.id))
            names.append(group.name)
        _audit(session, actor, "collection.set_groups", collection, groups=sorted(names))
        return tuple(sorted(names))


def readable_collections(app: Appliance, who: Principal) -> list[CollectionInfo]:
    """The collections `who` may read (for pickers); admins see all."""
    with read_session(app.db) as session:
        ids = readable_collection_ids(session, who)
    return [c for c in list_collections(app) if c.id in ids]
