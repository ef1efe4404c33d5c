"""Server-side web sessions: the signed cookie only names a session; this table says whether it lives.

Sign-out ends the session here, so a copied cookie stops working at once; a new password or disabling
the user ends all of that user's sessions. The cookie carries a random id and the table its sha256,
so a copy of the database does not yield usable cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from appliance.access.principals import Principal, principal_for
from appliance.db.engine import read_session, write_session
from appliance.db.tables import User, WebSession, utcnow

if TYPE_CHECKING:
    from appliance.context import Appliance

SESSION_HOURS = 10  # one working day; the cookie's max-age is the same
_KEEP_ENDED_DAYS = 7  # ended and expired rows are pruned after this


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start(app: Appliance, user_id: int, *, client: str = "") -> str:
    """A new session for `user_id`; returns the id the cookie carries (shown nowhere else)."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    with write_session(app.db) as session:
        session.exec(delete(WebSession).where(WebSession.expires_at < now - timedelta(days=_KEEP_ENDED_DAYS)))  # type: ignore[arg-type]
        session.add(WebSession(sid_hash=_hash(sid), user_id=user_id, client=client[:64], created_at=now,
                               expires_at=now + timedelta(hours=SESSION_HOURS)))
    return sid


def principal(app: Appliance, user_id: int, sid: str) -> Principal | None:
    """The Principal of a live session; None when it was ended, has expired, or its user is disabled."""
    if not sid:
        return None
    with read_session(app.db) as session:
        row = session.exec(select(WebSession).where(WebSession.sid_hash == _hash(sid))).first()
        if row is None or row.user_id != user_id or row.revoked_at is not None or row.expires_at <= utcnow():
            return None
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        return principal_for(session, user)


def end(app: Appliance, sid: str) -> None:
    """Sign-out: this session stops working everywhere, also in a copied cookie."""
    if not sid:
        return
    with write_session(app.db) as session:
        session.exec(update(WebSession).where(col(WebSession.sid_hash) == _hash(sid),
                                              col(WebSession.revoked_at).is_(None)).values(revoked_at=utcnow()))


def end_all(session: Session, user_id: int) -> int:
    """Every session of a user (new password, disabled user); runs inside the caller's transaction."""
    result = session.exec(update(WebSession).where(col(WebSession.user_id) == user_id,
                                                   col(WebSession.revoked_at).is_(None)).values(revoked_at=utcnow()))
    return int(result.rowcount or 0)

