"""The second factor of local accounts: TOTP (RFC 6238, via pyotp) with single-use recovery codes.

Administrators with a local account must enrol (identity.admin_second_factor); others may. Accounts
signed in through an OIDC provider get their second factor from that provider. Every code check is
rate-limited per account and per client address (rate_limits.reserve_second_factor); a TOTP code is
accepted once (the last accepted 30-second step is kept), a recovery code once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyotp
from sqlalchemy import delete
from sqlmodel import Session, select

from appliance.access import rate_limits
from appliance.access.sealing import reseal, seal, unseal
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, RecoveryCode, TotpFactor, User, utcnow
from appliance.errors import BelfortError, NotFound

if TYPE_CHECKING:
    from appliance.context import Appliance

ISSUER = "Belfort"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed from paper


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str  # otpauth://totp/Belfort:<user>?secret=...&issuer=Belfort


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())[:32]


def _user(app: Appliance, username: str) -> User:
    with read_session(app.db) as session:
        user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.id is None:
        raise NotFound("accounts.no_user", f"no user '{username}'", hint="belfort admin create-user")
    return user


def is_enrolled(app: Appliance, user_id: int) -> bool:
    with read_session(app.db) as session:
        factor = session.get(TotpFactor, user_id)
        return factor is not None and factor.confirmed_at is not None


def required(app: Appliance, user: User) -> bool:
    """Must this local account pass a second factor before its session starts?"""
    if user.auth_source != "local":
        return False
    return (user.role == "admin" and app.settings.identity.admin_second_factor) or is_enrolled(app, user.id or 0)


def begin(app: Appliance, username: str) -> Enrolment:
    """A new secret for `username` (kept unconfirmed until a first right code); a confirmed factor stays
    until it is reset, so an open enrolment page cannot replace a working one."""
    user = _user(app, username)
    with write_session(app.db) as session:
        factor = session.get(TotpFactor, user.id)
        if factor is not None and factor.confirmed_at is not None:
            raise BelfortError("totp.already_enrolled", "this account already has a second factor",
                               hint="an administrator can reset it: belfort admin totp-reset USER", status=409)
        if factor is None or not factor.secret:
            secret = pyotp.random_base32()
            factor = TotpFactor(user_id=user.id or 0, secret=seal(app, secret))  # sealed: the key is outside the DB
            session.add(factor)
        else:
            secret = unseal(app, factor.secret)
    return Enrolment(secret, pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER))


def pending_enrolment(app: Appliance, username: str) -> Enrolment | None:
    """The unconfirmed secret begin() made (read only: the enrolment page is a GET)."""
    user = _user(app, username)
    with read_session(app.db) as session:
        factor = session.get(TotpFactor, user.id)
    if factor is None or not factor.secret or factor.confirmed_at is not None:
        return None
    secret = unseal(app, factor.secret)
    return Enrolment(secret, pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER))


def _accept_totp(factor: TotpFactor, secret: str, code: str, now: float) -> bool:
    """A right code of the current step or one next to it (clock drift), never an earlier-used step."""
    totp = pyotp.TOTP(secret)
    step = int(now // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if candidate > factor.last_step and secrets.compare_digest(totp.generate_otp(candidate), code):
            factor.last_step = candidate
            return True
    return False


def _check(app: Appliance, user: User, code: str, client: str, *, confirming: bool) -> list[str]:
    attempt, delay = rate_limits.reserve_second_factor(app, user.username, client)
    if delay:
        time.sleep(delay)
    code, codes = _normalise(code), []
    with write_session(app.db) as session:
        factor = session.get(TotpFactor, user.id)
        ok = False
        if factor is not None and factor.secret and (factor.confirmed_at is not None) != confirming:
            secret = unseal(app, factor.secret)
            ok = code.isdigit() and len(code) == 6 and _accept_totp(factor, secret, code, time.time())
            if not ok and not confirming:
                ok = _use_recovery_code(session, user.id or 0, code, user.username)
            if ok and confirming:
                factor.confirmed_at = utcnow()
                codes = _new_recovery_codes(session, user.id or 0)
                session.add(AuditEvent(actor=user.username, action="totp.enrol", target=user.username, detail={}))
            factor.secret = reseal(app, factor.secret)  # a plain secret from before sealing is sealed now
            session.add(factor)
    if not ok:
        raise BelfortError("auth.second_factor_invalid", "wrong or already used code",
                           hint="type the current six-digit code of your authenticator app, or a recovery code",
                           status=401)
    rate_limits.finish_sign_in(app, attempt)
    return codes


def confirm(app: Appliance, username: str, code: str, *, client: str = "") -> list[str]:
    """Confirm an enrolment with a first right code; returns the recovery codes (shown once)."""
    return _check(app, _user(app, username), code, client, confirming=True)


def verify(app: Appliance, username: str, code: str, *, client: str = "") -> None:
    """The second step of a sign-in: a current TOTP code or an unused recovery code, else
    auth.second_factor_invalid (401) or auth.rate_limited (429)."""
    _check(app, _user(app, username), code, client, confirming=False)


def _use_recovery_code(session: Session, user_id: int, code: str, username: str) -> bool:
    row = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user_id,
                                                  RecoveryCode.code_hash == _hash(code),
                                                  RecoveryCode.used_at == None)).first()
    if row is None:
        return False
    row.used_at = utcnow()
    session.add(row)
    session.add(AuditEvent(actor=username, action="totp.recovery_code_used", target=username, detail={}))
    return True


def _new_recovery_codes(session: Session, user_id: int) -> list[str]:
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))  # type: ignore[arg-type]
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user_id, code_hash=_hash(_normalise(raw))))
    return codes


def recovery_codes_left(app: Appliance, user_id: int) -> int:
    with read_session(app.db) as session:
        return len(session.exec(select(RecoveryCode.id).where(RecoveryCode.user_id == user_id,
                                                              RecoveryCode.used_at == None)).all())


def reset(app: Appliance, username: str, *, actor: str) -> None:
    """Remove a user's second factor and recovery codes (a lost phone); an admin enrols again at the next
    sign-in."""
    user = _user(app, username)
    with write_session(app.db) as session:
        session.exec(delete(TotpFactor).where(TotpFactor.user_id == user.id))  # type: ignore[arg-type]
        session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))  # type: ignore[arg-type]
        session.add(AuditEvent(actor=actor, action="totp.reset", target=username, detail={}))


@dataclass(frozen=True)
class FactorState:
    local: bool  # a local account (OIDC accounts get their second factor from the provider)
    enrolled: bool
    recovery_codes_left: int
    required: bool


def state_of(app: Appliance, user_id: int) -> FactorState:
    with read_session(app.db) as session:
        user = session.get(User, user_id)
    if user is None:
        raise NotFound("accounts.no_user", "no such user", hint="sign in again")
    enrolled = is_enrolled(app, user_id)
    return FactorState(user.auth_source == "local", enrolled, recovery_codes_left(app, user_id),
                       user.auth_source == "local" and (enrolled or required(app, user)))


def step_for(app: Appliance, user_id: int) -> str | None:
    """What a sign-in with a right password still needs: 'verify' (a code), 'enrol' (an administrator
    without a second factor yet) or None."""
    with read_session(app.db) as session:
        user = session.get(User, user_id)
    if user is None or not required(app, user):
        return None
    return "verify" if is_enrolled(app, user_id) else "enrol"
