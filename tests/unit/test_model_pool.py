"""The model server pool's own rules: round robin, back-off, failover, fail-fast when all are down.
The requests here are plain functions (no HTTP); tests/integration/test_model_servers.py runs the
pool against real llama.cpp servers and bad ones."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from models.base import ModelError
from models.pool import MAX_BACKOFF_FACTOR, Server, ServerFailed, ServerPool

URLS = ["http://a:1/v1", "http://b:1/v1", "http://c:1/v1"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _pool(clock: Clock, urls: list[str] = URLS, retry: float = 10.0) -> ServerPool:
    return ServerPool(urls, kind="llm", timeout=5.0, retry_seconds=retry, clock=clock)


def _answer(down: set[str], seen: list[str]):  # type: ignore[no-untyped-def]
    def request(server: Server, timeout: httpx.Timeout) -> str:
        seen.append(server.url)
        if server.url in down:
            raise ServerFailed("HTTP 500")
        return server.url
    return request


def test_round_robin_spreads_requests_over_every_server() -> None:
    pool = _pool(Clock())
    served = [pool.call(_answer(set(), [])) for _ in range(6)]
    assert served == URLS + URLS
    assert [s.served for s in pool.servers] == [2, 2, 2]


def test_a_failing_server_is_skipped_then_retried_after_its_back_off() -> None:
    clock = Clock()
    pool = _pool(clock)
    seen: list[str] = []
    assert pool.call(_answer({URLS[0]}, seen)) == URLS[1]  # a failed, b answered the same request
    assert seen == URLS[:2]
    seen.clear()
    for _ in range(4):  # while a is down, nobody waits for it
        pool.call(_answer(set(), seen))
    assert URLS[0] not in seen and set(seen) == set(URLS[1:])
    clock.now += 10.0  # its back-off has passed: it gets a request again, and one success marks it up
    seen.clear()
    for _ in range(3):
        pool.call(_answer(set(), seen))
    assert URLS[0] in seen
    assert pool.servers[0].failures == 0 and pool.servers[0].last_error == ""


def test_back_off_doubles_with_each_failure_up_to_a_cap() -> None:
    clock = Clock()
    pool = _pool(clock, URLS[:1], retry=10.0)
    waits = []
    for _ in range(7):
        clock.now = pool.servers[0].down_until or clock.now  # due again: tried, fails again
        with pytest.raises(ModelError):
            pool.call(_answer({URLS[0]}, []))
        waits.append(pool.servers[0].down_until - clock.now)
    assert waits == [10.0, 20.0, 40.0, 80.0, 160.0, 10.0 * MAX_BACKOFF_FACTOR, 10.0 * MAX_BACKOFF_FACTOR]


def test_all_down_is_one_clear_error_and_then_fails_fast() -> None:
    clock = Clock()
    pool = _pool(clock, URLS[:2])
    seen: list[str] = []
    with pytest.raises(ModelError) as err:
        pool.call(_answer(set(URLS), seen))
    assert err.value.code == "llm.servers_down" and seen == URLS[:2]
    assert all(u in err.value.message for u in URLS[:2]) and "HTTP 500" in err.value.message
    assert "belfort doctor" in err.value.hint
    seen.clear()
    with pytest.raises(ModelError) as err:  # marked down, not due: no server is contacted at all
        pool.call(_answer(set(), seen))
    assert err.value.code == "llm.servers_down" and seen == [] and "retried in 10 s" in err.value.message


def _pieces(fail_at: dict[str, int], seen: list[str]):  # type: ignore[no-untyped-def]
    def request(server: Server, timeout: httpx.Timeout) -> Iterator[str]:
        seen.append(server.url)
        for i in range(3):
            if fail_at.get(server.url) == i:
                raise ServerFailed("no answer in time")
            yield f"{server.url}#{i} "
    return request


def _broken(reason: str) -> ModelError:
    return ModelError("llm.stream_broken", reason)


def test_stream_fails_over_before_the_first_piece_only() -> None:
    pool = _pool(Clock())
    seen: list[str] = []
    text = "".join(pool.stream(_pieces({URLS[0]: 0}, seen), _broken))
    assert seen == URLS[:2] and text.startswith(URLS[1]) and text.count("#") == 3
    # A server that fails once its text is out cannot be swapped silently: the caller hears it.
    seen.clear()
    pool2 = _pool(Clock())
    with pytest.raises(ModelError) as err:
        "".join(pool2.stream(_pieces({URLS[0]: 2}, seen), _broken))
    assert err.value.code == "llm.stream_broken" and seen == URLS[:1]
    assert pool2.servers[0].failures == 1


def test_a_consumer_that_stops_early_closes_the_server_stream() -> None:
    closed = []

    def request(server: Server, timeout: httpx.Timeout) -> Iterator[str]:
        try:
            yield from ("a", "b", "c")
        finally:
            closed.append(server.url)

    pool = _pool(Clock())
    stream = pool.stream(request, _broken)
    assert next(stream) == "a"
    stream.close()
    assert closed == URLS[:1] and pool.servers[0].failures == 0


def test_the_per_request_timeout_caps_the_servers_timeout() -> None:
    pool = _pool(Clock())
    got: list[httpx.Timeout] = []

    def request(server: Server, timeout: httpx.Timeout) -> str:
        got.append(timeout)
        return "ok"

    pool.call(request)
    pool.call(request, timeout=2.0)
    assert got[0].read == 5.0 and got[1].read == 2.0 and got[1].connect == 2.0


def test_bad_addresses_and_an_empty_list_are_coded() -> None:
    with pytest.raises(ModelError) as err:
        ServerPool(["gpu-box:8080"], kind="embedder")
    assert err.value.code == "embedder.bad_base_url"
    with pytest.raises(ModelError) as err:
        ServerPool(["", ""], kind="asr")
    assert err.value.code == "asr.no_servers" and "model_servers" in err.value.hint
    assert [s.url for s in ServerPool(["http://a/v1/", "http://a/v1"]).servers] == ["http://a/v1"]


def test_a_server_busy_with_a_request_of_this_process_is_passed_over() -> None:
    pool = _pool(Clock())

    def request(server: Server, timeout: httpx.Timeout) -> Iterator[str]:
        yield server.url
        yield "."

    held = pool.stream(request, _broken)
    assert next(held) == URLS[0]  # a answers and is still streaming
    assert "".join(pool.stream(request, _broken)).startswith(URLS[1])  # round robin: b
    assert "".join(pool.stream(request, _broken)).startswith(URLS[2])  # c
    assert [s.busy for s in pool.servers] == [1, 0, 0]
    # Round robin's turn is a again, but a is busy: the first free server in turn order takes it.
    assert "".join(pool.stream(request, _broken)).startswith(URLS[1])
    held.close()
    assert [s.busy for s in pool.servers] == [0, 0, 0]


def test_the_request_timeout_bounds_all_attempts_together() -> None:
    clock = Clock()
    pool = _pool(clock)  # 5 s per server
    got: list[float] = []

    def slow(server: Server, timeout: httpx.Timeout) -> str:
        got.append(float(timeout.read or 0))
        clock.now += float(timeout.read or 0)  # waits its whole timeout, then fails
        raise ServerFailed("no answer in time")

    with pytest.raises(ModelError) as err:
        pool.call(slow, timeout=8.0)
    assert got == [5.0, 3.0]  # the third server is not tried: the 8 s are spent
    assert err.value.code == "llm.servers_down" and URLS[2] not in err.value.message


def test_settings_build_pools_for_each_kind(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from appliance.context import Appliance
    from models.openai_asr import OpenAICompatTranscriber
    from models.openai_compat import OpenAICompatEmbedder, OpenAICompatLLM
    from tests.conftest import make_settings

    app = Appliance(make_settings(
        tmp_path, llm={"engine": "openai-compatible", "model": "qwen", "base_url": "http://old:8080/v1"},
        search={"embedder": "openai-compatible", "embedder_model": "multilingual-e5-small"},
        asr={"engine": "openai-compatible", "model": "whisper-large-v3"},
        model_servers={"llm": URLS[:2], "embedder": URLS[2:], "transcriber": URLS[1:],
                       "timeout_seconds": 7.0, "retry_seconds": 11.0}))
    llm, emb, asr = app.llm, app.embedder, app.transcriber
    assert isinstance(llm, OpenAICompatLLM) and [s.url for s in llm.pool.servers] == URLS[:2]
    assert llm.pool.timeout == 7.0 and llm.pool.retry_seconds == 11.0 and llm.name == "qwen"
    assert isinstance(emb, OpenAICompatEmbedder) and [s.url for s in emb.pool.servers] == URLS[2:]
    assert emb.prefixes == ("query: ", "passage: ")  # an e5 model gets e5's prefixes
    assert isinstance(asr, OpenAICompatTranscriber) and asr.model == "whisper-large-v3"
    assert [s.url for s in asr.pool.servers] == URLS[1:]
    single = Appliance(make_settings(tmp_path, llm={"engine": "openai-compatible", "base_url": "http://old:8080/v1"}))
    assert [s.url for s in single.llm.pool.servers] == ["http://old:8080/v1"]  # type: ignore[union-attr]
