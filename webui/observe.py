"""Request figures for /metrics: an ASGI middleware times every routed request by its route template,
and a `before_send` hook counts what no route served (404s of probed paths) under one label."""

from __future__ import annotations

import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from appliance.context import Appliance
from appliance.metrics import UNMATCHED, Metrics

_TIMED = "belfort.timed"  # set in the scope of requests the middleware times


class RequestTimer:
    """Outermost middleware: the time from the request to the last byte, and the status sent."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        scope[_TIMED] = True  # type: ignore[literal-required]
        started = time.perf_counter()
        status = 500  # what a crash before the response start amounts to

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            route = str(scope.get("path_template") or UNMATCHED)
            self.metrics.observe(method, route, status, time.perf_counter() - started)


def count_unmatched(metrics: Metrics):  # type: ignore[no-untyped-def]
    """A `before_send` hook counting responses the middleware never saw (no route matched)."""

    async def hook(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP or scope.get(_TIMED):
            return
        metrics.observe(scope["method"], UNMATCHED, int(message["status"]), None)

    return hook


def queue_depths(app: Appliance) -> dict[str, int]:
    """The job queue's pending and scheduled jobs, read from its file (shared with the worker)."""
    from appliance.jobs import queue_for

    queue = queue_for(app)
    return {"pending": int(queue.pending_count()), "scheduled": int(queue.scheduled_count())}
