"""An NTFS ACL as Belfort readers: allowed SIDs resolved to directory groups and users (via their
objectSid from the LDAP sync), deny entries kept as deny entries, well-known SIDs understood, and
SIDs that name nobody Belfort knows reported."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlmodel import Session, select

from appliance.db.tables import DirectoryAccount, DirectoryGroup
from appliance.shares.smb import Ace

EVERYONE = "a0"  # the principal key every reader has (appliance.index.acl)
EVERYONE_SIDS = {"S-1-1-0", "S-1-5-11", "S-1-5-32-545"}  # Everyone, Authenticated Users, BUILTIN\Users
# Service and administrative principals: Belfort's administrators read everything anyway, and none of
# these is a person who reads documents through Belfort. Not reported as unresolved.
IGNORED_SIDS = {"S-1-5-18", "S-1-5-19", "S-1-5-20", "S-1-5-32-544", "S-1-5-32-551", "S-1-3-0", "S-1-3-1",
                "S-1-5-32-549", "S-1-5-32-550", "S-1-22-2-0"}


@dataclass
class Readers:
    allow: list[tuple[str, str]] = field(default_factory=list)  # (principal key, SID)
    deny: list[tuple[str, str]] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """Everyone who reads the collection reads the file, and nobody is denied: no own readers."""
        return any(k == EVERYONE for k, _ in self.allow) and not self.deny

    def fingerprint(self) -> str:
        text = repr((sorted(self.allow), sorted(self.deny), sorted(self.unresolved)))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _key(session: Session, sid: str, cache: dict[str, str | None]) -> str | None:
    if sid in cache:
        return cache[sid]
    key: str | None = None
    if sid in EVERYONE_SIDS or (sid.startswith("S-1-5-21-") and sid.endswith("-513")):  # Domain Users
        key = EVERYONE
    else:
        group = session.exec(select(DirectoryGroup).where(DirectoryGroup.sid == sid)).first()
        if group is not None:
            key = f"g{group.group_id}"
        else:
            account = session.exec(select(DirectoryAccount).where(DirectoryAccount.sid == sid)).first()
            key = f"u{account.user_id}" if account is not None else None
    cache[sid] = key
    return key


def readers_of(session: Session, aces: list[Ace] | None, cache: dict[str, str | None]) -> Readers:
    """Who reads a file with these ACL entries (None: a null DACL, open to everyone)."""
    out = Readers()
    if aces is None:
        out.allow.append((EVERYONE, "S-1-1-0"))
        return out
    for ace in aces:
        if not ace.reads or not ace.sid or ace.sid in IGNORED_SIDS:
            continue
        key = _key(session, ace.sid, cache)
        if key is None:
            if ace.sid not in out.unresolved:
                out.unresolved.append(ace.sid)
            continue
        target = out.deny if ace.deny else out.allow
        if (key, ace.sid) not in target:
            target.append((key, ace.sid))
    return out
