"""The job queue: one object per data folder and process, stable task names, one tracked-job decorator."""

from __future__ import annotations

import pytest
from sqlmodel import select

from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import JobOutcome
from appliance.errors import BelfortError
from appliance.jobs import queue_for
from appliance.jobs.tracking import Job, JobEnd, record_queued, tracked
from appliance.settings import Settings


def _row(app: Appliance, job_id: str) -> JobOutcome:
    with read_session(app.db) as s:
        return s.exec(select(JobOutcome).where(JobOutcome.job_id == job_id)).one()


def test_one_queue_per_data_folder(appliance: Appliance, settings: Settings) -> None:
    queue = queue_for(appliance)
    assert queue_for(settings) is queue and not queue.immediate  # the queue file, built once
    immediate = queue_for(appliance, immediate=True)  # tests: jobs run where they are queued
    assert immediate is not queue and immediate.immediate and queue_for(appliance) is immediate
    assert not queue_for(settings, immediate=False).immediate


def test_task_names_in_the_queue_file_stay_as_before(settings: Settings) -> None:
    names = set(queue_for(settings)._registry._registry)
    assert {"appliance.jobs.ingest_path", "appliance.jobs.ocr_document", "appliance.jobs.transcribe",
            "appliance.jobs.draft_minutes", "appliance.jobs.triage_intake_file",
            "appliance.jobs.triage_retrain"} <= names


def test_tracked_records_running_progress_and_the_end(appliance: Appliance) -> None:
    seen: list[float] = []

    @tracked("demo", start=0.1)
    def body(job: Job, n: int) -> JobEnd:
        seen.append(_row(job.app, job.id).progress)
        job.progress(0.51234)
        seen.append(_row(job.app, job.id).progress)
        return JobEnd(f"r{n}", "done", "demo.done", "fine", target="shown.txt")

    job_id = record_queued(appliance, "demo", "queued.txt")
    assert _row(appliance, job_id).state == "queued"
    assert body(appliance, job_id, 3) == "r3"
    row = _row(appliance, job_id)
    assert seen == [0.1, 0.512]
    assert (row.state, row.code, row.message, row.progress, row.target) == ("done", "demo.done", "fine", 1.0,
                                                                           "shown.txt")
    assert row.finished_at is not None


def test_tracked_failures_keep_their_code_and_crashes_are_raised(appliance: Appliance) -> None:
    @tracked("demo")
    def refused(job: Job) -> JobEnd:
        raise BelfortError("demo.refused", "no audio")

    @tracked("demo", crash=True)
    def crashing(job: Job) -> JobEnd:
        raise OSError("disk full")

    refused_id, crash_id = record_queued(appliance, "demo", ""), record_queued(appliance, "demo", "")
    assert refused(appliance, refused_id) == "failed"
    row = _row(appliance, refused_id)
    assert (row.state, row.code, row.message, row.progress) == ("failed", "demo.refused", "no audio", 1.0)
    with pytest.raises(OSError):
        crashing(appliance, crash_id)
    row = _row(appliance, crash_id)
    assert (row.state, row.code, row.message) == ("failed", "job.crashed", "OSError")


def test_a_job_that_ended_does_not_run_again(appliance: Appliance) -> None:
    """Queues deliver at least once (a Redis claim given back after its worker finished): the second
    delivery of a job that ended returns its state and leaves its row alone."""
    runs: list[int] = []

    @tracked("demo")
    def body(job: Job, n: int) -> JobEnd:
        runs.append(n)
        return JobEnd(f"r{n}", "done" if n == 1 else "failed", f"demo.{n}")

    job_id = record_queued(appliance, "demo", "x")
    assert body(appliance, job_id, 1) == "r1"
    assert body(appliance, job_id, 2) == "done" and runs == [1]
    assert (_row(appliance, job_id).state, _row(appliance, job_id).code) == ("done", "demo.1")
