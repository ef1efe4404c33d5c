"""An OpenAI-compatible llama.cpp server for one provisioned catalog model (`belfort model-server`).

llama-cpp-python's own server (`llama_cpp.server`, the `[server]` extra) serves the model; Belfort
only resolves and checks the file first (offline, the catalog's sha256, as the in-process engine
does), turns off the interruption of a running answer by the next request (several appliances share
one server), adds `GET /health`, answered without waiting for the model (the pool's probe), and
accepts OpenAI's structured-output request (`response_format` of type `json_schema`, what the
openai-compatible engine sends, as vLLM and llama.cpp's own llama-server read it): llama-cpp-python's
server knows only `{"type": "json_object", "schema": ...}` and refuses the standard form with a 500,
so the wrapper rewrites it before the server reads the body, and the schema still becomes a grammar.
Every completion reads its prompt whole (`read_whole`), so the same prompt gives the same output
whatever request came before, as in process.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.base import ModelError
from models.catalog import file_sha256


@dataclass(frozen=True)
class ServedModel:
    name: str  # the alias the server answers to (the catalog name)
    path: Path
    sha256: str
    embedder: bool  # a catalog embedder: /v1/embeddings is on


def served_model(models_dir: Path, name: str) -> ServedModel:
    """The GGUF of catalog model `name` (or a folder / .gguf path), present and with its pinned checksum."""
    from models.catalog import get_entry
    from models.llamacpp import find_gguf
    from models.registry import llm_model_file

    path, expected = llm_model_file(models_dir, name)
    path = find_gguf(path)
    actual = file_sha256(path)
    if expected and expected.lower() != actual:
        raise ModelError("llm.checksum_mismatch",
                         f"{path.name} has sha256 {actual[:12]}…, expected {expected[:12]}…",
                         hint="the file is damaged or a different model: provision it again")
    try:
        embedder = get_entry(name).kind == "embedder"
    except ModelError:
        embedder = False
    return ServedModel(name, path, actual, embedder)


def server_app(model: ServedModel, *, threads: int = 0, n_ctx: int = 4096, gpu_layers: int = 0,
               embedding: bool = False, api_key: str = "") -> Any:
    """The FastAPI app of llama_cpp.server for `model`, loaded (seconds), with `/health`."""
    try:
        from llama_cpp.server.app import create_app
        from llama_cpp.server.settings import ModelSettings, ServerSettings
    except ImportError as exc:
        raise ModelError("llm.server_missing", "llama-cpp-python's server is not installed",
                         hint="pip install 'llama-cpp-python[server]' (see pyproject.toml)") from exc
    kw: dict[str, Any] = {"model": str(model.path), "model_alias": model.name, "n_ctx": n_ctx,
                          "n_gpu_layers": gpu_layers, "embedding": embedding or model.embedder, "verbose": False}
    if threads > 0:
        kw |= {"n_threads": threads, "n_threads_batch": threads}
    settings = ModelSettings(**kw)
    server = ServerSettings(interrupt_requests=False, api_key=api_key or None)
    try:
        app = create_app(server_settings=server, model_settings=[settings])
    except (ValueError, RuntimeError) as exc:
        raise ModelError("llm.load_failed", f"llama.cpp could not load {model.path.name}: {exc}",
                         hint="check the file with `belfort models verify`; provision it again") from exc

    async def health() -> dict[str, str]:
        return {"status": "ok", "model": model.name, "sha256": model.sha256}

    app.add_api_route("/health", health, methods=["GET"])
    from llama_cpp.server import app as served

    proxy = served._llama_proxy  # create_app set it: the one model this server loaded
    if proxy is None:
        raise ModelError("llm.load_failed", f"llama.cpp's server did not load {model.path.name}",
                         hint="check the file with `belfort models verify`; provision it again")
    read_whole(proxy())
    return StructuredOutput(app)


def read_whole(llama: Any) -> None:
    """Every completion of the served `llama` reads its prompt whole, as the in-process engine does
    (models.llamacpp.LlamaCppLLM.stream): llama.cpp's sums depend on how a prompt is cut into batches,
    and a prefix kept from the request before moves the cut, so the same prompt could give another
    output after another request. The server runs one completion at a time (its lock), so nothing
    comes between the reset and the completion."""
    for name in ("create_chat_completion", "create_completion"):
        method = getattr(llama, name)

        def whole(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            llama.reset()
            return _method(*args, **kwargs)

        setattr(llama, name, whole)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def as_llama_cpp_format(body: bytes) -> bytes:
    """A chat request whose response_format is OpenAI's `json_schema` in llama-cpp-python's form
    (`json_object` with the schema); any other body unchanged (bad JSON is the server's to refuse)."""
    try:
        request = json.loads(body)
    except ValueError:
        return body
    fmt = request.get("response_format") if isinstance(request, dict) else None
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return body
    spec = fmt.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, dict) else None
    request["response_format"] = {"type": "json_object"} | ({"schema": schema} if isinstance(schema, dict) else {})
    return json.dumps(request).encode()


class StructuredOutput:
    """ASGI wrapper: POST /v1/chat/completions bodies pass through as_llama_cpp_format."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("method") != "POST" or \
                not str(scope.get("path", "")).endswith("/chat/completions"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left before sending its body
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = as_llama_cpp_format(b"".join(chunks))
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A receive() that gives `messages` first, then defers to `then` (a disconnect is seen later)."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive
