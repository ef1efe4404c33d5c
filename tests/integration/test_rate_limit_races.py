"""Rate limits hold under concurrency (re-review of issue 19, hole E): 40 wrong sign-ins sent at once
for one user from one address got 10 password checks against a limit of 5, because the count was read
in one transaction and the failure written in another."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from appliance.access import accounts, rate_limits
from appliance.access.principals import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from tests.integration.web_support import PW

ATTEMPTS = 20


class CountingProvider:
    """An identity provider that counts how many attempts reach the password check, all wrong."""

    name = "counting"

    def __init__(self) -> None:
        self.checks = 0
        self._lock = threading.Lock()

    def authenticate(self, username: str, password: str) -> Principal:
        with self._lock:
            self.checks += 1
        time.sleep(0.05)  # a password hash takes time: the window in which the others arrive
        raise BelfortError("auth.invalid", "unknown user or wrong password", status=401)


def _at_once(fn, n: int = ATTEMPTS) -> list[str]:  # type: ignore[no-untyped-def]
    start = threading.Barrier(n)

    def one(_: int) -> str:
        start.wait()
        try:
            fn()
        except BelfortError as exc:
            return exc.code
        return "ok"

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_concurrent_wrong_sign_ins_get_no_more_checks_than_the_limit(appliance: Appliance) -> None:
    limit = appliance.settings.web.sign_in_attempts_per_minute
    provider = CountingProvider()
    codes = _at_once(lambda: accounts.authenticate(appliance, "anna", "gok", provider, client="10.6.6.6"))
    assert provider.checks <= limit, f"{provider.checks} password checks against a limit of {limit}"
    assert codes.count("auth.invalid") == provider.checks
    assert codes.count("auth.rate_limited") == ATTEMPTS - provider.checks


def test_a_right_password_after_the_race_still_counts_as_success(appliance: Appliance) -> None:
    """A reserved attempt that succeeds is not a failure: the user may keep signing in."""
    accounts.create_user(appliance, "anna", PW)
    limit = appliance.settings.web.sign_in_attempts_per_minute
    for _ in range(limit + 2):
        assert accounts.authenticate(appliance, "anna", PW, client="10.0.0.7").username == "anna"
    assert rate_limits.sign_in_delay(appliance, "anna", "10.0.0.7") == 0.0


def test_concurrent_questions_get_no_more_than_the_ask_limit(appliance: Appliance) -> None:
    """Ask counts and checks in one write transaction; this pins that it stays so."""
    per_user = appliance.settings.web.ask_per_user_per_minute
    who = Principal(user_id=1, username="anna", role="staff")
    codes = _at_once(lambda: rate_limits.check_ask(appliance, who, "10.0.0.7"))
    assert codes.count("ok") == min(per_user, appliance.settings.web.ask_per_client_per_minute)
    assert codes.count("ask.rate_limited") == ATTEMPTS - codes.count("ok")
