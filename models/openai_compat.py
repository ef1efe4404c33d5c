"""`models.base.LLM` and `Embedder` over on-premises OpenAI-compatible servers (llama.cpp server, vLLM).

One server (`llm.base_url`) or a pool (`model_servers.*`): requests go round robin, a server that
fails is skipped for a while and the next one answers (see `models.pool`). Only the configured
servers are ever contacted; the appliance stays offline otherwise. Each server queues requests
itself, so no process-level lock is needed here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, Unpack

import httpx
import numpy as np

from models.base import ChatMessage, ChatOptions, ChatRequest, ModelError
from models.pool import Server, ServerFailed, ServerPool, http_failure


def as_pool(servers: str | Sequence[str] | ServerPool, kind: str, **kw: Any) -> ServerPool:
    if isinstance(servers, ServerPool):
        return servers
    return ServerPool([servers] if isinstance(servers, str) else list(servers), kind=kind, **kw)


class OpenAICompatLLM:
    def __init__(
        self, servers: str | Sequence[str] | ServerPool, model: str, *, api_key: str = "",
        timeout: float = 120.0, retry_seconds: float = 30.0, sha256: str = "",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.pool = as_pool(servers, "llm", api_key=api_key, timeout=timeout, retry_seconds=retry_seconds,
                            transport=transport)
        self.base_url = self.pool.servers[0].url
        self.name = model
        self.sha256 = sha256  # the server owns the file; IT may pin its checksum in settings

    def close(self) -> None:
        self.pool.close()

    def stream(self, messages: Sequence[ChatMessage], **options: Unpack[ChatOptions]) -> Iterator[str]:
        req = ChatRequest.of(messages, options)
        body = {"model": self.name} | req.body()
        if req.json_schema is not None:
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "answer", "schema": req.json_schema}}
        return self.pool.stream(lambda server, timeout: self._one(server, body, timeout), _broken,
                                timeout=req.timeout)

    def _one(self, server: Server, body: dict[str, Any], timeout: httpx.Timeout) -> Iterator[str]:
        """The pieces of one server's answer; ServerFailed when it fails (the pool tries the next)."""
        try:
            with self.pool.client.stream("POST", server.url + "/chat/completions", json=body,
                                         timeout=timeout) as resp:
                if resp.status_code != 200:
                    resp.read()
                    raise ServerFailed(f"HTTP {resp.status_code}")
                for line in resp.iter_lines():
                    piece = _delta(line)
                    if piece is None:
                        return
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise http_failure(exc) from exc


def _broken(reason: str) -> ModelError:
    return ModelError("llm.stream_broken", f"the LLM server stopped in the middle of its answer: {reason}",
                      hint="ask again: the next server answers")


def _delta(line: str) -> str | None:
    """Text of one server-sent event line; '' for keep-alives and comments, None at the end of the
    stream; ServerFailed for an event that is not the JSON of a chat chunk."""
    line = line.strip()
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        event = json.loads(data)
        choice = event["choices"][0]
        content = (choice.get("delta") or {}).get("content") or ""
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ServerFailed("malformed JSON in the answer stream") from exc
    if not isinstance(content, str):
        raise ServerFailed("malformed JSON in the answer stream")
    return content


# --- embeddings -------------------------------------------------------------------------------

BATCH = 64


class OpenAICompatEmbedder:
    """Vectors from `POST /v1/embeddings`; e5 models get their 'query: '/'passage: ' prefixes here,
    as the in-process e5 engine adds them. L2-normalised on this side (servers differ)."""

    def __init__(self, servers: str | Sequence[str] | ServerPool, model: str, *, api_key: str = "",
                 timeout: float = 60.0, retry_seconds: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.pool = as_pool(servers, "embedder", api_key=api_key, timeout=timeout, retry_seconds=retry_seconds,
                            transport=transport)
        self.name = model
        self.id = f"openai-compatible:{model}"
        self.prefixes = ("query: ", "passage: ") if "e5" in model.lower() else ("", "")
        self._dim = 0

    @property
    def dim(self) -> int:
        """Asked of the servers once (the vector index needs it before the first document)."""
        if not self._dim:
            self._dim = int(self._embed(["dim"]).shape[1])
        return self._dim

    @dim.setter
    def dim(self, value: int) -> None:
        self._dim = value

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._batches([self.prefixes[0] + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._batches([self.prefixes[1] + t for t in texts])

    def _batches(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.vstack([self._embed(texts[i: i + BATCH]) for i in range(0, len(texts), BATCH)])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1, norms)).astype(np.float32)

    def _embed(self, texts: list[str]) -> np.ndarray:
        body = {"model": self.name, "input": texts}
        return self.pool.call(lambda server, timeout: _embeddings(self.pool, server, body, timeout))


def _pooled(embedding: Any) -> np.ndarray:
    """One vector; a model served without pooling gives one per token (llama.cpp): their mean."""
    arr = np.asarray(embedding, dtype=np.float32)
    return arr.mean(axis=0) if arr.ndim == 2 and len(arr) else arr


def _embeddings(pool: ServerPool, server: Server, body: dict[str, Any], timeout: httpx.Timeout) -> np.ndarray:
    try:
        resp = pool.client.post(server.url + "/embeddings", json=body, timeout=timeout)
    except httpx.HTTPError as exc:
        raise http_failure(exc) from exc
    if resp.status_code != 200:
        raise ServerFailed(f"HTTP {resp.status_code}")
    try:
        rows = sorted(resp.json()["data"], key=lambda r: r["index"])
        vectors = np.asarray([_pooled(r["embedding"]) for r in rows], dtype=np.float32)
    except (ValueError, KeyError, TypeError) as exc:
        raise ServerFailed("malformed JSON") from exc
    if vectors.ndim != 2 or len(vectors) != len(body["input"]) or not np.isfinite(vectors).all():
        raise ServerFailed("malformed JSON (not one vector per input)")
    return vectors
