"""The web process's own figures: requests by route template and status, and their latency.

These live in the process that serves them (`belfort serve` is one process); what other processes
produce (the worker's jobs) is read from the database and the queue file at scrape time instead
(appliance.metrics.state), so the figures hold however many processes run.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

# Seconds: a page renders in milliseconds, an answer from a CPU model takes tens of seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
UNMATCHED = "(unmatched)"  # a path no route serves: one label, not one per probed path


class RequestMetrics:
    """Request counters of one web app, in its own registry (never the library's global one)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter("belfort_http_requests", "HTTP requests by method, route template and status.",
                                ["method", "route", "status"], registry=registry)
        self.latency = Histogram("belfort_http_request_duration_seconds",
                                 "Time from request to the last byte of the response, by route template.",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=registry)

    def observe(self, method: str, route: str, status: int, seconds: float | None) -> None:
        """One finished request; `route` is the template (`/documents/{document_id:int}`), never the
        path itself, so ids and searched words stay out of the labels."""
        route = route or UNMATCHED
        self.requests.labels(method, route, str(status)).inc()
        if seconds is not None:
            self.latency.labels(method, route).observe(seconds)
