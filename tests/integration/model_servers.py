"""Model servers on loopback for the pool's tests and bench: real llama.cpp servers started with
`belfort model-server` (the SmolLM2 fixture), and small bad ones (an error status, malformed JSON,
a server that accepts and never answers). Tests using them mark themselves `enable_socket` +
`allow_hosts(["127.0.0.1"])`: only loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.llm_fixture import REPO, SMOLLM_NAME, test_models_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ModelServer:
    url: str  # the OpenAI base, http://127.0.0.1:PORT/v1
    proc: subprocess.Popen[bytes]

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """SIGSTOP: the kernel still accepts connections, the server never answers them."""
        self.proc.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.proc.send_signal(signal.SIGCONT)


def command(port: int, *, threads: int = 1, model: str = SMOLLM_NAME) -> list[str]:
    """The exact command line (the cluster bench starts the same)."""
    return [sys.executable, "-m", "ops.cli", "model-server", "--model", model, "--host", "127.0.0.1",
            "--port", str(port), "--threads", str(threads), "--ctx", "1024", "--embedding"]


@contextmanager
def model_servers(data_dir: Path, count: int = 1, *, start_seconds: float = 90.0) -> Iterator[list[ModelServer]]:
    """`count` servers started at once (each loads the model in its own process), ready on return."""
    env = {**os.environ, "BELFORT_MODELS_DIR": str(test_models_dir()), "BELFORT_DATA_DIR": str(data_dir),
           "BELFORT_LOG_LEVEL": "WARNING"}
    started: list[tuple[subprocess.Popen[bytes], int, Path]] = []
    try:
        for _ in range(count):
            port = free_port()
            log = data_dir / f"model-server-{port}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(command(port), cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
            started.append((proc, port, log))
        deadline = time.monotonic() + start_seconds
        for proc, port, log in started:
            _wait_ready(proc, f"http://127.0.0.1:{port}", log, deadline)
        yield [ModelServer(f"http://127.0.0.1:{port}/v1", proc) for proc, port, _ in started]
    finally:
        for proc, _, _ in started:
            proc.send_signal(signal.SIGCONT)
            proc.terminate()
        for proc, _, _ in started:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, deadline: float) -> None:
    while True:
        try:
            if httpx.get(url + "/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text("utf-8", "replace")[-2000:]
            raise RuntimeError(f"belfort model-server did not start: {tail}")
        time.sleep(0.2)


class _BadHandler(BaseHTTPRequestHandler):
    mode = "500"  # 500 | malformed | transcription

    def log_message(self, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._send(500 if self.mode == "500" else 200, b'{"status": "ok"}', "application/json")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.mode == "500":
            self._send(500, b'{"error": "out of memory"}', "application/json")
        elif self.path.endswith("/chat/completions"):
            self._send(200, b'data: {"choices": [{"delta": {"content": "half\n\ndata: [DONE]\n\n',
                       "text/event-stream")
        elif self.mode == "transcription":
            seg = {"start": 0.0, "end": 1.5, "text": " Goedemorgen raad.", "avg_logprob": -0.2}
            body = {"text": "Goedemorgen raad.", "language": "nl", "segments": [seg]}
            self._send(200, json.dumps(body).encode(), "application/json")
        else:
            self._send(200, b'{"data": [{"index": 0, "embedding": "not a vector"', "application/json")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def bad_server(mode: str) -> Iterator[str]:
    """An HTTP server on loopback answering every request badly (`mode`: 500 | malformed), or a
    speech server answering well (`transcription`)."""
    handler = type("Handler", (_BadHandler,), {"mode": mode})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers (a hung server, a dead process behind a live socket)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # never accepted: the kernel completes the handshake, nobody reads
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    finally:
        sock.close()


def dead_url() -> str:
    """Nothing listens there (connection refused)."""
    return f"http://127.0.0.1:{free_port()}/v1"
