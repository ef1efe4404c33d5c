"""Sign-in against the directory (bind and search): the service account finds the user's DN, a bind
as that DN checks the password, and the user's groups (nested ones resolved) are brought up to date
at once. Local accounts (the break-glass admin) are always checked locally, so an unreachable
directory never locks them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from appliance.access import ldap
from appliance.access.directory_sync import _account, apply_user, mirror_groups
from appliance.access.principals import Principal, principal_for
from appliance.db.engine import read_session, write_session
from appliance.db.tables import DirectoryAccount, DirectoryGroup, DirectorySync, User
from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.context import Appliance

_INVALID = ("auth.invalid", "unknown user or wrong password")


def _invalid() -> BelfortError:
    return BelfortError(*_INVALID, hint="check the user name and password", status=401)


def _groups_of(conn: Any, app: Appliance, dn: str) -> list[ldap.DirectoryGroupEntry]:
    """The groups `dn` is in, nested ones too: breadth-first up the member links (loops end)."""
    cfg = app.settings.ldap
    found: dict[str, ldap.DirectoryGroupEntry] = {}
    frontier = [dn]
    while frontier:
        ors = "".join(f"({cfg.member_attribute}={ldap.escape(m)})" for m in frontier[:200])
        frontier = frontier[200:]
        for gdn, a in ldap.search(conn, cfg.group_base or cfg.user_base, f"(&{cfg.group_filter}(|{ors}))",
                                  ["cn", cfg.sid_attribute]):
            key = ldap.norm_dn(gdn)
            if key not in found:
                cn = (a.get("cn") or [b""])[0]
                name = cn.decode("utf-8", "replace") if isinstance(cn, bytes) else str(cn)
                found[key] = ldap.DirectoryGroupEntry(gdn, name or gdn, ldap.sid_text(a.get(cfg.sid_attribute)))
                frontier.append(gdn)
    return list(found.values())


class LdapIdentityProvider:
    name = "ldap"

    def __init__(self, app: Appliance) -> None:
        self.app = app

    def authenticate(self, username: str, password: str) -> Principal:
        cfg = self.app.settings.ldap
        if not username or not password:  # an empty password would be an anonymous bind that "succeeds"
            raise _invalid()
        conn = ldap.connect(cfg)
        try:
            found = ldap.users(conn, cfg, cfg.user_filter.replace("{username}", ldap.escape(username)))
            if len(found) != 1:
                raise _invalid()
            person = found[0]
            ldap.connect(cfg, person.dn, password).unbind()  # the password check: a bind as the user
            entries = _groups_of(conn, self.app, person.dn)
        finally:
            conn.unbind()
        return self._store(person, entries)

    def _store(self, person: ldap.DirectoryUser, entries: list[ldap.DirectoryGroupEntry]) -> Principal:
        cfg = self.app.settings.ldap
        with write_session(self.app.db) as session:
            changes: list[dict[str, Any]] = []
            user = _account(session, person, changes)
            if user is None:
                raise _invalid()
            ids = mirror_groups(session, entries, changes, retire=False)
            wanted = {ids[ldap.norm_dn(e.dn)] for e in entries}
            directory_ids = set(session.exec(select(DirectoryGroup.group_id)).all())
            apply_user(session, cfg, user, person, wanted, directory_ids, changes)
            if not user.active:
                raise _invalid()
            session.flush()
            return principal_for(session, user)


def provider_for(app: Appliance, username: str) -> LdapIdentityProvider | None:
    """The directory for everyone but local accounts when one is configured; None: sign in locally."""
    if not app.settings.ldap.url:
        return None
    with read_session(app.db) as session:
        user = session.exec(select(User).where(User.username == username)).first()
    if user is not None and user.auth_source == "local":
        return None
    return LdapIdentityProvider(app)


@dataclass(frozen=True)
class ProviderStatus:
    configured: bool
    url: str
    security: str
    reachable: bool
    detail: str
    users: int
    groups: int
    last_sync: DirectorySync | None


def provider_status(app: Appliance, *, probe: bool = True) -> ProviderStatus:
    """What the admin console shows: the directory, whether it answers now, the mirrored counts and the last sync."""
    cfg = app.settings.ldap
    reachable, detail = False, ""
    if cfg.url and probe:
        try:
            ldap.connect(cfg).unbind()
            reachable = True
        except BelfortError as exc:
            detail = exc.message
    with read_session(app.db) as session:
        users = len(session.exec(select(DirectoryAccount.user_id)).all())
        groups = len(session.exec(select(DirectoryGroup.group_id)).all())
        last = session.exec(select(DirectorySync).order_by(col(DirectorySync.id).desc())).first()
    return ProviderStatus(bool(cfg.url), cfg.url, cfg.security, reachable, detail, users, groups, last)


def last_sync_at(app: Appliance) -> datetime | None:
    with read_session(app.db) as session:
        row = session.exec(select(DirectorySync).order_by(col(DirectorySync.id).desc())).first()
    return row.finished_at if row is not None else None
