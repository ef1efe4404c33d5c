"""/metrics: the Prometheus text format, who may read it, what it holds; the admin console's charts."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from appliance.access import create_token
from appliance.db.engine import write_session
from appliance.db.tables import JobOutcome
from tests.integration.web_support import World

FAMILIES = {
    "belfort_http_requests", "belfort_http_request_duration_seconds", "belfort_queue_depth", "belfort_jobs",
    "belfort_jobs_failed", "belfort_answers", "belfort_llm_tokens_per_second", "belfort_engine_loaded",
    "belfort_engine_load_seconds", "belfort_disk_bytes", "belfort_database_bytes", "belfort_metrics_errors",
}


def _families(text: str) -> dict:  # type: ignore[type-arg]
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_metrics_parse_and_hold_the_named_families(world: World, signed_in) -> None:  # type: ignore[no-untyped-def]
    with write_session(world.app.db) as s:  # what a worker process recorded: read from the database
        s.add(JobOutcome(job_id="a", kind="transcribe", state="failed", code="asr.bad_audio"))
        s.add(JobOutcome(job_id="b", kind="transcribe", state="done"))
    admin = signed_in("admin")
    assert admin.get("/documents/999999").status_code == 404
    assert admin.get("/no/such/path/123").status_code == 404
    res = admin.get("/metrics")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/plain")
    families = _families(res.text)
    assert FAMILIES <= set(families), FAMILIES - set(families)
    requests = {(s.labels["route"], s.labels["status"]): s.value for s in families["belfort_http_requests"].samples
                if s.name.endswith("_total")}
    # route templates, not paths: the id stays out of the label; unknown paths share one label
    assert requests[("/documents/{document_id}", "404")] == 1
    assert requests[("(unmatched)", "404")] == 1
    assert not any("999999" in route or "such" in route for route, _status in requests)
    jobs = {(s.labels["kind"], s.labels["state"]): s.value for s in families["belfort_jobs"].samples}
    assert jobs[("transcribe", "failed")] == 1 and jobs[("transcribe", "done")] == 1
    failed = {(s.labels["kind"], s.labels["code"]): s.value for s in families["belfort_jobs_failed"].samples}
    assert failed == {("transcribe", "asr.bad_audio"): 1}
    disk = {s.labels["state"]: s.value for s in families["belfort_disk_bytes"].samples}
    assert disk["total"] >= disk["free"] > 0
    assert all(s.value == 0 for s in families["belfort_metrics_errors"].samples)
    assert "anna" not in res.text and "sporthal" not in res.text.lower()


def test_metrics_refused_to_staff_allowed_to_a_metrics_token(world: World, signed_in, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/metrics").status_code == 401
    assert signed_in("anna").get("/metrics").status_code == 403
    staff = {"Authorization": f"Bearer {world.tokens['anna']}"}
    assert client.get("/metrics", headers=staff).status_code == 403
    admin_token = {"Authorization": f"Bearer {world.tokens['admin']}"}  # admin scopes, but not metrics
    assert client.get("/metrics", headers=admin_token).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer blf_nonsense"}).status_code == 401
    # a monitoring account: role staff, no groups, a token with only the scope metrics
    from appliance.access import accounts

    accounts.create_user(world.app, "monitor", "een lang wachtwoord", role="staff")
    token = create_token(world.app, "monitor", "prometheus", scopes="metrics")
    res = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200 and "belfort_http_requests" in {f.name for f in
                                                                   text_string_to_metric_families(res.text)}
    # the scope opens /metrics only: the same token reads nothing of the API
    assert client.get("/api/v1/documents", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_admin_console_charts_the_same_figures(signed_in) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in("admin")
    assert signed_in("anna").get("/admin/metrics").status_code == 403
    admin.get("/")
    page = admin.get("/admin/metrics?lang=en")
    assert page.status_code == 200
    for title in ("Requests per route (busiest)", "Requests per response time", "Jobs by state", "Loaded models"):
        assert title in page.text
    assert page.text.count("<svg") >= 5 and "<script" not in page.text


def test_the_workers_engines_show_through_its_report(world: World, signed_in) -> None:  # type: ignore[no-untyped-def]
    from appliance.context import Appliance
    from appliance.runtime import write_engine_report

    worker = Appliance(world.app.settings)  # another process on the same data folder
    worker.engines.on_load = lambda: write_engine_report(worker, "worker")
    admin = signed_in("admin")
    before = _families(admin.get("/metrics").text)
    assert not [s for s in before["belfort_engine_loaded"].samples if s.labels["process"] == "worker"]
    worker.engine_status(load=("embedder",))  # a job needed the embedder: it loads, the report follows
    families = _families(admin.get("/metrics").text)
    loaded = {(s.labels["process"], s.labels["kind"]): s.value for s in families["belfort_engine_loaded"].samples}
    assert loaded[("worker", "embedder")] == 1 and loaded[("worker", "llm")] == 0
    took = {(s.labels["process"], s.labels["kind"]) for s in families["belfort_engine_load_seconds"].samples}
    assert ("worker", "embedder") in took
    assert families["belfort_engine_report_age_seconds"].samples[0].value < 60


def test_tokens_per_second_is_the_mean_of_the_answers_a_model_wrote(world: World, signed_in) -> None:  # type: ignore[no-untyped-def]
    from appliance.access.principals import SYSTEM
    from appliance.audit import record_answer

    for rate in (10.0, 20.0, 45.0):
        record_answer(world.app, SYSTEM, question="q", answer="a", status="answered", model="m",
                      details={"tokens_per_s": rate})
    record_answer(world.app, SYSTEM, question="q", answer="a", status="extractive", details={})  # no model
    record_answer(world.app, SYSTEM, question="q", answer="", status="dont_know", model="m", details={})
    families = _families(signed_in("admin").get("/metrics").text)
    assert families["belfort_llm_tokens_per_second"].samples[0].value == 25.0
    assert families["belfort_llm_tokens_per_second_samples"].samples[0].value == 3
    answers = {s.labels["status"]: s.value for s in families["belfort_answers"].samples}
    assert answers == {"answered": 3, "extractive": 1, "dont_know": 1}
