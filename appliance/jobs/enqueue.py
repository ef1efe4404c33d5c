"""Queueing: record a JobOutcome row in state queued, then hand the task to the queue (in immediate
mode it runs right here). Which work is due is decided by the feature packages."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlmodel import select

from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import JobOutcome, Recording, utcnow
from appliance.jobs.queue import JobQueue
from appliance.jobs.tracking import record_queued

RETRAIN_KIND = "triage_retrain"
_WAITING = ("queued", "running")


def enqueue_ingest(app: Appliance, queue: JobQueue, path: Path, collection: str, *,
                   source_name: str | None = None, keep_source: bool = False) -> str:
    """Queue a file for ingest into `collection`; the job shows the name documents allows it."""
    from appliance.documents import queued_job_name

    target = queued_job_name(app, collection, source_name or path.name)
    job_id = record_queued(app, "ingest", target, collection)
    queue.ingest_path_task(str(path), collection, job_id, source_name, keep_source)
    return job_id


def enqueue_transcription(app: Appliance, queue: JobQueue, path: Path, *, language: str | None = "settings",
                          recording_id: int | None = None) -> str:
    """Queue a recording; `language` 'settings' takes `asr.language`, None detects it per window."""
    from appliance.recordings import asr_options

    target = f"recording:{recording_id}" if recording_id is not None else path.name[:200]
    job_id = record_queued(app, "transcribe", target)
    queue.transcribe_task(str(path), job_id, asr_options(app.settings, language=language).language, recording_id)
    return job_id


def enqueue_recording(app: Appliance, queue: JobQueue, rec: Recording) -> str:
    """Queue an uploaded recording's transcription (it resumes at its first unfinished window)."""
    assert rec.id is not None
    return enqueue_transcription(app, queue, Path(rec.source_path), recording_id=rec.id)


def enqueue_unfinished_transcriptions(app: Appliance, queue: JobQueue) -> list[str]:
    """Worker start: uploaded recordings whose job died with the previous worker are queued again;
    they resume at their first unfinished window."""
    from appliance.recordings import unfinished_uploads

    todo = []
    with write_session(app.db) as s:
        for rec in unfinished_uploads(s):
            target = f"recording:{rec.id}"
            rows = s.exec(select(JobOutcome).where(JobOutcome.kind == "transcribe", JobOutcome.target == target,
                                                   JobOutcome.state.in_(_WAITING))).all()  # type: ignore[attr-defined]
            if any(r.state == "queued" for r in rows) or (rows and queue.claims):
                continue  # still in the queue; on Redis a running job's claim brings it back if its worker died
            for r in rows:  # "running" in a worker that no longer exists
                r.state, r.code, r.finished_at = "failed", "job.interrupted", utcnow()
                s.add(r)
            todo.append((rec.id, rec.source_path))
    return [enqueue_transcription(app, queue, Path(source), recording_id=rec_id) for rec_id, source in todo]


def enqueue_pending_ocr(app: Appliance, queue: JobQueue) -> list[str]:
    """Queue OCR for every document waiting in state needs_ocr that has no OCR job queued yet."""
    from appliance.documents import document_collection, pending_ocr_ids

    jobs = []
    for document_id in pending_ocr_ids(app):
        target = f"document:{document_id}"
        with write_session(app.db) as s:
            queued = s.exec(select(JobOutcome).where(JobOutcome.kind == "ocr", JobOutcome.target == target,
                                                     JobOutcome.state.in_(_WAITING))).first()  # type: ignore[attr-defined]
            if queued is not None:
                continue
            job_id = uuid.uuid4().hex
            s.add(JobOutcome(job_id=job_id, kind="ocr", target=target, state="queued",
                             collection=document_collection(s, document_id)))
        queue.ocr_document_task(document_id, job_id)
        jobs.append(job_id)
    return jobs


def enqueue_retrain(app: Appliance, queue: JobQueue) -> str | None:
    """Queue one retrain unless one is already waiting: corrections made meanwhile are all picked up
    by that one (debounce). Returns the job id, or None when one was already queued."""
    with write_session(app.db) as s:
        waiting = s.exec(select(JobOutcome).where(JobOutcome.kind == RETRAIN_KIND,
                                                  JobOutcome.state == "queued")).first()
        if waiting is not None:
            return None
        job_id = uuid.uuid4().hex
        s.add(JobOutcome(job_id=job_id, kind=RETRAIN_KIND, target="triage:model", state="queued"))
    queue.triage_retrain_task(job_id)
    return job_id


def enqueue_minutes(app: Appliance, queue: JobQueue, recording_id: int, *, agenda: str | int | None = None,
                    attendees: list[str] | tuple[str, ...] = (), title: str = "", meeting_date: str = "",
                    body: str = "", username: str = "system") -> str:
    """Queue drafting; `agenda` is text or an ingested document's id (read with `username`'s rights)."""
    job_id = record_queued(app, "minutes", f"recording:{recording_id}")
    queue.draft_minutes_task(recording_id, job_id, {
        "agenda": agenda, "attendees": list(attendees), "title": title, "meeting_date": meeting_date,
        "body": body, "username": username})
    return job_id
