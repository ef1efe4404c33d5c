"""Helpers of the Ask page and stream tests: the real SmolLM2 engine with few tokens, SSE parsing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from litestar.testing import TestClient

from models.base import ChatMessage
from tests.integration.web_support import csrf

SPORTHAL_Q = "Wie verleende de omgevingsvergunning voor de sporthal?"
HIDDEN_Q = "Wacht de kinderopvang Zonnebloem op advies?"


class FewTokens:
    """The real engine, asked for at most `limit` tokens (a 2-core CI box; plumbing, not quality)."""

    def __init__(self, llm: Any, limit: int = 24) -> None:
        self._llm = llm
        self.limit = limit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._llm, name)

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int = 512, **kw: Any) -> Iterator[str]:
        return self._llm.stream(messages, max_tokens=min(max_tokens, self.limit), **kw)


def parse_sse(body: str) -> list[tuple[str, Any]]:
    """[(event, data)] of a text/event-stream body (comments skipped, JSON data decoded)."""
    out: list[tuple[str, Any]] = []
    for block in re.split(r"\r?\n\r?\n", body):
        event, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            text = "\n".join(data)
            out.append((event, json.loads(text) if text else None))
    return out


def ask_page(client: TestClient, question: str, conv: str = "", **extra: str):  # type: ignore[no-untyped-def]
    client.get("/ask")
    return client.post("/ask", data={"q": question, "conv": conv, "_csrf_token": csrf(client), **extra})


def audit_id(html: str) -> int:
    m = re.search(r'data-audit-id="(\d+)"', html)
    assert m, "no answer on the page"
    return int(m.group(1))
