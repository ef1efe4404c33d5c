"""Server-side web sessions: the signed cookie only names a session; this table says whether it lives.

Sign-out ends the session here, so a copied cookie stops working at once; a new password or disabling
the user ends all of that user's sessions. The cookie carries a random id and the table its sha256,
so a copy of the database does not yield usable cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from appliance.access.principals import Principal, principal_for
from appliance.db.engine import read_session, write_session
from appliance.db.tables import OidcIdentity, User, WebSession, utcnow

if TYPE_CHECKING:
    from appliance.context import Appliance

SESSION_HOURS = 10  # one working day; the cookie's max-age is the same
_KEEP_ENDED_DAYS = 7  # ended and expired rows are pruned after this


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


# RFC 8176 methods that are a factor beside a password, and AD FS's "multiple authentication" URI.
_MFA_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "tel", "sc", "pop", "fpt", "face", "iris", "retina", "vbm"})


def provider_factor(amr: object) -> str:
    """What an OIDC provider's `amr` claim says: provider-mfa, password (methods named, none a second
    factor) or provider (no claim: the provider's own policy decides, Belfort cannot tell)."""
    if not isinstance(amr, list) or not amr:
        return "provider"
    methods = {str(m).lower() for m in amr}
    return "provider-mfa" if methods & _MFA_AMR or any(m.endswith("multipleauthn") for m in methods) else "password"


def _factor_of(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    if user is not None and user.auth_source.startswith("oidc:"):
        ident = session.get(OidcIdentity, user_id)
        return provider_factor((ident.last_claims or {}).get("amr") if ident is not None else None)
    return "none"


def start(app: Appliance, user_id: int, *, client: str = "", second_factor: str = "") -> str:
    """A new session for `user_id`; returns the id the cookie carries (shown nowhere else).
    `second_factor`: 'totp' after a local account's code; empty: taken from the account (see WebSession)."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    with write_session(app.db) as session:
        session.exec(delete(WebSession).where(WebSession.expires_at < now - timedelta(days=_KEEP_ENDED_DAYS)))  # type: ignore[arg-type]
        session.add(WebSession(sid_hash=_hash(sid), user_id=user_id, client=client[:64], created_at=now,
                               expires_at=now + timedelta(hours=SESSION_HOURS),
                               second_factor=second_factor or _factor_of(session, user_id)))
    return sid


@dataclass(frozen=True)
class AdminSignIn:
    username: str
    auth_source: str  # local | ldap | oidc:<provider>
    second_factor: str  # none | password (see WebSession.second_factor)
    at: datetime


def admins_without_second_factor(app: Appliance, days: int = 7) -> list[AdminSignIn]:
    """Active administrators whose last sign-in of the past `days` proved no second factor (an LDAP
    password, a local admin with identity.admin_second_factor off, a provider that says password only):
    `belfort doctor` and the admin console warn so IT knows."""
    since = utcnow() - timedelta(days=days)
    out = []
    with read_session(app.db) as session:
        admins = session.exec(select(User).where(User.role == "admin", User.active == True)).all()
        for user in admins:
            last = session.exec(select(WebSession).where(WebSession.user_id == user.id,
                                                         col(WebSession.created_at) >= since)
                                .order_by(col(WebSession.created_at).desc())).first()
            if last is not None and last.second_factor in ("none", "password"):
                out.append(AdminSignIn(user.username, user.auth_source, last.second_factor, last.created_at))
    return sorted(out, key=lambda a: a.username)


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

