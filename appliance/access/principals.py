"""Who may read what. Every read path (search, snippets, counts, downloads, answers) goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from appliance.db.tables import Collection, CollectionGroup, User, UserGroup
from appliance.errors import Forbidden

# Each role may do what the roles below it may: staff < archivist < admin < system.
ROLE_RANK = {"staff": 0, "archivist": 1, "admin": 2, "system": 3}


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    username: str
    role: str  # staff | archivist | admin | system
    group_ids: frozenset[int] = field(default_factory=frozenset)
    language: str = "nl"

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "system")

    @property
    def can_ingest(self) -> bool:
        return self.role in ("archivist", "admin", "system")

    def has_role(self, role: str) -> bool:
        """At least `role` (an unknown role of the principal has none)."""
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]


SYSTEM = Principal(user_id=None, username="system", role="system")


def require_ingest(who: Principal) -> None:
    """Ingest status, retries and redacted exports are for archivists and administrators."""
    if not who.can_ingest:
        raise Forbidden(
            "auth.forbidden",
            "this needs the role archivist or admin",
            hint="ask an administrator for the archivist role",
        )


def principal_for(session: Session, user: User) -> Principal:
    groups = session.exec(select(UserGroup.group_id).where(UserGroup.user_id == user.id)).all()
    return Principal(user.id, user.username, user.role, frozenset(groups), user.language)


def requester(session: Session, username: str) -> Principal | None:
    """Whose rights a queued job acts with: "system" is SYSTEM; a person's principal is rebuilt now
    (groups may have changed since queueing). None for an unknown or deactivated account: a job
    never falls back to the system's rights."""
    if username == "system":
        return SYSTEM
    user = session.exec(select(User).where(User.username == username)).first()
    return principal_for(session, user) if user is not None and user.active else None


def readable_collection_ids(session: Session, who: Principal) -> set[int]:
    """Admins read everything; others read collections shared with one of their groups."""
    if who.is_admin:
        return {c for c in session.exec(select(Collection.id)).all() if c is not None}
    if not who.group_ids:
        return set()
    rows = session.exec(
        select(CollectionGroup.collection_id).where(CollectionGroup.group_id.in_(who.group_ids))  # type: ignore[attr-defined]
    ).all()
    return set(rows)


def can_read_collection(session: Session, who: Principal, collection_id: int) -> bool:
    return collection_id in readable_collection_ids(session, who)
