"""The openai-compatible engines against a pool of real llama.cpp servers (`belfort model-server`
with the SmolLM2 fixture) and bad ones on loopback: round robin, a server that stops answering is
skipped within the timeout, error statuses and malformed JSON fail over, all down is one coded
error and Ask falls back to an extractive answer; the doctor says which server is down."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from appliance.access.principals import SYSTEM
from appliance.ask.answering import answer
from appliance.checks import check_model_servers
from appliance.context import Appliance, open_appliance
from appliance.documents.ingest import ensure_collection, ingest_file
from models.base import ChatMessage, ModelError
from models.fakes import FakeEmbedder
from models.llama_server import as_llama_cpp_format
from models.openai_asr import OpenAICompatTranscriber, wav_bytes
from models.openai_compat import OpenAICompatEmbedder, OpenAICompatLLM
from ops.cli import main
from tests.conftest import make_settings
from tests.integration.model_servers import ModelServer, bad_server, dead_url, model_servers, silent_server
from tests.llm_fixture import require_smollm

pytestmark = [pytest.mark.llm, pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

HELLO = [ChatMessage("user", "Say hello.")]
TIMEOUT = 2.0  # per request and server


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ModelServer]]:
    require_smollm()
    root = tmp_path_factory.mktemp("model-servers")
    with model_servers(root, 2) as both:
        yield both


def _llm(urls: list[str]) -> OpenAICompatLLM:
    return OpenAICompatLLM(urls, "smollm2-135m-instruct-q4_1", timeout=TIMEOUT, retry_seconds=60)


def test_answers_round_robin_through_the_pool(servers: list[ModelServer]) -> None:
    llm = _llm([s.url for s in servers])
    for _ in range(4):
        assert "".join(llm.stream(HELLO, max_tokens=4, temperature=0.0)).strip()
    assert [s.served for s in llm.pool.servers] == [2, 2]


PICK = [ChatMessage("user", "Sentences: 1 cats purr. 2 dogs bark. 3 fish swim. Which ids say what barks?")]
IDS = {"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "integer", "enum": [1, 2, 3]},
                                                "maxItems": 3}},
       "required": ["ids"], "additionalProperties": False}


def test_constrained_output_reaches_each_server_as_a_grammar(servers: list[ModelServer]) -> None:
    # What Ask's composed answer sends (OpenAI's json_schema response format): each server answers
    # JSON of the schema, and no request fails over (llama-cpp-python alone refused it with a 500).
    llm = OpenAICompatLLM([s.url for s in servers], "smollm2-135m-instruct-q4_1", timeout=60, retry_seconds=60)
    for _ in servers:
        out = json.loads("".join(llm.stream(PICK, max_tokens=24, temperature=0.0, json_schema=IDS)))
        assert set(out) == {"ids"} and set(out["ids"]) <= {1, 2, 3} and len(out["ids"]) <= 3
    assert [s.served for s in llm.pool.servers] == [1, 1]


def test_only_the_standard_structured_output_form_is_rewritten() -> None:
    standard = {"messages": [], "response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": IDS}}}
    assert json.loads(as_llama_cpp_format(json.dumps(standard).encode()))["response_format"] == {
        "type": "json_object", "schema": IDS}
    for body in (b'{"messages": []}', b'{"response_format": {"type": "text"}}', b"not json", b"[1]",
                 json.dumps({"response_format": {"type": "json_object", "schema": IDS}}).encode()):
        assert as_llama_cpp_format(body) == body


def test_a_server_that_stops_answering_is_skipped_within_the_timeout(servers: list[ModelServer]) -> None:
    llm = _llm([s.url for s in servers])
    with servers[0].stopped():
        started = time.monotonic()
        text = "".join(llm.stream(HELLO, max_tokens=4, temperature=0.0))
        took = time.monotonic() - started
        # The timeout, then the next server's answer (not the 30 s default, nor a hang).
        assert text.strip() and TIMEOUT * 0.9 <= took < TIMEOUT + 8.0, took
        assert llm.pool.servers[0].failures == 1 and "in time" in llm.pool.servers[0].last_error
        # Marked down: the next requests, its turn included, go straight to the other server (no second
        # failure counted, no waiting).
        for _ in range(2):
            assert "".join(llm.stream(HELLO, max_tokens=4, temperature=0.0)).strip()
        assert llm.pool.servers[0].failures == 1
    assert llm.pool.servers[1].served == 3


@pytest.mark.parametrize("mode", ["500", "malformed", "silent", "dead"])
def test_bad_servers_fail_over_to_a_good_one(servers: list[ModelServer], mode: str) -> None:
    with _bad(mode) as bad:
        llm = _llm([bad, servers[1].url])
        assert "".join(llm.stream(HELLO, max_tokens=4, temperature=0.0)).strip()
        reason = llm.pool.servers[0].last_error
        assert reason == {"500": "HTTP 500", "malformed": "malformed JSON in the answer stream",
                          "silent": reason, "dead": "unreachable (ConnectError)"}[mode]
        assert mode != "silent" or "in time" in reason


def _bad(mode: str):  # type: ignore[no-untyped-def]
    from contextlib import nullcontext

    if mode == "silent":
        return silent_server()
    if mode == "dead":
        return nullcontext(dead_url())
    return bad_server(mode)


DOC = ("The recycling park on Station Street is open from Monday to Saturday, from 9 am to 5 pm. "
       "Garden waste is accepted free of charge.")


def test_all_down_is_a_coded_error_and_ask_answers_extractively(tmp_path: Path) -> None:
    with silent_server() as silent:
        settings = make_settings(tmp_path, llm={"engine": "openai-compatible", "model": "m"},
                                 model_servers={"llm": [silent, dead_url()], "timeout_seconds": 1.0})
        app = open_appliance(settings, embedder=FakeEmbedder())
        with pytest.raises(ModelError) as err:
            "".join(app.llm.stream(HELLO, max_tokens=4))  # type: ignore[union-attr]
        assert err.value.code == "llm.servers_down" and silent in err.value.message
        ensure_collection(app, "afval")
        (tmp_path / "park.txt").write_text(DOC, "utf-8")
        assert ingest_file(app, tmp_path / "park.txt", "afval").ok
        ans = answer(app, SYSTEM, "When is the recycling park open?")
        assert ans.status == "extractive" and "9 am to 5 pm" in ans.text
        # Both marked down: Ask did not wait for their timeouts again (no new failure was counted).
        assert [s.failures for s in app.llm.pool.servers] == [1, 1]  # type: ignore[union-attr]


def test_the_configured_pool_answers_and_embeds(servers: list[ModelServer], tmp_path: Path) -> None:
    with bad_server("500") as broken:
        settings = make_settings(
            tmp_path, llm={"engine": "openai-compatible", "model": "smollm2-135m-instruct-q4_1"},
            search={"embedder": "openai-compatible", "embedder_model": "smollm2-135m-instruct-q4_1"},
            model_servers={"llm": [s.url for s in servers], "embedder": [broken, servers[0].url],
                           "timeout_seconds": 10.0})
        app = Appliance(settings)
        llm = app.llm
        assert isinstance(llm, OpenAICompatLLM) and len(llm.pool.servers) == 2
        assert "".join(llm.stream(HELLO, max_tokens=4, temperature=0.0)).strip()
        emb = app.embedder
        assert isinstance(emb, OpenAICompatEmbedder) and emb.id == "openai-compatible:smollm2-135m-instruct-q4_1"
        vecs = emb.embed_passages(["The recycling park opens at 9.", "Garden waste is free.", "Paris"])
        assert vecs.shape == (3, emb.dim) and emb.dim > 100
        assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
        assert not np.allclose(vecs[0], vecs[2])
        one, again = emb.embed_queries(["Paris"]), emb.embed_queries(["Paris"])
        assert np.allclose(one, again, atol=1e-4)  # the same text, the same vector
        assert emb.pool.servers[0].last_error == "HTTP 500"


def test_transcription_fails_over_and_shifts_times(tmp_path: Path) -> None:
    audio = tmp_path / "window.wav"
    t = np.arange(16000 * 3) / 16000
    audio.write_bytes(wav_bytes((0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)))
    with bad_server("malformed") as bad, bad_server("transcription") as good:
        asr = OpenAICompatTranscriber([bad, good], "whisper-large-v3", timeout=TIMEOUT)
        segs = list(asr.transcribe(audio, language="nl", offset=1.0, duration=2.0))
        assert [(s.start, s.end, s.text) for s in segs] == [(1.0, 2.5, "Goedemorgen raad.")]
        assert asr.pool.servers[0].last_error == "malformed JSON" and asr.name == "openai-compatible:whisper-large-v3"


def test_doctor_says_which_server_is_down(servers: list[ModelServer], tmp_path: Path) -> None:
    down = dead_url()
    settings = make_settings(tmp_path, llm={"engine": "openai-compatible"},
                             model_servers={"llm": [servers[0].url, down]})
    checks = check_model_servers(settings)
    by_url = {c.message.split(": ")[0]: c for c in checks if c.name == "model_server.llm"}
    assert by_url[servers[0].url].ok and not by_url[down].ok and "unreachable" in by_url[down].message
    assert "belfort model-server" in by_url[down].hint
    total = next(c for c in checks if c.name == "model_servers.llm")
    assert total.ok and total.message == "1 of 2 llm server(s) up" and not total.required


def test_model_server_refuses_a_damaged_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "models" / "smollm2-135m-instruct-q4_1"
    folder.mkdir(parents=True)
    (folder / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(b"GGUF damaged copy")
    monkeypatch.setenv("BELFORT_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("BELFORT_DATA_DIR", str(tmp_path / "data"))
    assert main(["model-server", "--model", "smollm2-135m-instruct-q4_1", "--port", "1"]) == 2
    assert "llm.checksum_mismatch" in capsys.readouterr().err
    assert main(["model-server", "--model", "no-such-model", "--port", "1"]) == 2
    assert "unknown" in capsys.readouterr().err


def test_the_served_model_reads_every_prompt_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in process (test_llamacpp_reads_every_prompt_whole): no prefix is kept from the request before,
    # so the same prompt gives the same output whatever another appliance asked in between.
    from llama_cpp.server import app as served
    from starlette.testclient import TestClient

    from models.llama_server import ServedModel, server_app
    from tests.llm_fixture import SMOLLM_NAME, smollm_path

    require_smollm()
    path = smollm_path()
    assert path is not None
    app = server_app(ServedModel(SMOLLM_NAME, path, "", False), threads=1, n_ctx=512)
    llama = served._llama_proxy()
    evaluated: list[int] = []
    eval_ = llama.eval
    monkeypatch.setattr(llama, "eval", lambda tokens: (evaluated.append(len(tokens)), eval_(tokens))[1])
    system = {"role": "system", "content": "You are a helpful assistant. Answer in one short sentence."}

    def ask(question: str) -> str:
        body = {"model": SMOLLM_NAME, "messages": [system, {"role": "user", "content": question}],
                "max_tokens": 6, "temperature": 0.0}
        with TestClient(app) as client:
            reply = client.post("/v1/chat/completions", json=body)
        assert reply.status_code == 200
        return str(reply.json()["choices"][0]["message"]["content"])

    first = ask("What is the capital of France?")
    prompt_tokens = evaluated[0]
    assert ask("Name a large river in Europe.")
    evaluated.clear()
    # The shared system prompt is evaluated again, with the rest, in one batch.
    assert ask("What is the capital of France?") == first and evaluated[0] == prompt_tokens
