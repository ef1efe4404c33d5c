"""One contract for every LLM engine: the fake, llama.cpp (SmolLM2 fixture) and an OpenAI-compatible
endpoint (a tiny server on 127.0.0.1 standing in for llama.cpp server / vLLM)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from models.base import LLM, ChatMessage, ModelError
from models.fakes import FakeLLM
from models.openai_compat import OpenAICompatLLM
from tests.llm_fixture import require_smollm

SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
MESSAGES = [ChatMessage("system", "You are a helpful assistant. Answer in one short sentence."),
            ChatMessage("user", "What is the capital of France?")]


class _Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if body.get("response_format"):
            pieces = ['{"answer": ', '"Paris"}']
        else:
            pieces = ["The capital", " of France", " is Paris."]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(b": keep-alive\n\n")
        for p in pieces[: max(1, body.get("max_tokens", 99))]:
            event = {"choices": [{"index": 0, "delta": {"content": p}}]}
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture(scope="module")
def smollm() -> LLM:
    from models.llamacpp import LlamaCppLLM

    # One thread: on a busy 2-core CI box, two llama.cpp threads spin against each other (15x slower).
    return LlamaCppLLM(require_smollm(), n_ctx=1024, n_threads=1, n_batch=256)


@pytest.fixture(params=["fake", pytest.param("llama-cpp", marks=pytest.mark.llm),
                        pytest.param("openai-compatible", marks=pytest.mark.enable_socket)])
def engine(request: pytest.FixtureRequest) -> LLM:
    if request.param == "fake":
        return FakeLLM("The capital of France is Paris.")
    if request.param == "llama-cpp":
        return request.getfixturevalue("smollm")
    return OpenAICompatLLM(request.getfixturevalue("endpoint"), "served-model", api_key="k")


def test_is_an_llm_with_name_and_checksum(engine: LLM) -> None:
    assert isinstance(engine, LLM)
    assert engine.name


def test_stream_yields_text_pieces(engine: LLM) -> None:
    pieces = list(engine.stream(MESSAGES, max_tokens=24, temperature=0.0))
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces).strip()


def test_json_schema_output_parses(engine: LLM) -> None:
    text = "".join(engine.stream(MESSAGES, max_tokens=48, temperature=0.0, json_schema=SCHEMA))
    data = json.loads(text)
    assert isinstance(data, dict) and isinstance(data["answer"], str)


def test_max_tokens_bounds_the_output(engine: LLM) -> None:
    assert len(list(engine.stream(MESSAGES, max_tokens=2, temperature=0.0))) <= 3


def test_consumer_may_stop_early_and_ask_again(engine: LLM) -> None:
    gen = engine.stream(MESSAGES, max_tokens=24)
    next(iter(gen))
    gen.close()  # a client that disconnects mid-stream
    assert "".join(engine.stream(MESSAGES, max_tokens=8)).strip()


# --- engine-specific failures -------------------------------------------------------------------


def test_llamacpp_missing_file_and_bad_checksum(tmp_path: Path) -> None:
    from models.llamacpp import LlamaCppLLM

    with pytest.raises(ModelError) as err:
        LlamaCppLLM(tmp_path / "absent.gguf")
    assert err.value.code == "llm.model_missing" and err.value.hint
    with pytest.raises(ModelError) as err:
        LlamaCppLLM(tmp_path)  # a folder without a .gguf
    assert err.value.code == "llm.model_missing"
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF not really")
    with pytest.raises(ModelError) as err:
        LlamaCppLLM(broken, expected_sha256="0" * 64)
    assert err.value.code == "llm.checksum_mismatch"


@pytest.mark.llm
def test_llamacpp_reports_sha256_and_busy(smollm: Any) -> None:
    from models.catalog import get_entry
    from models.llamacpp import ModelBusy

    assert smollm.sha256 == get_entry("smollm2-135m-instruct-q4_1").main_file.sha256
    assert smollm.lock.acquire()
    try:
        with pytest.raises(ModelBusy):
            list(smollm.stream(MESSAGES, max_tokens=4, timeout=0.05))
    finally:
        smollm.lock.release()


@pytest.mark.llm
def test_llamacpp_reads_every_prompt_whole(smollm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No prefix is kept from the request before: the same prompt gives the same output after any other."""
    evaluated: list[int] = []
    eval_ = smollm._llama.eval

    def counting(tokens: Any) -> None:
        evaluated.append(len(tokens))
        eval_(tokens)

    monkeypatch.setattr(smollm._llama, "eval", counting)
    first = "".join(smollm.stream(MESSAGES, max_tokens=6, temperature=0.0))
    prompt_tokens = evaluated[0]
    other = [MESSAGES[0], ChatMessage("user", "Name a large river in Europe.")]
    assert "".join(smollm.stream(other, max_tokens=6, temperature=0.0))
    evaluated.clear()
    again = "".join(smollm.stream(MESSAGES, max_tokens=6, temperature=0.0))
    # The shared system prompt is evaluated again, with the rest, in one batch.
    assert evaluated[0] == prompt_tokens and again == first


@pytest.mark.enable_socket
def test_openai_compat_sends_the_openai_shape(endpoint: str) -> None:
    _Handler.requests.clear()
    llm = OpenAICompatLLM(endpoint, "served-model", api_key="secret")
    "".join(llm.stream(MESSAGES, max_tokens=10, json_schema=SCHEMA, stop=["\n\n"]))
    req = _Handler.requests[-1]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer secret"
    body = req["body"]
    assert body["model"] == "served-model" and body["stream"] is True and body["stop"] == ["\n\n"]
    assert body["messages"][1] == {"role": "user", "content": "What is the capital of France?"}
    assert body["response_format"]["json_schema"]["schema"] == SCHEMA


@pytest.mark.enable_socket
def test_openai_compat_unreachable_and_bad_url() -> None:
    with pytest.raises(ModelError) as err:
        OpenAICompatLLM("gpu-box:8080", "m")
    assert err.value.code == "llm.bad_base_url"
    llm = OpenAICompatLLM("http://127.0.0.1:9/v1", "m", timeout=2)  # discard port: nothing listens
    with pytest.raises(ModelError) as err:
        list(llm.stream(MESSAGES))
    assert err.value.code == "llm.servers_down" and "127.0.0.1:9" in err.value.message
