"""One web process's metrics: a registry of its own holding the request figures and the collector that
reads the shared state at scrape time. `/metrics` writes it out; the admin console draws the same."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector, generate_latest

from appliance.metrics.requests import RequestMetrics
from appliance.metrics.state import QueueDepths, StateCollector

if TYPE_CHECKING:
    from appliance.context import Appliance

CONTENT_TYPE = CONTENT_TYPE_LATEST  # text/plain; version=0.0.4


@dataclass(frozen=True)
class Sample:
    name: str  # the sample's name (`belfort_http_requests_total`, `..._bucket`)
    labels: dict[str, str]
    value: float


class Metrics:
    def __init__(self, app: Appliance, queue_depths: QueueDepths | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = RequestMetrics(self.registry)
        ProcessCollector(registry=self.registry)  # process_* of this web process (CPU, memory, files)
        self.registry.register(StateCollector(app, queue_depths))

    def observe(self, method: str, route: str, status: int, seconds: float | None) -> None:
        self.requests.observe(method, route, status, seconds)

    def exposition(self) -> bytes:
        """The Prometheus text format (version 0.0.4) of every family, read now."""
        return generate_latest(self.registry)

    def samples(self) -> dict[str, list[Sample]]:
        """Family name -> its samples, read now: what the admin console charts."""
        return {m.name: [Sample(s.name, dict(s.labels), float(s.value)) for s in m.samples]
                for m in self.registry.collect()}


def total_by(samples: Iterable[Sample], label: str, *, suffix: str = "") -> dict[str, float]:
    """The samples' values summed per value of `label` (only samples named with `suffix`, when given)."""
    out: dict[str, float] = {}
    for s in samples:
        if suffix and not s.name.endswith(suffix):
            continue
        key = s.labels.get(label, "")
        out[key] = out.get(key, 0.0) + s.value
    return out
