"""Connections to the cluster's Redis (the job queue of the scale-out profile): one pool per URL with
retries that ride out a Redis restart of a few seconds, and a ping for `belfort doctor`.

`ping_redis(url)` is the small reusable check: None when Redis answers, else a short reason."""

from __future__ import annotations

from typing import Any

from appliance.errors import BelfortError

RETRIES = 8  # with the backoff below: about 5 s of reconnecting before a command fails
CONNECT_TIMEOUT_S = 3.0


def redis_pool(url: str, **extra: Any) -> Any:
    """A redis-py connection pool for `url` (redis://, rediss:// or unix://) that reconnects on its own."""
    from redis import ConnectionPool
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError, TimeoutError
    from redis.retry import Retry

    retry = Retry(ExponentialBackoff(cap=1.0, base=0.05), RETRIES, supported_errors=(ConnectionError, TimeoutError))
    return ConnectionPool.from_url(url, retry=retry, socket_connect_timeout=CONNECT_TIMEOUT_S,
                                   health_check_interval=30, **extra)


def ping_redis(url: str, timeout_s: float = 2.0) -> str | None:
    """None when the Redis at `url` answers PING within `timeout_s`; else why not (no password shown)."""
    from redis import Redis
    from redis.exceptions import RedisError

    if not url:
        return "no URL configured"
    try:
        client = Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s, retry=None)
    except ValueError as exc:
        return f"invalid URL ({exc})"
    try:
        client.ping()
    except RedisError as exc:
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc.strerror or exc}"
    finally:
        client.close()
    return None


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


REDIS_DOWN = "queue.redis_down"  # the stable code of "the configured Redis does not answer"


def redis_problem(url: str, timeout_s: float = 2.0) -> BelfortError | None:
    """None when the Redis at `url` answers; else the error to show (doctor, `belfort worker`)."""
    why = ping_redis(url, timeout_s)
    if why is None:
        return None
    return BelfortError(REDIS_DOWN, f"Redis at {redact_url(url) or '(no queue.redis_url)'} does not answer: {why}",
                        hint="start redis-server (systemctl status redis-server) or correct queue.redis_url; "
                             "jobs wait in Redis and run once it is back", status=503)
