"""Ask changes state (runs the model, writes the audit trail): only a POST with the CSRF token starts
it, and it is rate limited per user and per client address (issue 19, finding 10). Also: no page
reached with GET writes to the database, so no cross-site link or image can change anything."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from appliance.audit import log as audit
from appliance.context import open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.integration.ask_support import SPORTHAL_Q, ask_page, parse_sse
from tests.integration.web_support import bearer, build_world, client_from, csrf, sign_in
from tests.minutes_support import make_minutes
from tests.unit.triage_items import add_item, use_taxonomy


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


def audit_events(app: Any) -> list[AuditEvent]:
    with read_session(app.db) as s:
        return list(s.exec(select(AuditEvent)).all())


def _get_routes(world: Any) -> list[str]:
    from ops.webapp import create_app

    paths = []
    for route in create_app(world.app).routes:
        if "GET" not in getattr(route, "methods", ()) or route.path.startswith(("/api/", "/static")):
            continue
        path = re.sub(r"\{[a-z_]+:int\}", "1", route.path)
        paths.append(re.sub(r"\{[a-z_]+:str\}", "x", path))
    return [*paths, "/minutes/1/export/md"]


TAXONOMY = """
departments:
  - {key: omgeving, name: Dienst Omgeving}
categories:
  - {key: wegschade, department: omgeving, description: Schade aan wegen., required_fields: [address]}
"""
DETAIL_PAGES = ("/ask/answer/1", "/documents/1", "/tickets/1", "/recordings/1", "/minutes/1",
                "/minutes/1/export/md", "/redactions/1", "/triage/items/1", "/admin/audit/1")


def _detail_objects(world: Any) -> None:
    """Object 1 of each kind with a detail page, so that every detail GET really runs (issue 19
    re-review F: opening a triage item stored a draft and wrote an audit event)."""
    from appliance.ask import tickets
    from appliance.documents import redaction_review
    from tests.integration.test_tickets import principal

    app, admin = world.app, principal(world.app, "admin")
    assert tickets.forward(app, admin, 1).id == 1
    assert make_minutes(app)["minutes"] == 1  # recording 1 with its transcript, minutes 1
    assert redaction_review.start_review(app, admin, world.docs["bouw"]).id == 1
    use_taxonomy(app, TAXONOMY, world.tmp)  # item 1 lacks the address its category needs
    assert add_item(app, "Put", "Er zit een diepe put in onze straat.", suggested="wegschade",
                    language="nl") == 1


def test_no_page_reached_with_get_writes_to_the_database(world) -> None:  # type: ignore[no-untyped-def]
    """Every GET of the web UI is safe: state changes need a POST, which needs the CSRF token."""
    writes: list[str] = []
    status: dict[str, int] = {}

    def on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("belfort_write"):
            writes.append(current)

    current = ""
    with world.client() as c:
        sign_in(c, "admin")
        c.post("/ask", data={"q": SPORTHAL_Q, "_csrf_token": csrf(c)})  # answer 1 exists to be read
        _detail_objects(world)
        event.listen(world.app.db, "begin", on_begin)
        try:
            paths = _get_routes(world)
            for current in paths:
                r = c.get(current, follow_redirects=False)
                status[current] = r.status_code
                if current == "/triage/items/1":  # the drafted request is still shown
                    assert "het volledige adres" in r.text and "Dienst Omgeving" in r.text
            current = "POST /sign-out"  # the listener does see a write
            c.post("/sign-out", data={"_csrf_token": csrf(c)})
        finally:
            event.remove(world.app.db, "begin", on_begin)
    assert len(paths) > 20 and {p: status[p] for p in DETAIL_PAGES} == {p: 200 for p in DETAIL_PAGES}
    # One write is on purpose: an export records who took a copy of the minutes (an access record in
    # the audit trail, not a change of the minutes).
    assert writes == ["/minutes/1/export/md", "POST /sign-out"]
    exported = [e for e in audit_events(world.app) if e.action == "minutes.exported"]
    assert [(e.actor, e.target) for e in exported] == [("admin", "minutes:1")]
    assert not [e for e in audit_events(world.app) if e.action == "triage.info_drafted"]
