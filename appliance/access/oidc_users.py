"""Belfort users behind an OIDC provider: created at their first sign-in, their groups and role set from
the mapped claims at every sign-in, deactivated when the provider stops vouching for them.

"Stops knowing them" is judged from what an offline appliance can see without a directory API:
  - a sign-in whose claims map to no Belfort group or role (IT removed them from the Belfort groups, or
    the account's groups are gone) deactivates the user at once and ends their sessions;
  - `sweep()` (belfort admin oidc sweep, the admin console) deactivates users the provider has not
    vouched for in identity.oidc_inactive_days: a removed account cannot sign in, so it ages out;
  - a web session lasts at most one working day, so a removed account loses access by then at the latest.
A user deactivated this way is reactivated when the provider vouches again with mapped claims; a user an
administrator deactivated stays off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from appliance.access import sessions as web_sessions
from appliance.access.accounts import update_user
from appliance.access.oidc_config import map_claims, normalise_mapping
from appliance.access.principals import Principal
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, OidcIdentity, OidcProvider, User, utcnow
from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.context import Appliance

_BAD = re.compile(r"[^A-Za-z0-9._@-]")
AUTO_OFF = "provider"  # OidcIdentity.last_claims["off"] when Belfort (not an admin) deactivated the user


@dataclass(frozen=True)
class SignInRow:
    username: str
    provider: str
    at: datetime | None
    active: bool
    groups: tuple[str, ...]
    role: str


def _values(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name) if name else None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]  # some providers send one joined string
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def _username(provider: OidcProvider, claims: dict[str, Any]) -> str:
    raw = claims.get(provider.username_claim) or claims.get("preferred_username") or claims.get("email") or ""
    name = _BAD.sub("_", str(raw)).lstrip("._@-")[:64]
    return name or f"{provider.name}-{_BAD.sub('_', str(claims['sub']))}"[:64]


def _display(claims: dict[str, Any], fallback: str) -> str:
    name = claims.get("name") or " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")).strip()
    return str(name or fallback)[:200]


def _deactivate(session: Session, user: User, ident: OidcIdentity, actor: str, reason: str) -> None:
    user.active = False
    session.add(user)
    ident.last_claims = {**(ident.last_claims or {}), "off": AUTO_OFF}
    session.add(ident)
    ended = web_sessions.end_all(session, user.id or 0)
    session.add(AuditEvent(actor=actor, action="oidc.deactivate", target=user.username,
                           detail={"reason": reason, "sessions_ended": ended}))


def _link(session: Session, provider: OidcProvider, claims: dict[str, Any]) -> tuple[User, OidcIdentity, bool]:
    """The user behind (provider, sub), created when new; raises when the name belongs to someone else."""
    sub = str(claims["sub"])
    ident = session.exec(select(OidcIdentity).where(OidcIdentity.provider_id == provider.id,
                                                    OidcIdentity.subject == sub)).first()
    if ident is not None:
        user = session.get(User, ident.user_id)
        assert user is not None
        return user, ident, False
    username = _username(provider, claims)
    if session.exec(select(User).where(User.username == username)).first() is not None:
        raise BelfortError("oidc.username_taken", f"the user name '{username}' already belongs to another account",
                           hint="an administrator renames or removes the other account (local accounts are never "
                           "taken over by a provider)", status=409)
    user = User(username=username, display_name=_display(claims, username), role="staff",
                auth_source=f"oidc:{provider.name}", external_id=sub)
    session.add(user)
    session.flush()
    ident = OidcIdentity(user_id=user.id or 0, provider_id=provider.id or 0, subject=sub)
    session.add(AuditEvent(actor=f"oidc:{provider.name}", action="user.create", target=username,
                           detail={"subject": sub}))
    return user, ident, True


def _amr(claims: dict[str, Any]) -> list[str]:
    """The authentication methods the provider names (RFC 8176), kept for the session's second-factor note."""
    amr = claims.get("amr")
    return [m[:100] for m in amr if isinstance(m, str)][:10] if isinstance(amr, list) else []


def provision(app: Appliance, provider: OidcProvider, claims: dict[str, Any]) -> Principal:
    """The Principal for validated claims: create, update or refuse (oidc.not_allowed, oidc.user_disabled)."""
    overage = claims.get("_claim_names")
    if provider.groups_claim and isinstance(overage, dict) and provider.groups_claim in overage:
        # Entra ID leaves the groups out (a link to Graph instead) past 200 of them: not knowing the
        # groups is no reason to switch the account off.
        raise BelfortError("oidc.groups_overage", "the provider sent a link instead of the groups (too many groups)",
                           hint="IT emits only the groups assigned to the Belfort application (Entra ID: token "
                           "configuration, groups claim)", status=403)
    groups, roles = _values(claims, provider.groups_claim), _values(claims, provider.roles_claim)
    mapping = normalise_mapping(provider.mapping or {})
    belfort_groups, role = map_claims(mapping, groups, roles)
    actor = f"oidc:{provider.name}"
    with write_session(app.db) as session:
        user, ident, new = _link(session, provider, claims)
        username = user.username
        refused = mapping["require_mapped"] and not belfort_groups and role is None
        if refused and new:
            session.rollback()  # an unmapped stranger leaves no account behind
        elif refused:
            if user.active:
                _deactivate(session, user, ident, actor, "claims map to no Belfort group or role")
        elif not user.active and (ident.last_claims or {}).get("off") != AUTO_OFF:
            raise BelfortError("oidc.user_disabled", "an administrator switched this account off",
                               hint="ask the Belfort administrator", status=403)
        else:
            user.active = True
            user.display_name = _display(claims, user.username)
            ident.last_sign_in_at = utcnow()
            ident.last_claims = {"groups": groups[:200], "roles": roles[:50],
                                 "amr": _amr(claims)}
            session.add_all([user, ident,
                             AuditEvent(actor=actor, action="oidc.sign_in", target=user.username,
                                        detail={"groups": belfort_groups, "role": role or "staff", "new": new})])
    if refused:
        raise BelfortError("oidc.not_allowed", "your account has no access to Belfort",
                           hint="ask IT to add you to a group that may use Belfort", status=403)
    return update_user(app, username, role=role or "staff", groups=belfort_groups, active=True, actor=actor)


def sweep(app: Appliance, *, days: int | None = None, actor: str = "system") -> list[str]:
    """Deactivate the OIDC users the provider has not vouched for in `days` (identity.oidc_inactive_days);
    returns their names. 0 days does nothing."""
    days = app.settings.identity.oidc_inactive_days if days is None else days
    if days <= 0:
        return []
    cutoff, names = utcnow() - timedelta(days=days), []
    with write_session(app.db) as session:
        for ident in session.exec(select(OidcIdentity)).all():
            user = session.get(User, ident.user_id)
            seen = ident.last_sign_in_at
            if user is None or not user.active or (seen is not None and _aware(seen) >= cutoff):
                continue
            _deactivate(session, user, ident, actor, f"no sign-in through the provider in {days} days")
            names.append(user.username)
    return sorted(names)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def last_sign_ins(app: Appliance, limit: int = 50) -> list[SignInRow]:
    """OIDC users, the most recently signed in first (the admin console)."""
    from appliance.access.accounts import list_users

    users = {u.id: u for u in list_users(app)}
    with read_session(app.db) as session:
        names = dict(session.exec(select(OidcProvider.id, OidcProvider.name)).all())
        rows = session.exec(select(OidcIdentity).order_by(col(OidcIdentity.last_sign_in_at).desc())
                            .limit(limit)).all()
    return [SignInRow(users[r.user_id].username, names.get(r.provider_id, "?"), r.last_sign_in_at,
                      users[r.user_id].active, users[r.user_id].groups, users[r.user_id].role)
            for r in rows if r.user_id in users]
