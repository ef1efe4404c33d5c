"""`models.base.LLM` over an on-premises OpenAI-compatible endpoint (llama.cpp server, vLLM).

Only the configured base_url is ever contacted; the appliance stays offline otherwise. The server
queues requests itself, so no process-level lock is needed here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Unpack

import httpx

from models.base import ChatMessage, ChatOptions, ChatRequest, ModelError


class OpenAICompatLLM:
    def __init__(
        self, base_url: str, model: str, *, api_key: str = "", timeout: float = 120.0,
        sha256: str = "", transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ModelError("llm.bad_base_url", f"invalid llm.base_url '{base_url}'",
                             hint="set llm.base_url to e.g. http://gpu-box:8080/v1")
        self.base_url = base_url.rstrip("/")
        self.name = model
        self.sha256 = sha256  # the server owns the file; IT may pin its checksum in settings
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout,
                                    transport=transport)

    def close(self) -> None:
        self._client.close()

    def stream(self, messages: Sequence[ChatMessage], **options: Unpack[ChatOptions]) -> Iterator[str]:
        req = ChatRequest.of(messages, options)
        body = {"model": self.name} | req.body()
        if req.json_schema is not None:
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "answer", "schema": req.json_schema}}
        try:
            with self._client.stream("POST", "/chat/completions", json=body,
                                     timeout=req.timeout or self._client.timeout) as resp:
                if resp.status_code != 200:
                    resp.read()
                    raise ModelError("llm.endpoint_error",
                                     f"LLM endpoint answered HTTP {resp.status_code}",
                                     hint="check the server log at llm.base_url")
                for line in resp.iter_lines():
                    piece = _delta(line)
                    if piece is None:
                        break
                    if piece:
                        yield piece
        except httpx.TimeoutException as exc:
            raise ModelError("llm.busy", "the LLM endpoint did not answer in time",
                             hint="the server is overloaded; try again") from exc
        except httpx.HTTPError as exc:
            raise ModelError("llm.unreachable", f"cannot reach the LLM endpoint: {type(exc).__name__}",
                             hint="check llm.base_url and that the server runs") from exc


def _delta(line: str) -> str | None:
    """Text of one server-sent event line; '' for keep-alives, None at the end of the stream."""
    line = line.strip()
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        event = json.loads(data)
        choice = event["choices"][0]
    except (ValueError, KeyError, IndexError):
        return ""
    return (choice.get("delta") or {}).get("content") or ""
