"""Real PostgreSQL and Redis servers for the tests, started once per test process on Unix sockets in a
temporary folder (Debian's `postgresql` and `redis-server` packages; no containers, no TCP port, so
pytest-socket's `--allow-unix-socket` is enough).

`BELFORT_TEST_STORE=postgresql` and `BELFORT_TEST_QUEUE=redis` make the whole suite run on these back
ends (`.ci/run`'s second pytest run): every appliance a test opens gets a fresh database of its own.
Tests of a back end itself call `postgres_url()` / `redis_url()` directly and are skipped where the
server is not installed."""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

STORE = os.environ.get("BELFORT_TEST_STORE", "sqlite")  # sqlite | postgresql
QUEUE = os.environ.get("BELFORT_TEST_QUEUE", "sqlite")  # sqlite | redis


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


PG_BIN = _pg_bin()
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
needs_postgres = pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL is not installed (apt: postgresql)")
needs_redis = pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason="redis-server is not installed (apt)")

_lock = threading.RLock()
_pg: dict[str, str] = {}
_redis: dict[str, str] = {}
_names = itertools.count(1)
_created: list[str] = []  # databases made by fresh_postgres_database, oldest first


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: CI and the developers' machines run the tests as root."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def postgres_url() -> str:
    """The URL of the test process's PostgreSQL server (its `postgres` database), started on first use."""
    with _lock:
        if "url" not in _pg:
            if PG_BIN is None:
                pytest.skip("PostgreSQL is not installed (apt: postgresql)")
            root = Path(tempfile.mkdtemp(prefix="belfort-pg-"))
            data, sock = root / "data", root / "sock"
            sock.mkdir()
            if os.geteuid() == 0:
                shutil.chown(root, "postgres", "postgres")
                shutil.chown(sock, "postgres", "postgres")
            subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres",
                                         "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                           check=True, capture_output=True)
            opts = (f"-c listen_addresses='' -c unix_socket_directories={sock} -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
            subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", opts, "-w",
                                         "-l", str(root / "log"), "start"]), check=True, capture_output=True)
            atexit.register(lambda: subprocess.run(
                _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                check=False, capture_output=True))
            atexit.register(shutil.rmtree, root, True)
            _pg["sock"] = str(sock)
            _pg["url"] = f"postgresql+psycopg://postgres@/postgres?host={sock}"
        return _pg["url"]


def _admin(sql: str) -> None:
    import psycopg

    postgres_url()
    with psycopg.connect(f"host={_pg['sock']} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(sql)


def fresh_postgres_database(template: str = "") -> str:
    """A new database on the test server (a copy of `template`, else empty); its URL."""
    name = f"t{os.getpid()}_{next(_names)}"
    _admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    _created.append(name)
    return _url_of(name)


def _url_of(name: str) -> str:
    return postgres_url().replace("/postgres?", f"/{name}?")


def migrated_postgres_database() -> str:
    """A new database that already holds the current schema: a copy of one database migrated once per
    test process (CREATE DATABASE ... TEMPLATE), so that each test does not pay for the migrations."""
    with _lock:
        if "template" not in _pg:
            from appliance.db.engine import make_engine, migrate

            name = f"t{os.getpid()}_template"
            _admin(f'CREATE DATABASE "{name}"')  # kept for the whole process
            engine = make_engine(_url_of(name))
            migrate(engine)
            engine.dispose()  # a template database may have no open connection
            _pg["template"] = name
    return fresh_postgres_database(_pg["template"])


def created_postgres_databases() -> int:
    return len(_created)


def drop_postgres_databases(since: int) -> list[str]:
    """Drop the databases made after the first `since` (a test's own), closing their connections: the
    engines of finished tests would otherwise hold connections until the server refuses new ones."""
    dropped = []
    while len(_created) > since:
        name = _created.pop()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        dropped.append(_url_of(name))
    return dropped  # their URLs


def redis_url() -> str:
    """The URL of the test process's redis-server (Unix socket, no persistence), started on first use."""
    with _lock:
        if "url" not in _redis:
            if not Path(REDIS_SERVER).exists():
                pytest.skip("redis-server is not installed (apt: redis-server)")
            root = Path(tempfile.mkdtemp(prefix="belfort-redis-"))
            sock = root / "redis.sock"
            proc = subprocess.Popen([REDIS_SERVER, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm",
                                     "700", "--save", "", "--appendonly", "no", "--dir", str(root),
                                     "--databases", "10000"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while not sock.exists():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.02)
            atexit.register(shutil.rmtree, root, True)
            atexit.register(proc.kill)
            _redis["url"] = f"unix://{sock}"
        return _redis["url"]


def fresh_redis_url() -> str:
    """A Redis database of its own on the test server (numbered databases, one per appliance)."""
    return f"{redis_url()}?db={next(_names) % 10000}"
