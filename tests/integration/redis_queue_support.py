"""Support for the Redis queue tests: a redis-server of the test's own (AOF on, so it can be restarted
without losing the queue), worker processes on the test's settings, and waiting for job states."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from appliance.settings import Settings
from tests.backends import REDIS_SERVER
from tests.conftest import REPO


class OwnRedis:
    """A redis-server on a Unix socket in `root`, with the append-only file the cluster example uses."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sock = root / "redis.sock"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.sock}?db=0"

    def start(self) -> None:
        self.proc = subprocess.Popen([REDIS_SERVER, "--port", "0", "--unixsocket", str(self.sock),
                                      "--unixsocketperm", "700", "--dir", str(self.root), "--save", "",
                                      "--appendonly", "yes", "--appendfsync", "everysec"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.sock.exists():
            assert self.proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        """A restart's first half: SIGTERM, as systemd stops it (Redis writes the AOF out and exits)."""
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a `belfort worker` on these settings (the test's data folder and Redis)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELFORT_")}
    env |= {"BELFORT_DATA_DIR": str(settings.data_dir), "BELFORT_MODELS_DIR": str(settings.models_dir),
            "BELFORT_PROFILE": "test", "BELFORT_SEARCH__EMBEDDER": "fake", "BELFORT_LLM__ENGINE": "none",
            "BELFORT_OCR__ON_INGEST": "false", "BELFORT_PII__NER": "none",
            "BELFORT_QUEUE__BACKEND": "redis", "BELFORT_QUEUE__REDIS_URL": settings.queue.redis_url,
            "BELFORT_QUEUE__LEASE_SECONDS": str(settings.queue.lease_seconds),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))}
    if settings.store.url:  # the PostgreSQL pass: the workers share the test's database, as cluster nodes do
        env["BELFORT_STORE__URL"] = settings.store.url
    return env | extra


def start_worker(env: dict[str, str], *, slow_marker: Path | None = None, log: Path) -> subprocess.Popen[bytes]:
    """`belfort worker` with one thread; with `slow_marker`, one whose embedder stops in every job
    (tests.integration.slow_worker), so that the test can kill it in the middle of an ingest."""
    if slow_marker is not None:
        cmd = [sys.executable, "-m", "tests.integration.slow_worker", str(slow_marker)]
    else:
        cmd = [sys.executable, "-m", "ops.cli", "worker", "--workers", "1"]
    return subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log.open("wb"))


def wait_for(condition: Callable[[], bool], timeout: float, what: str, procs: tuple[subprocess.Popen[bytes], ...] = (),
             log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for p in procs:
            assert p.poll() is None, f"worker exited: {log.read_text()[-3000:] if log else ''}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {log.read_text()[-3000:] if log else ''}"
        time.sleep(0.1)
