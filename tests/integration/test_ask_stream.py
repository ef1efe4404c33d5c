"""Ask as server-sent events (POST /ask/stream for the page, POST /api/v1/ask/stream for the API):
token events, then the checked answer, then done; permissions; bad input; client disconnect."""

from __future__ import annotations

import asyncio
import gc
import json
import time
from dataclasses import fields
from typing import Any

import pytest

from appliance.access.principals import SYSTEM
from appliance.ask.payload import AskOut
from appliance.audit import log as audit
from appliance.jobs import queue_for
from models.fakes import FakeLLM
from tests.integration.ask_support import HIDDEN_Q, SPORTHAL_Q, FewTokens, parse_sse
from tests.integration.web_support import bearer, csrf, sign_in
from tests.llm_fixture import require_smollm


@pytest.fixture
def settings(tmp_path):  # type: ignore[no-untyped-def]
    """Token streaming is what free answers do (a larger model writes); a composed answer (CPU
    profile) arrives whole, as the `answer` event (test_composed_answer_arrives_whole)."""
    from tests.conftest import make_settings

    return make_settings(tmp_path, ask={"answer_mode": "free"})


@pytest.fixture(scope="module")
def smollm():  # type: ignore[no-untyped-def]
    from models.llamacpp import LlamaCppLLM

    return FewTokens(LlamaCppLLM(require_smollm(), n_ctx=2048, n_threads=1, n_batch=256), limit=16)


@pytest.fixture
def real_llm(world, smollm):  # type: ignore[no-untyped-def]
    """The real engine handed in at the appliance's seam, taken back after the test (so llama.cpp is
    freed with this module, not during interpreter shutdown)."""
    world.app.engines.set("llm", smollm)
    yield smollm
    world.app.engines.set("llm", None)
    gc.collect()


def page_stream(c: Any, q: str, conv: str = "") -> Any:
    """The page's stream as ask.js opens it: a POST of the form, CSRF token included."""
    return c.stream("POST", "/ask/stream", data={"q": q, "conv": conv, "_csrf_token": csrf(c)})


def _kinds(events: list[tuple[str, Any]]) -> list[str]:
    kinds = [k for k, _ in events]
    # collapse the run of tokens: the order is what matters
    return [k for i, k in enumerate(kinds) if k != "token" or i == 0 or kinds[i - 1] != "token"]


def _check_answer_event(world: Any, events: list[tuple[str, Any]], user: str) -> dict[str, Any]:
    final = dict(events)["answer"]
    assert set(final) == {f.name for f in fields(AskOut)}  # the shape of POST /api/v1/ask
    rec = audit.get_record(world.app, SYSTEM, final["audit_id"])
    assert rec["username"] == user and rec["answer"] == final["answer"]
    return final


@pytest.mark.llm
def test_api_stream_sends_tokens_then_the_checked_answer_then_done(world, real_llm) -> None:  # type: ignore[no-untyped-def]
    smollm = real_llm
    with world.client() as c, c.stream("POST", "/api/v1/ask/stream", json={"question": SPORTHAL_Q},
                                       headers=bearer(world, "anna")) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(r.read().decode())
    assert _kinds(events) == ["token", "answer", "done"], events
    final = _check_answer_event(world, events, "anna")
    streamed = "".join(d["text"] for k, d in events if k == "token")
    rec = audit.get_record(world.app, SYSTEM, final["audit_id"])
    assert streamed.strip() == rec["payload"]["checks"]["raw"]  # what was shown live is what was checked
    assert final["status"] in ("answered", "dont_know") and final["model"] == smollm.name
    assert final["label"].startswith("Antwoord gegenereerd door AI") and final["llm_notice"] == {}


def test_composed_answer_arrives_whole(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from models.fakes import FakeLLM

    composed = world.app.settings.ask.model_copy(update={"answer_mode": "composed"})
    monkeypatch.setattr(world.app, "settings", world.app.settings.model_copy(update={"ask": composed}))
    world.app.engines.set("llm", FakeLLM('{"ids": [1]}'))
    try:
        with world.client() as c, c.stream("POST", "/api/v1/ask/stream", json={"question": SPORTHAL_Q},
                                           headers=bearer(world, "anna")) as r:
            events = parse_sse(r.read().decode())
    finally:
        world.app.engines.set("llm", None)
    assert _kinds(events) == ["answer", "done"], events  # no JSON choice leaks out as tokens
    final = _check_answer_event(world, events, "anna")
    assert final["status"] == "answered" and "{" not in final["answer"]


@pytest.mark.llm
@pytest.mark.usefixtures("real_llm")
def test_page_stream_is_session_authenticated_and_streams(world) -> None:  # type: ignore[no-untyped-def]
    with world.client() as c:
        c.get("/sign-in")
        r = c.post("/ask/stream", data={"q": SPORTHAL_Q, "_csrf_token": csrf(c)}, follow_redirects=False)
        assert r.status_code in (302, 303)  # not signed in: no stream
        sign_in(c, "archie")
        with page_stream(c, SPORTHAL_Q) as r:
            events = parse_sse(r.read().decode())
        assert _kinds(events) == ["token", "answer", "done"], events
        final = _check_answer_event(world, events, "archie")
        # The page swaps in the server-rendered, checked answer.
        fragment = c.get(f"/ask/answer/{final['audit_id']}?fragment=1").text
        assert "Antwoord gegenereerd door AI" in fragment and f'data-audit-id="{final["audit_id"]}"' in fragment


def test_streams_never_carry_a_source_the_user_cannot_read(world) -> None:  # type: ignore[no-untyped-def]
    hidden = world.docs["welzijn"]
    with world.client() as c:
        with c.stream("POST", "/api/v1/ask/stream", json={"question": HIDDEN_Q}, headers=bearer(world, "anna")) as r:
            body = r.read().decode()
        assert "Vertrouwelijk" not in body
        final = dict(parse_sse(body))["answer"]
        assert hidden not in [s["document_id"] for s in final["sources"]]
        assert final["llm_notice"]["code"] == "llm.disabled"  # llm.engine = none in tests
        sign_in(c, "anna")
        with page_stream(c, HIDDEN_Q) as r:
            body = r.read().decode()
        assert "Vertrouwelijk" not in body and f"/documents/{hidden}" not in body
        # wout may read welzijn: the same stream does carry it (the check above can fail).
        with c.stream("POST", "/api/v1/ask/stream", json={"question": HIDDEN_Q}, headers=bearer(world, "wout")) as r:
            final = dict(parse_sse(r.read().decode()))["answer"]
        assert hidden in [s["document_id"] for s in final["sources"]]


def test_page_stream_follow_up_uses_the_conversation(world) -> None:  # type: ignore[no-untyped-def]
    with world.client() as c:
        sign_in(c, "anna")
        with page_stream(c, SPORTHAL_Q) as r:
            first = dict(parse_sse(r.read().decode()))["answer"]["audit_id"]
        with page_stream(c, "En in welke straat?", conv=str(first)) as r:
            second = dict(parse_sse(r.read().decode()))["answer"]["audit_id"]
        fragment = c.get(f"/ask/answer/{second}?fragment=1&conv={first}").text
    used = audit.get_record(world.app, SYSTEM, second)["payload"]["question_used"]
    assert SPORTHAL_Q in used and "welke straat" in used  # no LLM: searched with the previous question
    assert f'data-conv="{first},{second}"' in fragment and "Eerder in dit gesprek" in fragment


def test_stream_bad_input_is_a_coded_error(world) -> None:  # type: ignore[no-untyped-def]
    with world.client() as c:
        sign_in(c, "anna")
        for q, code in (("", "ask.empty_question"), ("x" * 10_000, "ask.question_too_long")):
            with page_stream(c, q) as r:
                assert r.status_code == 200  # ask.js shows an error event where the answer would be
                events = parse_sse(r.read().decode())
            assert [k for k, _ in events] == ["error", "done"]
            err = events[0][1]
            assert err["code"] == code and err["text"] and err["hint"] and err["status"] == 400
        r = c.post("/api/v1/ask/stream", json={"question": "x" * 10_000}, headers=bearer(world, "anna"))
        assert r.status_code == 400 and r.json()["error"]["code"] == "ask.question_too_long"
        assert c.post("/api/v1/ask/stream", json={"question": SPORTHAL_Q}).status_code == 401


async def _stream_then_disconnect(app: Any, token: str, after_tokens: int) -> str:
    """Drive the ASGI app like a server whose client goes away after a few token events."""
    body = json.dumps({"question": SPORTHAL_Q}).encode()
    enough = asyncio.Event()
    received: list[bytes] = []
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": body, "more_body": False}
        await enough.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            received.append(message.get("body", b""))
            if b"".join(received).count(b"event: token") >= after_tokens:
                enough.set()

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/api/v1/ask/stream", "raw_path": b"/api/v1/ask/stream",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()), (b"authorization", f"Bearer {token}".encode())],
    }
    await asyncio.wait_for(app(scope, receive, send), 30)
    return b"".join(received).decode()


def test_disconnect_mid_stream_stops_generation_and_still_audits(world) -> None:  # type: ignore[no-untyped-def]
    from ops.webapp import create_app

    # A slow scripted model (this tests the plumbing around the engine, not the engine): 200 pieces.
    words = " ".join(f"woord{i}" for i in range(200))
    llm = FakeLLM(f"De omgevingsvergunning voor de sporthal werd verleend [1]. {words}", delay=0.02)
    world.app.engines.set("llm", llm)
    queue_for(world.app, immediate=True)  # the web app's jobs run where they are queued
    app = create_app(world.app)
    before = audit.head(world.app)[0]
    body = asyncio.run(_stream_then_disconnect(app, world.tokens["anna"], after_tokens=3))
    assert "event: token" in body and "event: answer" not in body  # the client left before the end
    deadline = time.monotonic() + 20
    while audit.head(world.app)[0] == before and time.monotonic() < deadline:
        time.sleep(0.05)
    count, _ = audit.head(world.app)
    assert count == before + 1, "no audit record after the disconnect"
    rec = audit.get_record(world.app, SYSTEM, count)
    assert rec["username"] == "anna"
    assert rec["payload"]["checks"]["stream"] == "client_disconnected"
    generated = rec["payload"]["checks"]["raw"].split()
    assert 3 <= len(generated) < 100  # generation stopped soon after the client left
    assert llm.lock.acquire(timeout=1)  # and the model is free for the next request
    llm.lock.release()
    assert audit.verify_chain(world.app) == (True, None)


def test_keepalive_while_the_model_reads_and_failures_become_error_events() -> None:
    from appliance.ask.stream import events

    async def collect(run: Any) -> list[bytes]:
        return [m.encode() async for m in events(run, keepalive=0.05)]

    def slow(on_piece: Any) -> dict[str, Any]:
        time.sleep(0.3)  # a long prompt on a small CPU: nothing to send yet
        on_piece("Hallo")
        return {"answer": "Hallo"}

    out = asyncio.run(collect(slow))
    assert out[0].startswith(b": keepalive") and out[-1].startswith(b"event: done")
    assert [m.split(b"\r\n")[0] for m in out if m.startswith(b"event")] == [
        b"event: token", b"event: answer", b"event: done"]

    def broken(on_piece: Any) -> dict[str, Any]:
        raise RuntimeError("secret details of the failure")

    out = asyncio.run(collect(broken))
    assert out[0].startswith(b"event: error") and b'"code": "internal"' in out[0]
    assert b"secret details" not in b"".join(out)  # details go to the log, not to the client
