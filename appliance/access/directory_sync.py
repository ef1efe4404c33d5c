"""The directory group sync: LDAP/AD users and groups (nested groups resolved) mirrored into
Belfort's users, groups and memberships. Only memberships of directory groups are touched; groups
set by hand in Belfort stay. A user the directory no longer knows, or has disabled, is deactivated
(their sessions end). Permissions are read per request, so the next search, answer or download
after a sync already follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from appliance.access import ldap
from appliance.access import sessions as web_sessions
from appliance.db.engine import write_session
from appliance.db.tables import (
    AuditEvent,
    DirectoryAccount,
    DirectoryGroup,
    DirectorySync,
    Group,
    User,
    UserGroup,
    utcnow,
)
from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.context import Appliance
    from appliance.setting_sections import LdapSettings

MAX_CHANGES = 1000  # changes kept on one sync record (the audit log has each user's change too)
_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


@dataclass
class SyncReport:
    ok: bool
    users: int = 0
    groups: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    sync_id: int = 0


def group_name(taken: dict[str, int], cn: str) -> str:
    """A valid, unused Belfort group name for a directory group ('GG Bouw & Ruimte' -> 'GG-Bouw-Ruimte')."""
    base = (_UNSAFE.sub("-", cn).strip("-._@") or "group")[:56]
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def mirror_groups(session: Session, entries: list[ldap.DirectoryGroupEntry],
                  changes: list[dict[str, Any]], *, retire: bool = True) -> dict[str, int]:
    """Directory group DN (normalised) -> Belfort group id, creating groups for new directory groups;
    groups gone from the directory lose their members (the group itself stays, with its history)."""
    known = {ldap.norm_dn(r.dn): r for r in session.exec(select(DirectoryGroup)).all()}
    taken = {name.lower(): int(gid or 0) for gid, name in session.exec(select(Group.id, Group.name)).all()}
    created: list[tuple[ldap.DirectoryGroupEntry, Group]] = []
    out: dict[str, int] = {}
    for e in entries:
        key = ldap.norm_dn(e.dn)
        row = known.pop(key, None)
        if row is None and key not in out:
            group = Group(name=group_name(taken, e.name), description=f"directory: {e.dn}"[:300])
            taken[group.name.lower()] = -1
            created.append((e, group))
            session.add(group)
            out[key] = -1
        elif row is not None:
            if row.sid != e.sid or row.dn != e.dn:
                row.dn, row.sid = e.dn, e.sid
                session.add(row)
            out[key] = row.group_id
    session.flush()  # one flush for every new group: a first sync of thousands of groups stays quick
    for e, group in created:
        assert group.id is not None
        session.add(DirectoryGroup(group_id=group.id, dn=e.dn, sid=e.sid))
        out[ldap.norm_dn(e.dn)] = group.id
        changes.append({"kind": "group.added", "group": group.name, "dn": e.dn})
    for gone in known.values() if retire else ():
        links = session.exec(select(UserGroup).where(UserGroup.group_id == gone.group_id)).all()
        for link in links:
            session.delete(link)
        session.delete(gone)
        changes.append({"kind": "group.removed", "dn": gone.dn, "members": len(links)})
    return out


def _role(cfg: LdapSettings, names: set[str], current: str) -> str:
    if not (cfg.admin_groups or cfg.archivist_groups):
        return current
    lowered = {n.lower() for n in names}
    if lowered & {g.lower() for g in cfg.admin_groups}:
        return "admin"
    if lowered & {g.lower() for g in cfg.archivist_groups}:
        return "archivist"
    return "staff"


def _account(session: Session, person: ldap.DirectoryUser, changes: list[dict[str, Any]]) -> User | None:
    """The Belfort user of a directory user (created on first sight); None when a local account
    already has that name (a directory user never takes over a local, e.g. break-glass, account)."""
    link = session.exec(select(DirectoryAccount).where(DirectoryAccount.dn == person.dn)).first()
    user = session.get(User, link.user_id) if link is not None else None
    if user is None:
        user = session.exec(select(User).where(User.username == person.username)).first()
        if user is not None and user.auth_source != "ldap":
            changes.append({"kind": "user.conflict", "user": person.username,
                            "detail": "a local account has this name; the directory user is not mirrored"})
            return None
    if user is None:
        user = User(username=person.username[:64], display_name=person.display_name, auth_source="ldap",
                    external_id=person.dn[:500])
        session.add(user)
        session.flush()
        changes.append({"kind": "user.added", "user": user.username})
    assert user.id is not None
    link = link or session.get(DirectoryAccount, user.id) or DirectoryAccount(user_id=user.id, dn=person.dn)
    link.dn, link.sid, link.synced_at = person.dn, person.sid, utcnow()
    session.add(link)
    return user


def apply_user(session: Session, cfg: LdapSettings, user: User, person: ldap.DirectoryUser,
               wanted: set[int], directory_ids: set[int], changes: list[dict[str, Any]]) -> None:
    """Set the user's directory-group memberships to `wanted` (other memberships stay), role, activity."""
    assert user.id is not None
    have = {link.group_id: link for link in session.exec(select(UserGroup).where(UserGroup.user_id == user.id)).all()}
    added = sorted(wanted - set(have))
    removed = sorted(g for g in have if g in directory_ids and g not in wanted)
    for gid in added:
        session.add(UserGroup(user_id=user.id, group_id=gid))
    for gid in removed:
        session.delete(have[gid])
    names = dict(session.exec(select(Group.id, Group.name).where(col(Group.id).in_(set(have) | wanted))).all())
    role = _role(cfg, {names[g] for g in wanted if g in names} | _cns(session, wanted), user.role)
    active = not person.disabled
    if not active and user.active:
        web_sessions.end_all(session, user.id)
    if added or removed or role != user.role or active != user.active or person.display_name != user.display_name:
        changes.append({"kind": "user.changed", "user": user.username, "added": [names.get(g, str(g)) for g in added],
                        "removed": [names.get(g, str(g)) for g in removed], "role": role, "active": active})
        session.add(AuditEvent(actor="ldap-sync", action="user.directory_sync", target=user.username,
                               detail={"added": len(added), "removed": len(removed), "role": role, "active": active}))
    user.role, user.active, user.display_name = role, active, person.display_name
    session.add(user)


def _cns(session: Session, group_ids: set[int]) -> set[str]:
    """The directory names (cn) of mirrored groups: role mapping names groups as IT knows them."""
    rows = session.exec(select(DirectoryGroup.dn).where(col(DirectoryGroup.group_id).in_(group_ids))).all()
    return {dn.split(",", 1)[0].split("=", 1)[-1].strip() for dn in rows}


def _retire_missing(session: Session, seen: set[int], directory_ids: set[int], changes: list[dict[str, Any]]) -> None:
    for user in session.exec(select(User).where(User.auth_source == "ldap")).all():
        if user.id is None or user.id in seen or not user.active:
            continue
        for link in session.exec(select(UserGroup).where(UserGroup.user_id == user.id)).all():
            if link.group_id in directory_ids:
                session.delete(link)
        user.active = False
        web_sessions.end_all(session, user.id)
        session.add(user)
        changes.append({"kind": "user.deactivated", "user": user.username, "detail": "no longer in the directory"})


def sync(app: Appliance) -> SyncReport:
    """One full sync. A directory that cannot be read changes nothing (the run is recorded as failed)."""
    cfg = app.settings.ldap
    try:
        conn = ldap.connect(cfg)
        try:
            entries, people = ldap.groups(conn, cfg), ldap.users(conn, cfg)
        finally:
            conn.unbind()
    except BelfortError as exc:
        return _record(app, SyncReport(ok=False, error=f"{exc.code}: {exc.message}"))
    except Exception as exc:  # noqa: BLE001  (any directory error: record it, change nothing)
        return _record(app, SyncReport(ok=False, error=f"ldap.error: {type(exc).__name__}: {exc}"[:500]))
    closure = ldap.memberships(entries)
    report = SyncReport(ok=True, users=len(people), groups=len(entries))
    with write_session(app.db) as session:
        ids = mirror_groups(session, entries, report.changes)
        directory_ids = set(ids.values())
        seen: set[int] = set()
        for person in people:
            user = _account(session, person, report.changes)
            if user is None or user.id is None:
                continue
            seen.add(user.id)
            wanted = {ids[g] for g in closure.get(ldap.norm_dn(person.dn), ()) if g in ids}
            apply_user(session, cfg, user, person, wanted, directory_ids, report.changes)
        _retire_missing(session, seen, directory_ids, report.changes)
    return _record(app, report)


def _record(app: Appliance, report: SyncReport) -> SyncReport:
    with write_session(app.db) as session:
        row = DirectorySync(ok=report.ok, error=report.error, users=report.users, groups=report.groups,
                            changes=report.changes[:MAX_CHANGES], finished_at=utcnow())
        session.add(row)
        session.add(AuditEvent(actor="ldap-sync", action="directory.sync", target=app.settings.ldap.url,
                               detail={"ok": report.ok, "changes": len(report.changes), "error": report.error}))
        session.flush()
        report.sync_id = int(row.id or 0)
    return report
