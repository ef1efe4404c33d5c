"""Doctor checks of the remote parts of the scale-out profile (ops/cluster/) that the appliance needs
before it can open: the database server, Redis, the shared mount. Each says which part is down and
where, under a stable name. Model servers do not stop a node from opening: `appliance.checks.
check_model_servers` reports each of them with the pool's own probe.

They use only the settings and the plainest client of each part (a SQLAlchemy connection, the queue's
Redis PING), so they work before the appliance can open (a database that is down must give a clear
doctor error, not a crash at migration). No check prints a password: URLs are shown without their
credentials.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from appliance.checks import Check

if TYPE_CHECKING:
    from appliance.settings import Settings

TIMEOUT_S = 5.0


def safe_url(url: str) -> str:
    """The URL without user and password (what a check may print)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def check_database_server(url: str) -> Check:
    """`store.url`: can this node open a connection and run a query?"""
    from sqlalchemy import create_engine, text

    where = safe_url(url)
    args: dict[str, Any] = {"connect_timeout": int(TIMEOUT_S)} if url.startswith("postgresql") else {}
    try:
        engine = create_engine(url, connect_args=args, pool_pre_ping=False)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001  (any driver error means: down from here)
        return Check("cluster.database", False, f"database at {where} is down or refuses us: {_reason(exc)}",
                     hint="start PostgreSQL there (systemctl status postgresql), check store.url, the firewall "
                     "and pg_hba.conf for this node")
    return Check("cluster.database", True, f"database at {where} answers")


def check_redis(url: str) -> Check:
    """`queue.redis_url`: does Redis answer PING? (the queue's own probe, appliance.storage.redis_link)"""
    from appliance.storage.redis_link import ping_redis

    where = safe_url(url)
    problem = ping_redis(url, TIMEOUT_S)
    if problem:
        return Check("cluster.redis", False, f"Redis at {where} is down: {problem}",
                     hint="start it there (systemctl status redis-server) and check queue.redis_url")
    return Check("cluster.redis", True, f"Redis at {where} answers")


def check_shared_dir(folder: Path) -> Check:
    """`cluster.shared_dir`: mounted, writable, and an atomic rename works on it."""
    probe = folder / f".belfort-write-test-{uuid.uuid4().hex}"
    try:
        if not folder.is_dir():
            raise FileNotFoundError(2, "not mounted or missing")
        probe.write_bytes(b"belfort")
        probe.replace(probe.with_suffix(".done"))
        probe.with_suffix(".done").unlink()
    except OSError as exc:
        probe.unlink(missing_ok=True)
        return Check("cluster.shared_dir", False, f"shared folder {folder} is not writable ({exc.strerror})",
                     hint="mount the share (NFS/SMB) at the same path on every node and give the belfort "
                     "user write access")
    return Check("cluster.shared_dir", True, f"shared folder {folder} is writable")


def remote_checks(settings: Settings) -> list[Check]:
    """Every remote part the settings name; none on a single box (nothing remote to check)."""
    out: list[Check] = []
    if settings.store.url:
        out.append(check_database_server(settings.store.url))
    if settings.queue.backend == "redis":
        out.append(check_redis(settings.queue.redis_url) if settings.queue.redis_url else Check(
            "cluster.redis", False, "queue.backend is redis but queue.redis_url is empty",
            hint="set queue.redis_url, e.g. redis://queue.gemeente.local:6379/0"))
    if settings.cluster.shared_dir:
        out.append(check_shared_dir(Path(settings.cluster.shared_dir)))
    return out


def down(checks: Iterable[Check]) -> list[str]:
    """The names and messages of the failed checks (what an operator reads first)."""
    return [f"{c.name}: {c.message}" for c in checks if not c.ok]
