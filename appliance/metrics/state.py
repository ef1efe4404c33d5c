"""Figures read at scrape time from what every process shares (the database, the queue file, the disk),
so the web process reports the worker's jobs too. Names and labels carry codes and states, never
content: no file names, questions or user names.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import col, select

from appliance.db.engine import read_session
from appliance.db.tables import AnswerRecord, JobOutcome
from appliance.runtime import read_engine_report

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

    from appliance.context import Appliance

log = logging.getLogger(__name__)

TOKENS_WINDOW = 50  # tokens/s is the mean over this many of the newest answers a model wrote
QueueDepths = Callable[[], dict[str, int]]  # {"pending": n, "scheduled": n} of the job queue


class StateCollector(Collector):
    """A prometheus_client collector over one appliance; each part fails on its own (logged and
    counted in belfort_metrics_errors), so a broken part never empties the whole scrape."""

    def __init__(self, app: Appliance, queue_depths: QueueDepths | None = None) -> None:
        self.app = app
        self.queue_depths = queue_depths

    def collect(self) -> Iterator[Metric]:
        errors = GaugeMetricFamily("belfort_metrics_errors", "Parts of this scrape that failed (see the log).",
                                   labels=["part"])
        for name, part in (("queue", self._queue), ("jobs", self._jobs), ("answers", self._answers),
                           ("llm", self._llm), ("engines", self._engines), ("disk", self._disk)):
            try:
                yield from part()
                errors.add_metric([name], 0)
            except Exception:
                log.exception("metrics: %s failed", name)
                errors.add_metric([name], 1)
        yield errors

    def _queue(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("belfort_queue_depth", "Jobs waiting in the Huey queue (pending: ready to "
                                  "run; scheduled: delayed or retrying).", labels=["state"])
        for state, n in sorted((self.queue_depths() if self.queue_depths else {}).items()):
            depth.add_metric([state], n)
        yield depth

    def _jobs(self) -> Iterator[Metric]:
        jobs = GaugeMetricFamily("belfort_jobs", "Jobs recorded, by kind and state (queued, running, done, "
                                 "failed, duplicate); finished ones are the job outcomes.", labels=["kind", "state"])
        failed = GaugeMetricFamily("belfort_jobs_failed", "Failed jobs by kind and error code.",
                                   labels=["kind", "code"])
        with read_session(self.app.db) as s:
            for kind, state, n in s.exec(select(JobOutcome.kind, JobOutcome.state, func.count())
                                         .group_by(JobOutcome.kind, JobOutcome.state)).all():
                jobs.add_metric([kind or "?", state or "?"], n)
            for kind, code, n in s.exec(select(JobOutcome.kind, JobOutcome.code, func.count())
                                        .where(JobOutcome.state == "failed")
                                        .group_by(JobOutcome.kind, JobOutcome.code)).all():
                failed.add_metric([kind or "?", code or "?"], n)
        yield jobs
        yield failed

    def _answers(self) -> Iterator[Metric]:
        answers = GaugeMetricFamily("belfort_answers", "Ask answers recorded, by status (answered, "
                                    "dont_know, extractive, escalated, refused).", labels=["status"])
        with read_session(self.app.db) as s:
            for status, n in s.exec(select(AnswerRecord.status, func.count()).where(AnswerRecord.kind == "answer")
                                    .group_by(AnswerRecord.status)).all():
                answers.add_metric([status or "?"], n)
        yield answers

    def _llm(self) -> Iterator[Metric]:
        with read_session(self.app.db) as s:
            payloads = s.exec(select(AnswerRecord.payload).where(AnswerRecord.kind == "answer",
                                                                 AnswerRecord.model != "")
                              .order_by(col(AnswerRecord.id).desc()).limit(TOKENS_WINDOW)).all()
        rates = [r for r in (_rate(p) for p in payloads) if r > 0]
        tps = GaugeMetricFamily("belfort_llm_tokens_per_second", f"Mean generation speed over the newest "
                                f"{TOKENS_WINDOW} answers a model wrote (0: none yet).")
        tps.add_metric([], round(sum(rates) / len(rates), 3) if rates else 0.0)
        samples = GaugeMetricFamily("belfort_llm_tokens_per_second_samples", "Answers that mean is taken over.")
        samples.add_metric([], len(rates))
        yield tps
        yield samples

    def _engines(self) -> Iterator[Metric]:
        loaded = GaugeMetricFamily("belfort_engine_loaded", "1 when the process holds the engine loaded (web: "
                                   "this process; worker: its last report).", labels=["process", "kind", "name"])
        seconds = GaugeMetricFamily("belfort_engine_load_seconds", "How long loading the engine took in that "
                                    "process.", labels=["process", "kind", "name"])
        age = GaugeMetricFamily("belfort_engine_report_age_seconds", "Seconds since the worker last reported its "
                                "engines (at its start and after each load).", labels=["process"])
        engines = [("web", st.kind, st.name, st.loaded, st.load_seconds) for st in self.app.engine_status()]
        report = read_engine_report(self.app, "worker")
        if report is not None:
            age.add_metric(["worker"], max(0.0, round(time.time() - float(report.get("at") or 0), 1)))
            engines += [("worker", str(e.get("kind")), str(e.get("name")), bool(e.get("loaded")),
                         float(e.get("load_seconds") or 0.0)) for e in report["engines"] if isinstance(e, dict)]
        for process, kind, name, is_loaded, took in engines:
            loaded.add_metric([process, kind, name], 1 if is_loaded else 0)
            if is_loaded:
                seconds.add_metric([process, kind, name], took)
        yield loaded
        yield seconds
        yield age

    def _disk(self) -> Iterator[Metric]:
        layout = self.app.layout
        usage = shutil.disk_usage(self.app.settings.data_dir)
        disk = GaugeMetricFamily("belfort_disk_bytes", "The data folder's file system: total, used and free bytes.",
                                 labels=["state"])
        for state in ("total", "used", "free"):
            disk.add_metric([state], getattr(usage, state))
        files = GaugeMetricFamily("belfort_database_bytes", "Size of the database files (with their WAL).",
                                  labels=["database"])
        for name, path in (("main", layout.db), ("jobs", layout.jobs_db)):
            files.add_metric([name], sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal"))
                                         if p.exists()))
        yield disk
        yield files


def _rate(payload: str) -> float:
    """The answer's tokens per second (0 when it has none)."""
    try:
        data = json.loads(payload or "{}")
        return float(data.get("tokens_per_s") or 0.0) if isinstance(data, dict) else 0.0
    except (ValueError, TypeError):
        return 0.0
