"""Ask changes state (runs the model, writes the audit trail): only a POST with the CSRF token starts
it, and it is rate limited per user and per client address (issue 19, finding 10). Also: no page
reached with GET writes to the database, so no cross-site link or image can change anything."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import event

from appliance.context import open_appliance
from appliance.services import audit
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.integration.ask_support import SPORTHAL_Q, ask_page, parse_sse
from tests.integration.web_support import bearer, build_world, client_from, csrf, sign_in


@pytest.fixture
def world(tmp_path):  # type: ignore[no-untyped-def]
    app = open_appliance(make_settings(tmp_path, web={"ask_per_user_per_minute": 2, "ask_per_client_per_minute": 3}),
                         embedder=FakeEmbedder())
    return build_world(app, tmp_path)


def _records(world: Any) -> int:
    return audit.head(world.app)[0]


def test_a_cross_site_get_or_post_cannot_make_the_user_ask(world) -> None:  # type: ignore[no-untyped-def]
    """Attack (finding 10): <img src="https://belfort/ask/stream?q=..."> on any page a signed-in user
    opened ran the model in their name and wrote the audit trail."""
    with world.client() as c:
        sign_in(c, "anna")
        before = _records(world)
        r = c.get("/ask/stream", params={"q": SPORTHAL_Q})
        assert r.status_code == 405
        r = c.post("/ask/stream", data={"q": SPORTHAL_Q})  # a forged form: no CSRF token
        assert r.status_code == 403
        r = c.post("/ask", data={"q": SPORTHAL_Q, "_csrf_token": "forged"})
        assert r.status_code == 403
        assert _records(world) == before  # nothing ran, nothing was written
        with c.stream("POST", "/ask/stream", data={"q": SPORTHAL_Q, "_csrf_token": csrf(c)}) as r:
            assert dict(parse_sse(r.read().decode()))["answer"]["audit_id"]
        assert _records(world) == before + 1


def test_ask_is_rate_limited_per_user_everywhere(world) -> None:  # type: ignore[no-untyped-def]
    """Attack (finding 10): a script asked without pause and kept the CPU's only model busy for everyone."""
    with world.client() as c:
        for _ in range(2):
            assert c.post("/api/v1/ask", json={"question": SPORTHAL_Q}, headers=bearer(world, "anna")).status_code == 200
        r = c.post("/api/v1/ask", json={"question": SPORTHAL_Q}, headers=bearer(world, "anna"))
        assert r.status_code == 429 and r.json()["error"]["code"] == "ask.rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        r = c.post("/api/v1/ask/stream", json={"question": SPORTHAL_Q}, headers=bearer(world, "anna"))
        assert r.status_code == 429 and r.json()["error"]["code"] == "ask.rate_limited"
        sign_in(c, "anna")
        r = ask_page(c, SPORTHAL_Q)
        assert r.status_code == 429 and "ask.rate_limited" in r.text and "te veel vragen" in r.text
        assert int(r.headers["retry-after"]) >= 1
        with c.stream("POST", "/ask/stream", data={"q": SPORTHAL_Q, "_csrf_token": csrf(c)}) as s:
            events = parse_sse(s.read().decode())
        assert [k for k, _ in events] == ["error", "done"] and events[0][1]["code"] == "ask.rate_limited"
        assert events[0][1]["status"] == 429
        # Another user is not slowed down by anna's questions.
        assert c.post("/api/v1/ask", json={"question": SPORTHAL_Q}, headers=bearer(world, "wout")).status_code == 200


def test_ask_is_rate_limited_per_client_address(world) -> None:  # type: ignore[no-untyped-def]
    with client_from(world, "10.6.6.6") as shared, client_from(world, "10.0.0.7") as other:
        for user in ("anna", "anna", "wout"):
            r = shared.post("/api/v1/ask", json={"question": SPORTHAL_Q}, headers=bearer(world, user))
            assert r.status_code == 200
        r = shared.post("/api/v1/ask", json={"question": SPORTHAL_Q}, headers=bearer(world, "wout"))
        assert r.status_code == 429 and r.json()["error"]["code"] == "ask.rate_limited"
        r = other.post("/api/v1/ask", json={"question": SPORTHAL_Q}, headers=bearer(world, "wout"))
        assert r.status_code == 200


def _get_routes(world: Any) -> list[str]:
    from webui.app import create_app

    paths = []
    for route in create_app(world.app).routes:
        if "GET" not in getattr(route, "methods", ()) or route.path.startswith(("/api/", "/static")):
            continue
        path = re.sub(r"\{[a-z_]+:int\}", "1", route.path)
        paths.append(re.sub(r"\{[a-z_]+:str\}", "x", path))
    return paths


def test_no_page_reached_with_get_writes_to_the_database(world) -> None:  # type: ignore[no-untyped-def]
    """Every GET of the web UI is safe: state changes need a POST, which needs the CSRF token."""
    writes: list[str] = []

    def on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("belfort_write"):
            writes.append(current)

    current = ""
    with world.client() as c:
        sign_in(c, "admin")
        c.post("/ask", data={"q": SPORTHAL_Q, "_csrf_token": csrf(c)})  # answer 1 exists to be read
        event.listen(world.app.db, "begin", on_begin)
        try:
            paths = _get_routes(world)
            for current in paths:
                c.get(current, follow_redirects=False)
            current = "POST /sign-out"  # the listener does see a write
            c.post("/sign-out", data={"_csrf_token": csrf(c)})
        finally:
            event.remove(world.app.db, "begin", on_begin)
    assert len(paths) > 20 and "/ask/answer/1" in paths
    assert writes == ["POST /sign-out"]
