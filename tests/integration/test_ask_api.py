"""POST /api/v1/ask and its feedback endpoint: permission isolation, error shape, audit."""

from __future__ import annotations

import re

import pytest

from appliance.audit import log as audit
from models.base import ChatMessage
from models.fakes import FakeLLM
from tests.integration.web_support import bearer, build_world


def quote_source_1(messages: list[ChatMessage]) -> str:
    block = re.search(r'<bron nummer="1"[^>]*>\n(.*?)\n</bron>', messages[-1].content, re.DOTALL)
    return f"{block.group(1).strip().rstrip('.')} [1]." if block else "Ik weet het niet."


@pytest.fixture
def world(appliance, tmp_path):  # type: ignore[no-untyped-def]
    w = build_world(appliance, tmp_path)
    w.llm = FakeLLM(quote_source_1)  # type: ignore[attr-defined]
    appliance.engines.set("llm", w.llm)  # type: ignore[attr-defined]
    return w


def test_ask_answers_with_sources_and_audit(world, client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/ask", json={"question": "Wie verleende de omgevingsvergunning voor de sporthal?"},
                    headers=bearer(world, "anna"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "answered" and "[1]" in body["answer"]
    assert body["label"].startswith("Antwoord gegenereerd door AI")
    assert body["sources"][0]["document_id"] == world.docs["bouw"]
    assert body["sources"][0]["view_url"].startswith(f"/documents/{world.docs['bouw']}")
    rec = audit.get_record(world.app, audit_principal(), body["audit_id"])
    assert rec["username"] == "anna"
    fb = client.post(f"/api/v1/ask/{body['audit_id']}/feedback", json={"helpful": True, "comment": "top"},
                     headers=bearer(world, "anna"))
    assert fb.status_code == 201 and fb.json()["id"] > body["audit_id"]
    other = client.post(f"/api/v1/ask/{body['audit_id']}/feedback", json={"helpful": False},
                        headers=bearer(world, "wout"))
    assert other.status_code == 404


def test_ask_never_uses_a_passage_the_caller_cannot_read(world, client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/ask", json={"question": "Wacht de kinderopvang Zonnebloem op advies?"},
                    headers=bearer(world, "anna"))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] in ("dont_know", "answered")
    assert world.docs["welzijn"] not in [s["document_id"] for s in body["sources"]]
    assert "Zonnebloem" not in body["answer"]
    assert all("Zonnebloem" not in m.content for call in world.llm.calls for m in call)


def test_ask_errors_keep_the_api_error_shape(world, client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/ask", json={"question": "  "}, headers=bearer(world, "anna"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "ask.empty_question"
    r = client.post("/api/v1/ask", json={"question": "x" * 10_000}, headers=bearer(world, "anna"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "ask.question_too_long"
    assert client.post("/api/v1/ask", json={"question": "sporthal"}).status_code == 401


def audit_principal():  # type: ignore[no-untyped-def]
    from appliance.access.principals import SYSTEM

    return SYSTEM
