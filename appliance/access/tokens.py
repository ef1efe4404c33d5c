"""API tokens: shown once, stored as sha256, with scopes, an expiry and revocation by id.

Scopes narrow what a token may do and never widen the user's role:
  read    search, documents, minutes, tickets, recordings, jobs and everything else that only reads
  ask     Ask (also streamed), feedback on answers, forwarding an answer to a department
  ingest  uploads, web-form intake, recordings, retrying failed files, redaction, routing triage items
  admin   the user's admin powers (without it an admin's token acts as an archivist: no reading of
          every collection)
  metrics GET /metrics (Prometheus): operational figures only, no content; any role may hold it, so
          IT can scrape with a token of a monitoring account that reads nothing else. Never a default.
Every API route names its scope (appliance.api.auth); a route without one is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import select

from appliance.access.principals import Principal, principal_for
from appliance.db.engine import read_session, write_session
from appliance.db.tables import ApiToken, AuditEvent, User, utcnow
from appliance.errors import BelfortError, Forbidden, NotFound

if TYPE_CHECKING:
    from appliance.context import Appliance

TOKEN_PREFIX = "blf_"
SCOPES = ("read", "ask", "ingest", "admin", "metrics")
DEFAULT_SCOPES = ("read", "ask", "ingest", "admin")  # metrics is given only when asked for
_LAST_USED_EVERY = timedelta(minutes=5)  # last_used_at is written at most this often per token


@dataclass(frozen=True)
class TokenInfo:
    id: int
    username: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    state: str  # active | expired | revoked


def role_scopes(role: str) -> tuple[str, ...]:
    """What a token of this role may be given: every scope, admin only for admins."""
    return SCOPES if role == "admin" else tuple(s for s in SCOPES if s != "admin")


def default_scopes(role: str) -> tuple[str, ...]:
    """What a token of this role gets when no scope is named."""
    return tuple(s for s in role_scopes(role) if s in DEFAULT_SCOPES)


def parse_scopes(text: str | Iterable[str]) -> tuple[str, ...]:
    items = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    names = {s.strip().lower() for s in items if s.strip()}
    unknown = sorted(names - set(SCOPES))
    if unknown or not names:
        raise BelfortError("auth.invalid_scope", f"unknown or no scope: {', '.join(unknown) or '(none)'}",
                           hint="use one or more of " + ", ".join(SCOPES) + ", comma-separated")
    return tuple(s for s in SCOPES if s in names)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(session: object, actor: str, action: str, target: str, **detail: object) -> None:
    session.add(AuditEvent(actor=actor, action=action, target=target, detail=dict(detail)))  # type: ignore[attr-defined]


def create_token(app: Appliance, username: str, name: str, *, scopes: str | Iterable[str] | None = None,
                 expires_days: int | None = None, actor: str = "system") -> str:
    """A new token for `username` (the secret is returned this once). Scopes default to all the
    user's role allows; the lifetime to web.token_days."""
    days = app.settings.web.token_days if expires_days is None else expires_days
    if not 1 <= days <= 3650:
        raise BelfortError("auth.invalid_expiry", f"a token lives 1 to 3650 days, not {days}",
                           hint="pass --expires-days between 1 and 3650")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_session(app.db) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None or user.id is None:
            raise NotFound("accounts.no_user", f"no user '{username}'", hint="belfort admin create-user")
        chosen = default_scopes(user.role) if scopes is None else parse_scopes(scopes)
        beyond = [s for s in chosen if s not in role_scopes(user.role)]
        if beyond:
            raise BelfortError("auth.scope_beyond_role", f"the role {user.role} cannot have the scope "
                               f"{', '.join(beyond)}", hint="give the user the admin role first, or drop the scope")
        now = utcnow()
        session.add(ApiToken(user_id=user.id, name=name[:100], token_hash=_hash(token), scopes=",".join(chosen),
                             created_at=now, expires_at=now + timedelta(days=days)))
        _audit(session, actor, "token.create", username, name=name[:100], scopes=list(chosen), days=days)
    return token


def _state(row: ApiToken, now: datetime) -> str:
    if row.revoked:
        return "revoked"
    return "active" if row.expires_at is not None and row.expires_at > now else "expired"


def list_tokens(app: Appliance, username: str | None = None) -> list[TokenInfo]:
    """Every token (never its secret), newest first; only those of `username` when given."""
    now = utcnow()
    with read_session(app.db) as session:
        names = dict(session.exec(select(User.id, User.username)).all())
        rows = session.exec(select(ApiToken).order_by(ApiToken.id.desc())).all()  # type: ignore[union-attr]
        return [
            TokenInfo(r.id or 0, names.get(r.user_id, "?"), r.name, tuple(s for s in r.scopes.split(",") if s),
                      r.created_at, r.expires_at, r.last_used_at, _state(r, now))
            for r in rows if username is None or names.get(r.user_id) == username
        ]


def revoke_token(app: Appliance, token: int | str, *, actor: str = "system") -> TokenInfo:
    """Revoke by id (CLI, admin console) or by the secret itself (its holder)."""
    with write_session(app.db) as session:
        if isinstance(token, int) or str(token).isdigit():
            row = session.get(ApiToken, int(token))
        else:
            row = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(str(token)))).first()
        if row is None:
            raise NotFound("auth.no_token", "no such token", hint="belfort admin list-tokens shows the ids")
        row.revoked = True
        session.add(row)
        user = session.get(User, row.user_id)
        _audit(session, actor, "token.revoke", str(row.id), user=user.username if user else "")
        return TokenInfo(row.id or 0, user.username if user else "?", row.name, tuple(row.scopes.split(",")),
                         row.created_at, row.expires_at, row.last_used_at, "revoked")


def _invalid() -> BelfortError:
    return BelfortError("auth.invalid_token", "the API token is unknown, revoked or expired",
                        hint="ask an administrator for a new token: belfort admin create-token", status=401)


def principal_for_token(app: Appliance, token: str, scope: str | None = None) -> Principal:
    """The Principal a token acts as. Raises auth.invalid_token (401) for unknown, revoked, expired or
    disabled tokens and auth.token_scope (403) when `scope` is not among the token's scopes."""
    if not token.startswith(TOKEN_PREFIX):
        raise _invalid()
    now = utcnow()
    with read_session(app.db) as session:
        row = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
        if row is None or _state(row, now) != "active":
            raise _invalid()
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            raise _invalid()
        who = principal_for(session, user)
        granted = set(row.scopes.split(",")) & set(role_scopes(user.role))
        stale = row.last_used_at is None or row.last_used_at < now - _LAST_USED_EVERY
    if scope is not None and scope not in granted:
        raise Forbidden("auth.token_scope", f"this token lacks the scope '{scope}'",
                        hint=f"create a token with --scope {scope} (its scopes: {', '.join(sorted(granted))})")
    if stale:
        with write_session(app.db) as session:
            fresh = session.get(ApiToken, row.id)
            if fresh is not None:
                fresh.last_used_at = now
                session.add(fresh)
    if who.role == "admin" and "admin" not in granted:
        who = dataclasses.replace(who, role="archivist")  # the admin's powers stay with admin-scoped tokens
    return who
