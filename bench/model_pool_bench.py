"""Per-request overhead of the model server pool against calling a server directly.

    python bench/model_pool_bench.py [--requests 200] [--llama 20] [--json]

1. A fixed-answer SSE server on loopback (answers at once): the pool's own cost per request over a
   bare httpx stream to the same server (same parsing); a pool of two such servers (round robin);
   and a pool whose first server is dead (connection refused), before and after it is marked down.
2. A real llama.cpp server (`belfort model-server`, SmolLM2 fixture, one thread, max_tokens=1): the
   same comparison where the model does real work, as a ratio.
Prints median and mean milliseconds per request.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from models.base import ChatMessage
from models.openai_compat import OpenAICompatLLM, _delta

MESSAGES = [ChatMessage("user", "Say hello.")]
EVENTS = b"".join(f'data: {{"choices": [{{"index": 0, "delta": {{"content": "p{i} "}}}}]}}\n\n'.encode()
                  for i in range(5)) + b"data: [DONE]\n\n"


class _Fixed(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as llama.cpp's uvicorn does

    def log_message(self, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(EVENTS)))
        self.end_headers()
        self.wfile.write(EVENTS)


def fixed_server() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fixed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/v1"


def direct(url: str, model: str, max_tokens: int) -> Callable[[], str]:
    """The baseline: one kept-alive httpx client, the same request body and SSE parsing, no pool."""
    client = httpx.Client(timeout=30)
    body = {"model": model, "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": max_tokens,
            "temperature": 0.1, "stream": True}

    def run() -> str:
        out = []
        with client.stream("POST", url + "/chat/completions", json=body) as resp:
            for line in resp.iter_lines():
                piece = _delta(line)
                if piece is None:
                    break
                out.append(piece)
        return "".join(out)
    return run


def pooled(llm: OpenAICompatLLM, max_tokens: int) -> Callable[[], str]:
    return lambda: "".join(llm.stream(MESSAGES, max_tokens=max_tokens, temperature=0.1))


def timed(fn: Callable[[], str], n: int) -> dict[str, float]:
    fn()  # warm: connection, first parse
    ms = []
    for _ in range(n):
        t0 = time.perf_counter()
        assert fn()
        ms.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": round(statistics.median(ms), 3), "mean_ms": round(statistics.fmean(ms), 3), "n": n}


def interleaved(fns: dict[str, Callable[[], str]], n: int) -> dict[str, dict[str, float]]:
    """Each function n times, taking turns, so that load drifting on the machine hits all alike."""
    ms: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():
        fn()  # warm: connection, first parse
    for _ in range(n):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            assert fn()
            ms[name].append((time.perf_counter() - t0) * 1000)
    return {k: {"p50_ms": round(statistics.median(v), 3), "mean_ms": round(statistics.fmean(v), 3), "n": n}
            for k, v in ms.items()}


def stub_figures(n: int) -> dict[str, Any]:
    a, b = fixed_server(), fixed_server()
    dead = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    out: dict[str, Any] = interleaved({"direct": direct(a, "m", 5),
                                       "pool_of_1": pooled(OpenAICompatLLM([a], "m"), 5),
                                       "pool_of_2": pooled(OpenAICompatLLM([a, b], "m"), 5)}, n)
    first_dead = OpenAICompatLLM([dead, a], "m", retry_seconds=3600)
    t0 = time.perf_counter()
    pooled(first_dead, 5)()
    out["failover_refused_first_ms"] = round((time.perf_counter() - t0) * 1000, 3)
    out["pool_dead_marked_down"] = timed(pooled(first_dead, 5), n)
    out["pool_overhead_ms"] = round(out["pool_of_1"]["p50_ms"] - out["direct"]["p50_ms"], 3)
    return out


def llama_figures(n: int) -> dict[str, Any]:
    from tests.integration.model_servers import model_servers
    from tests.llm_fixture import SMOLLM_NAME, smollm_path

    if smollm_path() is None:
        return {"skipped": "SmolLM2 fixture absent"}
    with tempfile.TemporaryDirectory() as tmp, model_servers(Path(tmp), 1) as (server,):
        out: dict[str, Any] = interleaved({"direct": direct(server.url, SMOLLM_NAME, 1),
                                           "pool_of_1": pooled(OpenAICompatLLM([server.url], SMOLLM_NAME), 1)}, n)
    out["ratio_p50"] = round(out["pool_of_1"]["p50_ms"] / out["direct"]["p50_ms"], 3)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200, help="requests per stub measurement")
    ap.add_argument("--llama", type=int, default=20, help="requests per llama.cpp measurement (0: skip)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = {"stub": stub_figures(args.requests)}
    if args.llama:
        result["llama_cpp"] = llama_figures(args.llama)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
