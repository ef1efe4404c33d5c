"""A pool of OpenAI-compatible model servers (llama.cpp server, vLLM): round robin, back-off, failover.

Health is learned from the requests themselves: a server that times out, refuses the connection,
answers an error status or malformed JSON is marked down and skipped for `retry_seconds`, doubled
after each further failure (at most `MAX_BACKOFF_FACTOR` times); when that time has passed it gets
the next request again (one success marks it up). `probe` asks a server directly, for the doctor.
When every server is marked down and none is due, a request fails at once with `<kind>.servers_down`
so that the caller (Ask) falls back without waiting for timeouts.

Only the configured servers are ever contacted; the appliance stays offline otherwise.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import httpx

from models.base import ModelError

MAX_BACKOFF_FACTOR = 16
T = TypeVar("T")
SETTING = {"asr": "transcriber"}  # kind -> its list in model_servers, where the names differ
CONNECT_SECONDS = 3.0  # a server on the premises accepts at once or not at all


class ServerFailed(Exception):
    """One server failed one request (the pool tries the next): `reason` is short, for logs and errors."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_url(url: str, kind: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ModelError(f"{kind}.bad_base_url", f"invalid {kind} server address '{url}'",
                         hint="write it as e.g. http://gpu-box:8080/v1")
    return url.rstrip("/")


@dataclass
class Server:
    url: str  # the OpenAI base, e.g. http://gpu-box:8080/v1
    failures: int = 0  # consecutive
    down_until: float = 0.0  # monotonic time before which it is skipped
    last_error: str = ""
    served: int = 0  # requests answered (this process)
    busy: int = 0  # requests of this process in progress there

    def up(self, now: float) -> bool:
        return self.failures == 0 or now >= self.down_until


class ServerPool:
    """Servers of one kind (llm, embedder, transcriber), shared by every thread of the process."""

    def __init__(self, urls: Sequence[str], *, kind: str = "llm", timeout: float = 30.0,
                 retry_seconds: float = 30.0, api_key: str = "", clock: Callable[[], float] = time.monotonic,
                 transport: httpx.BaseTransport | None = None) -> None:
        urls = [u for u in urls if u]
        if not urls:
            raise ModelError(f"{kind}.no_servers", f"no {kind} server configured",
                             hint=f"list the servers in model_servers.{SETTING.get(kind, kind)} "
                             "(e.g. [\"http://gpu-box:8080/v1\"])")
        self.kind = kind
        self.servers = [Server(u) for u in dict.fromkeys(check_url(u, kind) for u in urls)]
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._next = 0
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(headers=headers, transport=transport, timeout=self.http_timeout(timeout))

    def close(self) -> None:
        self.client.close()

    @staticmethod
    def http_timeout(seconds: float) -> httpx.Timeout:
        """Connect quickly; then at most `seconds` for the answer to start and between its pieces."""
        return httpx.Timeout(seconds, connect=min(CONNECT_SECONDS, seconds))

    def order(self) -> list[Server]:
        """The servers to try for one request: round robin over those up or due for a retry, the least
        busy first (a llama.cpp server answers one request at a time; the others wait in its queue)."""
        with self._lock:
            now = self._clock()
            n = len(self.servers)
            start, self._next = self._next, (self._next + 1) % n
            ring = [self.servers[(start + i) % n] for i in range(n)]
            return sorted((s for s in ring if s.up(now)), key=lambda s: s.busy)

    @contextmanager
    def _using(self, server: Server) -> Iterator[None]:
        with self._lock:
            server.busy += 1
        try:
            yield
        finally:
            with self._lock:
                server.busy -= 1

    def mark_down(self, server: Server, reason: str) -> None:
        with self._lock:
            server.failures += 1
            factor = min(2 ** (server.failures - 1), MAX_BACKOFF_FACTOR)
            server.down_until = self._clock() + self.retry_seconds * factor
            server.last_error = reason

    def mark_up(self, server: Server) -> None:
        with self._lock:
            server.failures = 0
            server.down_until = 0.0
            server.last_error = ""
            server.served += 1

    def down_error(self, tried: Sequence[tuple[str, str]]) -> ModelError:
        """Every server failed this request (`tried`: url, reason) or is marked down."""
        if tried:
            detail = "; ".join(f"{url}: {why}" for url, why in tried)
            message = f"no {self.kind} server answered ({detail})"
        else:
            wait = min(s.down_until for s in self.servers) - self._clock()
            message = (f"all {len(self.servers)} {self.kind} server(s) are marked down; "
                       f"the next is retried in {max(wait, 0):.0f} s")
        return ModelError(f"{self.kind}.servers_down", message,
                          hint="`belfort doctor` says which server is down; start it (`belfort model-server`) "
                          "or fix model_servers")

    def _attempts(self, timeout: float | None) -> Iterator[tuple[Server, httpx.Timeout]]:
        """Each server to try with its timeout: the pool's, capped by what is left of the request's
        own `timeout` over all its attempts (Ask falls back when that is spent)."""
        deadline = None if not timeout else self._clock() + timeout
        for server in self.order():
            left = self.timeout if deadline is None else min(self.timeout, deadline - self._clock())
            if left <= 0:
                return
            yield server, self.http_timeout(left)

    def call(self, request: Callable[[Server, httpx.Timeout], T], timeout: float | None = None) -> T:
        """`request` on one server after another until one succeeds (round robin, failover)."""
        tried: list[tuple[str, str]] = []
        for server, limit in self._attempts(timeout):
            try:
                with self._using(server):
                    result = request(server, limit)
            except ServerFailed as exc:
                self.mark_down(server, exc.reason)
                tried.append((server.url, exc.reason))
                continue
            self.mark_up(server)
            return result
        raise self.down_error(tried)

    def stream(self, request: Callable[[Server, httpx.Timeout], Iterator[str]],
               broken: Callable[[str], ModelError], timeout: float | None = None) -> Iterator[str]:
        """Pieces from one server; a server that fails before its first piece is skipped. After the
        first piece the text is the caller's: a later failure raises `broken(reason)`."""
        tried: list[tuple[str, str]] = []
        for server, limit in self._attempts(timeout):
            started = False
            pieces = request(server, limit)
            try:
                with self._using(server):
                    for piece in pieces:
                        if not started:
                            started = True
                            self.mark_up(server)
                        yield piece
            except ServerFailed as exc:
                self.mark_down(server, exc.reason)
                if started:
                    raise broken(exc.reason) from exc
                tried.append((server.url, exc.reason))
                continue
            finally:
                close = getattr(pieces, "close", None)
                if close is not None:
                    close()  # the consumer may stop early: the connection goes back now
            if not started:
                self.mark_up(server)  # an empty answer is still an answer
            return
        raise self.down_error(tried)


def http_failure(exc: httpx.HTTPError) -> ServerFailed:
    if isinstance(exc, httpx.TimeoutException):
        return ServerFailed(f"no answer in time ({type(exc).__name__})")
    return ServerFailed(f"unreachable ({type(exc).__name__})")


@dataclass(frozen=True)
class ServerHealth:
    url: str
    up: bool
    message: str  # what it answered, or why not
    seconds: float = 0.0


def probe(url: str, *, timeout: float = 3.0, transport: httpx.BaseTransport | None = None) -> ServerHealth:
    """Ask one server whether it is up: GET <root>/health (llama.cpp, vLLM, `belfort model-server`),
    else GET <base>/models. Never raises."""
    base = url.rstrip("/")
    root = base.removesuffix("/v1")
    started = time.perf_counter()
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            resp = client.get(root + "/health")
            if resp.status_code == 404:
                resp = client.get(base + "/models")
    except httpx.HTTPError as exc:
        return ServerHealth(url, False, f"unreachable ({type(exc).__name__})", time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if resp.status_code != 200:
        return ServerHealth(url, False, f"answered HTTP {resp.status_code}", seconds)
    return ServerHealth(url, True, f"up ({seconds * 1000:.0f} ms)", seconds)


def probe_all(urls: Sequence[str], *, timeout: float = 3.0) -> list[ServerHealth]:
    """Every server probed at once (a hung one costs `timeout`, not `timeout` per server)."""
    results: list[ServerHealth | None] = [None] * len(urls)

    def one(i: int, url: str) -> None:
        results[i] = probe(url, timeout=timeout)

    threads = [threading.Thread(target=one, args=(i, u), daemon=True) for i, u in enumerate(urls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + CONNECT_SECONDS + 1)
    return [r or ServerHealth(u, False, "no answer in time") for r, u in zip(results, urls, strict=True)]
