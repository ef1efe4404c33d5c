"""The real app on a loopback port for the headless-Chromium tests (axe, ask.js, transcript.js)."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from appliance.context import Appliance


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def live_app(appliance: Appliance) -> Iterator[str]:
    """uvicorn serving create_app(appliance) (jobs run at once) in a thread; yields the base URL."""
    import uvicorn

    from appliance.jobs import queue_for
    from ops.webapp import create_app

    port = free_port()
    queue_for(appliance, immediate=True)  # the web app's jobs run where they are queued
    srv = uvicorn.Server(uvicorn.Config(create_app(appliance),
                                        host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/api/v1/health")
        yield base
    finally:
        srv.should_exit = True
        thread.join(10)
