"""Name tagging has a time budget (re-review holes A and B): a slow tagger ends in a named error, never
in a partial result or a web thread held for minutes; /pii has a per-user rate limit.

The review froze the server with 8,000 characters of "aaaa " sent to Frog (55 s, one global lock)
and stalled pseudonymised ingest for 138 s, past the cage's limits, with no named failure.
"""

from __future__ import annotations

import threading
import time

import pytest

from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.context import open_appliance
from appliance.privacy.caged import detect_pii_caged
from ingest.types import IngestError
from models.base import Entity, ModelError
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.integration.web_support import PW, World, bearer


class SlowTagger:
    """Takes `seconds` per call, honouring the deadline as Frog does; one call at a time (a lock)."""

    name = "slow"

    def __init__(self, seconds: float, wait: float = 30.0) -> None:
        self.seconds, self.wait, self.lock = seconds, wait, threading.Lock()

    def tag(self, text: str, *, deadline: float | None = None) -> list[Entity]:
        if not self.lock.acquire(timeout=self.wait):
            raise ModelError("ner.busy", "busy")
        try:
            end = time.monotonic() + self.seconds
            if deadline is not None and deadline < end:
                time.sleep(max(0.0, deadline - time.monotonic()))
                raise ModelError("ner.timeout", "ran out of time")
            time.sleep(self.seconds)
            return []
        finally:
            self.lock.release()


def _world(tmp_path, **pii):  # type: ignore[no-untyped-def]
    app = open_appliance(make_settings(tmp_path, pii={"ner": "none", **pii}), embedder=FakeEmbedder())
    w = World(app, tmp_path)
    accounts.create_user(app, "anna", PW, role="staff", groups=["bouwgroep"])
    w.tokens["anna"] = api_tokens.create_token(app, "anna", "tests")
    return app, w


def test_a_text_that_takes_the_tagger_too_long_is_a_named_503(tmp_path):
    app, w = _world(tmp_path, ner_seconds=0.5)
    app.engines.set("ner", SlowTagger(60.0))
    with w.client() as c:
        t0 = time.perf_counter()
        r = c.post("/api/v1/pii", json={"text": "aaaa " * 1600}, headers=bearer(w, "anna"))
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "pii.ner_timeout"
    assert time.perf_counter() - t0 < 5.0


def test_waiting_for_a_busy_tagger_is_bounded_and_says_when_to_retry(tmp_path):
    app, w = _world(tmp_path)
    slow = SlowTagger(3.0, wait=0.3)
    app.engines.set("ner", slow)
    with w.client() as c:
        slow.lock.acquire()  # another request holds the tagger
        try:
            t0 = time.perf_counter()
            r = c.post("/api/v1/pii", json={"text": "Jan Peeters"}, headers=bearer(w, "anna"))
        finally:
            slow.lock.release()
    assert r.status_code == 503 and r.json()["error"]["code"] == "pii.busy", r.text
    assert int(r.headers["Retry-After"]) >= 1
    assert time.perf_counter() - t0 < 3.0


def test_pii_requests_are_rate_limited_per_user(tmp_path):
    _, w = _world(tmp_path, per_user_per_minute=3)
    with w.client() as c:
        codes = [c.post("/api/v1/pii", json={"text": "Jan"}, headers=bearer(w, "anna")).status_code
                 for _ in range(3)]
        r = c.get("/api/v1/documents/1/pii", headers=bearer(w, "anna"))
    assert codes == [201, 201, 201]
    assert r.status_code == 429 and r.json()["error"]["code"] == "pii.rate_limited"
    assert int(r.headers["Retry-After"]) >= 1


def test_pseudonymised_ingest_tagging_runs_under_the_cage_wall_clock(tmp_path):
    app = open_appliance(make_settings(tmp_path, ingest={"stable_seconds": 0.0, "poll_seconds": 0.05,
                                                         "cage_wall_seconds": 1.0}),
                         embedder=FakeEmbedder())
    app.engines.set("ner", SlowTagger(60.0))
    t0 = time.perf_counter()
    with pytest.raises(IngestError) as err:
        detect_pii_caged(app, ["aaaa " * 4000])
    assert err.value.code == "ingest.timeout"  # a named failure: the file goes to failed/
    assert time.perf_counter() - t0 < 5.0
