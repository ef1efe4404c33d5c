"""GET /metrics (Prometheus text format) and the admin console's charts of the same figures.

/metrics is for an administrator's session or an API token with the `metrics` scope (a monitoring
account needs nothing else); staff sessions and tokens without the scope get 403, no credentials 401.
"""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.response import Template

from appliance import access, metrics
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.metrics import Metrics, Sample, total_by
from webui.charts import Panel, bar_chart
from webui.web import optional_principal, page, require_role

TOP_ROUTES = 12


def metrics_reader(request: Request, appliance: Appliance) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return access.principal_for_token(appliance, token.strip(), "metrics")  # 401 unknown, 403 no scope
    who = optional_principal(request, appliance)
    if who is None:
        raise BelfortError("auth.required", "/metrics needs an administrator or a token with the scope metrics",
                           hint="belfort admin create-token USER --name monitoring --scope metrics", status=401)
    require_role(who, "admin")
    return who


@get("/metrics", sync_to_thread=True, include_in_schema=False)
def metrics_endpoint(request: Request, appliance: Appliance) -> Response[bytes]:
    metrics_reader(request, appliance)
    hub: Metrics = request.app.state.metrics
    return Response(hub.exposition(), media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def _fmt(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.3f}"


def _simple(pid: str, header: str, figures: dict[str, float], scale: float = 1.0) -> Panel:
    labels = list(figures)
    values = [figures[k] / scale for k in labels]
    return Panel(id=pid, title=f"pilot.metrics_{pid}", chart=bar_chart(labels, values),
                 headers=[header, "pilot.metrics_value"], rows=[[k, _fmt(round(v, 3))] for k, v in zip(labels, values, strict=True)])


def _latency(samples: list[Sample]) -> Panel:
    """Requests per latency bucket (the histogram's cumulative buckets, summed over routes, made per bucket)."""
    cumulative = total_by(samples, "le", suffix="_bucket")
    bounds = sorted(cumulative, key=lambda b: float(b))
    per, previous = {}, 0.0
    for b in bounds:
        per[f"≤ {b} s" if b != "+Inf" else "> " + bounds[-2] + " s"] = cumulative[b] - previous
        previous = cumulative[b]
    return _simple("latency", "pilot.metrics_bucket", per)


def metric_panels(families: dict[str, list[Sample]]) -> list[Panel]:
    requests = families.get("belfort_http_requests", [])
    by_route = total_by(requests, "route", suffix="_total")
    top = dict(sorted(by_route.items(), key=lambda kv: -kv[1])[:TOP_ROUTES])
    errors = {s.labels["route"]: 0.0 for s in requests}
    for s in requests:
        if s.name.endswith("_total") and s.labels.get("status", "").startswith("5"):
            errors[s.labels["route"]] += s.value
    routes = _simple("requests", "pilot.metrics_route", top)
    routes.headers.append("pilot.metrics_errors")
    for row in routes.rows:
        row.append(_fmt(errors.get(row[0], 0.0)))
    jobs = total_by(families.get("belfort_jobs", []), "state")
    return [
        routes,
        _latency(families.get("belfort_http_request_duration_seconds", [])),
        _simple("queue", "pilot.metrics_state", total_by(families.get("belfort_queue_depth", []), "state")),
        _simple("jobs", "pilot.metrics_state", jobs),
        _simple("answers", "pilot.metrics_status", total_by(families.get("belfort_answers", []), "status")),
        _simple("disk", "pilot.metrics_state", total_by(families.get("belfort_disk_bytes", []), "state"), scale=1e9),
    ]


@get("/admin/metrics", sync_to_thread=True, include_in_schema=False)
def metrics_page(request: Request, appliance: Appliance, who: Principal) -> Template:
    require_role(who, "admin")
    families = request.app.state.metrics.samples()
    engines = [(s.labels["process"], s.labels["kind"], s.labels["name"], s.value)
               for s in families.get("belfort_engine_loaded", [])]
    seconds = {(s.labels["process"], s.labels["kind"], s.labels["name"]): s.value
               for s in families.get("belfort_engine_load_seconds", [])}
    tps = families.get("belfort_llm_tokens_per_second", [])
    return page(request, "admin_metrics.html", who=who, panels=metric_panels(families),
                engines=[(p, k, n, bool(v), seconds.get((p, k, n))) for p, k, n, v in engines],
                tokens_per_s=tps[0].value if tps else 0.0)


PUBLIC = [metrics_endpoint]
HANDLERS = [metrics_page]
