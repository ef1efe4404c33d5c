"""Processes of bench/cluster_bench.py: a throwaway PostgreSQL and Redis, Belfort processes and llama.cpp
model servers, all on loopback with their data under one temp folder; and the check for the pieces of
the scale-out profile that this checkout may not have yet (store, queue, model server pool).

PostgreSQL is started the way tests/backends.py does it (initdb under the temp folder, Unix socket,
`runuser -u postgres` when run as root); Redis keeps an append-only file, as ops/cluster/ asks.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent


class BenchError(RuntimeError):
    """A part of the bench could not start; the message names it."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Proc:
    """A started process with its log file; stop() and kill() are safe to call twice."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    _fh: IO[bytes] | None = field(default=None, repr=False)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: a crash, not a shutdown (what the bench does to one worker and one model server)."""
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self, timeout: float = 15.0) -> None:
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""


def start(name: str, cmd: list[str], logs: Path, env: dict[str, str] | None = None) -> Proc:
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    fh = open(log, "ab")  # noqa: SIM115  (closed by Proc.stop)
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **(env or {})}
    popen = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=REPO, env=full_env,
                             start_new_session=True)
    return Proc(name, popen, log, fh)


def belfort(name: str, config: Path, args: list[str], logs: Path, env: dict[str, str] | None = None) -> Proc:
    return start(name, [sys.executable, "-m", "ops.cli", "--config", str(config), *args], logs, env)


def wait_http(url: str, proc: Proc | None, timeout: float) -> None:
    """Until `url` answers 200; BenchError with the process's last log lines if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise BenchError(f"{proc.name} exited ({proc.popen.returncode}) before {url} answered:\n{proc.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchError(f"{url} did not answer within {timeout:.0f} s" + (f":\n{proc.tail()}" if proc else ""))


class Postgres:
    """A PostgreSQL server of its own under `root` (Unix socket only), with a database `belfort`."""

    def __init__(self, root: Path) -> None:
        self.bin = _pg_bin()
        if self.bin is None:
            raise BenchError("PostgreSQL is not installed (apt install postgresql)")
        self.root, self.data, self.sock = root, root / "pgdata", root / "pgsock"
        self.sock.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chmod(root.parent, 0o711)  # postgres may pass through the bench's folder, not list it
            shutil.chown(root, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")

    def _run(self, cmd: list[str]) -> None:
        done = subprocess.run(_as_postgres(cmd), capture_output=True, text=True, check=False)
        if done.returncode:
            raise BenchError(f"PostgreSQL: {' '.join(cmd[:1])} failed: {done.stderr.strip()[-500:]}")

    def start(self) -> str:
        assert self.bin is not None
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--locale=C.UTF-8"])
        opts = (f"-c listen_addresses='' -c unix_socket_directories={self.sock} -c max_connections=200 "
                "-c synchronous_commit=off")
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-w", "-l",
                   str(self.root / "postgres.log"), "start"])
        self._run([str(self.bin / "createdb"), "-h", str(self.sock), "-U", "postgres", "belfort"])
        return f"postgresql+psycopg://postgres@/belfort?host={self.sock}"

    def stop(self) -> None:
        if self.bin is not None and self.data.exists():
            subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]),
                           capture_output=True, check=False)


def start_redis(root: Path, logs: Path) -> tuple[str, Proc]:
    """redis-server on a Unix socket under `root`, append-only file on (jobs survive a restart)."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise BenchError("redis-server is not installed (apt install redis-server)")
    root.mkdir(parents=True, exist_ok=True)
    sock = root / "redis.sock"
    proc = start("redis", [exe, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
                           "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--dir", str(root)], logs)
    deadline = time.monotonic() + 10
    while not sock.exists():
        if not proc.alive() or time.monotonic() > deadline:
            raise BenchError(f"redis-server did not start:\n{proc.tail()}")
        time.sleep(0.05)
    return f"unix://{sock}?db=0", proc


def cli_commands() -> set[str]:
    from ops.cli import build_parser

    action = build_parser()._subparsers._group_actions[0]  # type: ignore[union-attr]
    return set(getattr(action, "choices", {}) or {})


def model_server(name: str, config: Path, model: str, model_file: Path, port: int, logs: Path) -> Proc:
    """`belfort model-server` (modelpool) where this checkout has it, else llama-cpp-python's own server."""
    if "model-server" in cli_commands():
        return belfort(name, config, ["model-server", "--model", model, "--host", "127.0.0.1", "--port", str(port)],
                       logs)
    return start(name, [sys.executable, "-m", "llama_cpp.server", "--model", str(model_file), "--host", "127.0.0.1",
                        "--port", str(port), "--n_ctx", "2048", "--n_threads", "1"], logs)


def missing_pieces(pg_url: str, redis_url: str) -> list[str]:
    """What the scale-out run needs that this checkout lacks (each names its branch), checked in a
    child process so that nothing of it stays in the bench's own process."""
    probe = (
        "import sys, tempfile\n"
        "from appliance.settings import build_settings, Settings\n"
        "from appliance.context import open_appliance\n"
        "from appliance.jobs.queues import build_queue\n"
        "d = tempfile.mkdtemp()\n"
        "s = build_settings([{'data_dir': d, 'store': {'url': sys.argv[1]},\n"
        "                     'queue': {'backend': 'redis', 'redis_url': sys.argv[2]}}])\n"
        "out = []\n"
        "try:\n"
        "    name = open_appliance(s).db.dialect.name\n"
        "except Exception as exc:\n"
        "    name = f'error {type(exc).__name__}: {exc}'\n"
        "if name != 'postgresql':\n"
        "    out.append(f'pgstore: store.url is not used for the database (got {name[:200]})')\n"
        "try:\n"
        "    q = build_queue(s)\n"
        "    kinds = [c.__name__ for c in type(q.storage).__mro__]\n"
        "except Exception as exc:\n"
        "    kinds = [f'error {exc}']\n"
        "if not any('Redis' in k for k in kinds):\n"
        "    out.append('redisq: queue.backend = redis still builds ' + kinds[0])\n"
        "if 'model_servers' not in Settings.model_fields:\n"
        "    out.append('modelpool: no model_servers.llm setting (the openai-compatible engine uses one server, no failover)')\n"
        "print('\\n'.join(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, pg_url, redis_url], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300, check=False)
    if done.returncode:
        return [f"probe failed: {done.stderr.strip()[-400:]}"]
    found = [line for line in done.stdout.splitlines() if line.strip()]
    if "model-server" not in cli_commands():
        found.append("modelpool: no `belfort model-server` (the bench starts `python -m llama_cpp.server` instead)")
    return found


def stop_all(procs: list[Proc], extra: list[Any] | None = None) -> None:
    for p in reversed(procs):
        p.stop()
    for thing in extra or []:
        thing.stop()
