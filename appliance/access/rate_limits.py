"""Rate limits per account and per client address: sign-in, Ask and PII detection.

Sign-in: failures are counted per (user name, client address) and per client address, so a guesser
elsewhere cannot lock the real user out; failures of one user from all addresses together only slow
every further attempt down (growing to MAX_DELAY_S), never lock. Ask: questions per user and per client
address per minute. Counts live in SQLite so every web process sees the same numbers.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func
from sqlmodel import Session, select

from appliance.db.engine import read_session, write_session
from appliance.db.tables import RateEvent, SignInAttempt, utcnow
from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.access.principals import Principal
    from appliance.context import Appliance

ACCOUNT_WINDOW = timedelta(minutes=15)
MAX_DELAY_S = 5.0
WINDOW = timedelta(minutes=1)  # Ask and PII requests are counted per minute
_KEEP = timedelta(days=1)  # rows older than this are pruned while counting


class RateLimited(BelfortError):
    """A 429 that says when to come back (Retry-After)."""

    def __init__(self, code: str, message: str, *, hint: str, retry_after: int) -> None:
        super().__init__(code, message, hint=hint, status=429)
        self.retry_after = max(1, retry_after)

    def __reduce__(self) -> tuple[object, ...]:
        return (_restore, (self.code, self.message, self.hint, self.retry_after))


def _restore(code: str, message: str, hint: str, retry_after: int) -> RateLimited:
    return RateLimited(code, message, hint=hint, retry_after=retry_after)


def _wait(oldest: datetime | None, window: timedelta, now: datetime) -> int:
    return math.ceil(((oldest + window) - now).total_seconds()) if oldest is not None else 1


def _failures(session: Session, since: datetime, *conds: object) -> tuple[int, datetime | None]:
    where = (SignInAttempt.ok == False, SignInAttempt.at >= since, *conds)
    count, oldest = session.exec(
        select(func.count(), func.min(SignInAttempt.at)).select_from(SignInAttempt).where(*where)  # type: ignore[arg-type]
    ).one()
    return int(count), _aware(oldest)


def _aware(value: datetime | str | None) -> datetime | None:
    """MIN() over a datetime column comes back as stored text; the ORM would have parsed it."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=utcnow().tzinfo)


def _sign_in_limits(app: Appliance, session: Session, username: str, client: str, now: datetime) -> float:
    """Seconds to wait before checking one more attempt's password; raises auth.rate_limited (429) when
    this address has failed too often for this user name or for all user names together. Attempts
    whose password is still being checked count as failures."""
    web = app.settings.web
    hint = "wait a little and try again; ask an administrator if you forgot your password"
    pair, oldest = _failures(session, now - timedelta(minutes=1), SignInAttempt.username == username,
                             SignInAttempt.client == client)
    if pair >= web.sign_in_attempts_per_minute:
        raise RateLimited("auth.rate_limited", "too many failed sign-ins for this user from this address",
                          hint=hint, retry_after=_wait(oldest, timedelta(minutes=1), now))
    spread, oldest = _failures(session, now - timedelta(hours=1), SignInAttempt.client == client)
    if spread >= web.sign_in_client_attempts_per_hour:
        raise RateLimited("auth.rate_limited", "too many failed sign-ins from this address",
                          hint=hint, retry_after=_wait(oldest, timedelta(hours=1), now))
    account, _ = _failures(session, now - ACCOUNT_WINDOW, SignInAttempt.username == username)
    excess = account - web.sign_in_slowdown_after
    return 0.0 if excess < 0 else min(MAX_DELAY_S, 0.25 * (excess + 1))


def sign_in_delay(app: Appliance, username: str, client: str) -> float:
    """What the next attempt would wait (or its 429), without counting it."""
    with read_session(app.db) as session:
        return _sign_in_limits(app, session, username, client, utcnow())


def reserve_sign_in(app: Appliance, username: str, client: str) -> tuple[int, float]:
    """Check the limits and count this attempt as a failure in one write transaction, before its
    password is checked: attempts sent at once cannot all pass a count that none has raised yet.
    Returns the attempt's id (for finish_sign_in) and the seconds to wait before the check."""
    now = utcnow()
    with write_session(app.db) as session:
        delay = _sign_in_limits(app, session, username, client, now)
        attempt = SignInAttempt(username=username, client=client, ok=False, at=now)
        session.add(attempt)
        session.exec(delete(SignInAttempt).where(SignInAttempt.at < now - _KEEP))  # type: ignore[arg-type]
        session.flush()
        assert attempt.id is not None
        return attempt.id, delay


def reserve_second_factor(app: Appliance, username: str, client: str) -> tuple[int, float]:
    """reserve_sign_in for the second step (a TOTP or recovery code), counted under '2fa:<user>': the same
    per-address limits, and a hard per-account limit (identity.second_factor_attempts_per_account per 15
    minutes, all addresses together), since six digits fall to a patient guesser who only gets slowed."""
    key, now = f"2fa:{username}", utcnow()
    with read_session(app.db) as session:
        account, oldest = _failures(session, now - ACCOUNT_WINDOW, SignInAttempt.username == key)
    if account >= app.settings.identity.second_factor_attempts_per_account:
        raise RateLimited("auth.rate_limited", "too many wrong codes for this account",
                          hint="wait a quarter of an hour, or use a recovery code later",
                          retry_after=_wait(oldest, ACCOUNT_WINDOW, now))
    return reserve_sign_in(app, key, client)


def finish_sign_in(app: Appliance, attempt_id: int) -> None:
    """The reserved attempt's password was right: it no longer counts as a failure."""
    with write_session(app.db) as session:
        attempt = session.get(SignInAttempt, attempt_id)
        if attempt is not None:
            attempt.ok = True
            session.add(attempt)


def _count_in_window(app: Appliance, kind: str, keys: list[tuple[str, int, str]], *, code: str, noun: str,
                     hint: str) -> None:
    """Count one event of `kind` under each key, in one write transaction (so events sent at once cannot
    all pass a count none has raised yet); raises `code` (429, with retry_after) when any key already
    had its limit in the last minute. A refused event is not counted."""
    now = utcnow()
    with write_session(app.db) as session:
        session.exec(delete(RateEvent).where(RateEvent.at < now - _KEEP))  # type: ignore[arg-type]
        for key, limit, whom in keys:
            count, oldest = session.exec(
                select(func.count(), func.min(RateEvent.at)).select_from(RateEvent)
                .where(RateEvent.kind == kind, RateEvent.key == key, RateEvent.at >= now - WINDOW)
            ).one()
            if count >= limit:
                raise RateLimited(code, f"{whom} {count} {noun} in the last minute", hint=hint,
                                  retry_after=_wait(_aware(oldest), WINDOW, now))
        for key, _, _ in keys:
            session.add(RateEvent(kind=kind, key=key, at=now))


def check_ask(app: Appliance, who: Principal, client: str) -> None:
    """Count one question, per user and per client address (web.ask_per_*_per_minute)."""
    web = app.settings.web
    _count_in_window(app, "ask", [(f"user:{who.username}", web.ask_per_user_per_minute, "you asked"),
                                  (f"client:{client}", web.ask_per_client_per_minute, "this address asked")],
                     code="ask.rate_limited", noun="questions", hint="wait a moment before the next question")


def check_pii(app: Appliance, who: Principal) -> None:
    """Count one PII detection request per user (pii.per_user_per_minute): Frog is one shared engine."""
    _count_in_window(app, "pii", [(f"user:{who.username}", app.settings.pii.per_user_per_minute, "you asked for")],
                     code="pii.rate_limited", noun="PII detections", hint="wait a moment, or send fewer, longer texts")
