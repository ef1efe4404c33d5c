"""`POST /api/v1/pii` under hostile input: the size limit comes before any work, the rest is fast.

The security review froze the server with 16,000 characters of "A-" (quadratic address patterns)
while the route accepts 200,000 characters.
"""

from __future__ import annotations

import json
import time

import pytest

from appliance.access import accounts
from appliance.access import tokens as api_tokens
from models.base import Entity
from tests.integration.web_support import PW, World, bearer

MAX_TEXT = 200_000


class CountingTagger:
    """A name tagger that finds nothing and counts its calls: the seam that shows detection ran."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def tag(self, text: str, *, deadline: float | None = None) -> list[Entity]:
        self.calls += 1
        return []


@pytest.fixture
def world(appliance, tmp_path):
    """Only a staff user: the text route needs no documents."""
    w = World(appliance, tmp_path)
    accounts.create_user(appliance, "anna", PW, role="staff", groups=["bouwgroep"])
    w.tokens["anna"] = api_tokens.create_token(appliance, "anna", "tests")
    return w


@pytest.fixture
def tagger(appliance):
    counting = CountingTagger()
    appliance.engines.set("ner", counting)  # the engine seam
    return counting


def test_a_text_over_the_limit_is_refused_before_detection(world, client, tagger):
    r = client.post("/api/v1/pii", json={"text": "A-" * (MAX_TEXT // 2) + "x"}, headers=bearer(world, "anna"))
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "pii.text_too_long"
    assert tagger.calls == 0


def test_a_body_too_large_for_any_allowed_text_is_refused_unread(world, client, tagger):
    body = json.dumps({"text": "a" * (MAX_TEXT * 13)}).encode()
    r = client.post("/api/v1/pii", content=body, headers={**bearer(world, "anna"), "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "request.too_large"  # a JSON body, not a file upload
    assert tagger.calls == 0


@pytest.mark.parametrize("unit", ["A-", "A'", "Aa-", "A ", "1 "])
def test_the_longest_allowed_hostile_text_is_answered_quickly(world, client, tagger, unit):
    text = (unit * MAX_TEXT)[:MAX_TEXT]
    t0 = time.perf_counter()
    r = client.post("/api/v1/pii", json={"text": text}, headers=bearer(world, "anna"))
    elapsed = time.perf_counter() - t0
    assert r.status_code == 201, r.text
    assert tagger.calls == 1
    assert elapsed < 6.0, f"{elapsed:.1f}s for {MAX_TEXT} characters of {unit!r}"  # was hours: quadratic


def test_the_schema_states_the_limit(client):
    schema = client.get("/api/v1/schema/openapi.json").json()
    assert schema["components"]["schemas"]["PiiIn"]["properties"]["text"]["maxLength"] == MAX_TEXT
