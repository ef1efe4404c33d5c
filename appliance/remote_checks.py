"""Doctor checks of the remote parts of the scale-out profile (ops/cluster/): the database server, Redis,
each model server, the shared mount. Each says which part is down and where, under a stable name.

They use only the settings and the plainest client of each part (a SQLAlchemy connection, a Redis
PING, an HTTP GET of `/v1/models`), so they work before the appliance can open (a database that is
down must give a clear doctor error, not a crash at migration) and do not depend on the code that
uses these parts. No check prints a password: URLs are shown without their credentials.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
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
    """`queue.redis_url`: does Redis answer PING?"""
    import redis

    where = safe_url(url)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_S, socket_timeout=TIMEOUT_S)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        return Check("cluster.redis", False, f"Redis at {where} is down: {_reason(exc)}",
                     hint="start it there (systemctl status redis-server) and check queue.redis_url")
    return Check("cluster.redis", True, f"Redis at {where} answers")


def models_url(base: str) -> str:
    """The model list of an OpenAI-compatible server, from its base URL with or without /v1."""
    base = base.rstrip("/")
    return f"{base}/models" if base.endswith("/v1") else f"{base}/v1/models"


def check_model_server(base: str, timeout: float = TIMEOUT_S) -> Check:
    """One OpenAI-compatible model server: does GET /v1/models answer with a model list?"""
    where = safe_url(base)
    try:
        with urllib.request.urlopen(models_url(base), timeout=timeout) as resp:
            body = json.loads(resp.read(1_000_000) or b"null")
    except urllib.error.HTTPError as exc:
        return Check("cluster.model_server", False, f"model server {where} answers HTTP {exc.code}",
                     hint="see the server's log (journalctl -u belfort-model-server@...)")
    except (OSError, ValueError) as exc:
        return Check("cluster.model_server", False, f"model server {where} is down: {_reason(exc)}",
                     hint="start it (systemctl start belfort-model-server@...) or take it out of the list")
    models = body.get("data") if isinstance(body, dict) else None
    if not isinstance(models, list):
        return Check("cluster.model_server", False, f"model server {where} answers, but not with a model list",
                     hint="is this an OpenAI-compatible server (llama.cpp server, vLLM)?")
    names = ", ".join(str(m.get("id", "?")) for m in models if isinstance(m, dict))[:200]
    return Check("cluster.model_server", True, f"model server {where} serves {names or 'no model'}")


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


def model_server_urls(settings: Settings) -> list[str]:
    """The model servers the settings name: `llm.servers` (the pool) where it exists, else
    `llm.base_url` of an openai-compatible engine, plus any `servers` list of other sections."""
    urls: list[str] = []
    for section in ("llm", "search", "asr"):
        found = getattr(getattr(settings, section, None), "servers", None)
        if isinstance(found, list | tuple):
            urls += [u if "://" in u else f"http://{u}" for u in (str(x).strip() for x in found) if u]
    if not urls and settings.llm.engine == "openai-compatible" and settings.llm.base_url:
        urls.append(settings.llm.base_url)
    return list(dict.fromkeys(urls))


def remote_checks(settings: Settings) -> list[Check]:
    """Every remote part the settings name; none on a single box (nothing remote to check)."""
    out: list[Check] = []
    if settings.store.url:
        out.append(check_database_server(settings.store.url))
    if settings.queue.backend == "redis":
        out.append(check_redis(settings.queue.redis_url) if settings.queue.redis_url else Check(
            "cluster.redis", False, "queue.backend is redis but queue.redis_url is empty",
            hint="set queue.redis_url, e.g. redis://queue.gemeente.local:6379/0"))
    out += [check_model_server(url) for url in model_server_urls(settings)]
    if settings.cluster.shared_dir:
        out.append(check_shared_dir(Path(settings.cluster.shared_dir)))
    return out


def down(checks: Iterable[Check]) -> list[str]:
    """The names and messages of the failed checks (what an operator reads first)."""
    return [f"{c.name}: {c.message}" for c in checks if not c.ok]
