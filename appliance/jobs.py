"""The job queue: Huey on SQLite in its own file; tasks are thin wrappers over appliance.services.

`make_huey(settings)` builds the queue and registers the tasks on it (nothing happens at import).
Each worker process opens the appliance once (engines load once) and records a JobOutcome row per
job, so the UI can show the queue and its progress. Outcome rows carry codes, never file contents.
"""

from __future__ import annotations

import logging
import threading
import uuid
from pathlib import Path
from typing import Any

from huey import SqliteHuey

from appliance.context import Appliance, open_appliance
from appliance.db.engine import write_session
from appliance.db.tables import JobOutcome, utcnow
from appliance.settings import Settings

log = logging.getLogger(__name__)

_apps: dict[str, Appliance] = {}
_apps_lock = threading.Lock()


def worker_appliance(settings: Settings) -> Appliance:
    """The appliance of this process for these settings, opened (and the index checked) once."""
    key = str(settings.data_dir.resolve())
    with _apps_lock:
        app = _apps.get(key)
        if app is None:
            app = open_appliance(settings)
            _prepare(app)
            _apps[key] = app
        return app


def use_appliance(app: Appliance) -> None:
    """Hand an already opened appliance to the tasks (tests, or `belfort up` sharing one process)."""
    with _apps_lock:
        if str(app.settings.data_dir.resolve()) not in _apps:
            _prepare(app)
        _apps[str(app.settings.data_dir.resolve())] = app


def _prepare(app: Appliance) -> None:
    from appliance.services.documents import prepare_ingest

    prepare_ingest(app)


class BelfortHuey(SqliteHuey):
    """SqliteHuey that knows its settings and carries the registered tasks as attributes."""

    settings: Settings
    ingest_path_task: Any
    ocr_document_task: Any
    transcribe_task: Any


def make_huey(settings: Settings, immediate: bool = False) -> BelfortHuey:
    settings.jobs_path.parent.mkdir(parents=True, exist_ok=True)
    huey = BelfortHuey(name="belfort", filename=str(settings.jobs_path), immediate=immediate,
                       results=False, utc=True)
    huey.settings = settings

    @huey.task(name="ingest_path")
    def ingest_path_task(path: str, collection: str, job_id: str, source_name: str | None = None,
                         keep_source: bool = False) -> str:
        app = worker_appliance(settings)
        state = run_ingest_job(app, path, collection, job_id, source_name, keep_source)
        if state == "needs_ocr" and settings.ocr.on_ingest:
            enqueue_pending_ocr(app, huey)
        return state

    @huey.task(name="ocr_document")
    def ocr_document_task(document_id: int, job_id: str) -> str:
        return run_ocr_job(worker_appliance(settings), document_id, job_id)

    @huey.task(name="transcribe")
    def transcribe_task(path: str, job_id: str, language: str | None = "nl") -> str:
        return run_transcribe_job(worker_appliance(settings), path, job_id, language)

    huey.ingest_path_task = ingest_path_task
    huey.ocr_document_task = ocr_document_task
    huey.transcribe_task = transcribe_task
    return huey


def run_transcribe_job(app: Appliance, path: str, job_id: str, language: str | None) -> str:
    """A recording in windows with progress; re-queued after a restart it resumes where it stopped."""
    from appliance.errors import BelfortError
    from appliance.services.transcripts import transcribe_recording

    _update_job(app, job_id, state="running", progress=0.0)
    try:
        result = transcribe_recording(
            app, Path(path), transcriber=app.transcriber, language=language,
            progress_cb=lambda p: _update_job(app, job_id, state="running", progress=round(p, 3)),
        )
    except BelfortError as exc:  # no audio, corrupt file, model missing: the recording waits, with a reason
        _update_job(app, job_id, state="failed", code=exc.code, message=exc.message, progress=1.0, finished=True)
        return "failed"
    _update_job(app, job_id, state="done", code="transcribed", message=f"recording {result.recording_id}",
                progress=1.0, finished=True)
    return result.state


def enqueue_transcription(app: Appliance, huey: BelfortHuey, path: Path, *, language: str | None = "nl") -> str:
    job_id = uuid.uuid4().hex
    with write_session(app.db) as s:
        s.add(JobOutcome(job_id=job_id, kind="transcribe", target=path.name[:200], state="queued"))
    huey.transcribe_task(str(path), job_id, language)
    return job_id


def run_ocr_job(app: Appliance, document_id: int, job_id: str) -> str:
    from appliance.services.ocr_documents import ocr_document

    _update_job(app, job_id, state="running", progress=0.1)
    try:
        outcome = ocr_document(app, document_id)
    except Exception as exc:
        log.exception("OCR job %s crashed", job_id)
        _update_job(app, job_id, state="failed", code="job.crashed", message=type(exc).__name__,
                    progress=1.0, finished=True)
        raise
    # A document still waiting (engine or language data missing) is not lost: it shows its reason.
    state = "failed" if outcome.state == "needs_ocr" else "done"
    _update_job(app, job_id, state=state, code=outcome.code or outcome.state, message=outcome.message,
                progress=1.0, finished=True)
    return outcome.state


def enqueue_pending_ocr(app: Appliance, huey: BelfortHuey) -> list[str]:
    """Queue OCR for every document waiting in state needs_ocr that has no OCR job queued yet."""
    from sqlmodel import select

    from appliance.services.ocr_documents import pending_ocr_ids

    jobs = []
    for document_id in pending_ocr_ids(app):
        target = f"document:{document_id}"
        with write_session(app.db) as s:
            queued = s.exec(select(JobOutcome).where(JobOutcome.kind == "ocr", JobOutcome.target == target,
                                                     JobOutcome.state.in_(("queued", "running")))).first()  # type: ignore[attr-defined]
            if queued is not None:
                continue
            job_id = uuid.uuid4().hex
            s.add(JobOutcome(job_id=job_id, kind="ocr", target=target, state="queued"))
        huey.ocr_document_task(document_id, job_id)
        jobs.append(job_id)
    return jobs


def run_ingest_job(app: Appliance, path: str, collection: str, job_id: str, source_name: str | None,
                   keep_source: bool) -> str:
    from appliance.services.documents import ingest_file

    _update_job(app, job_id, state="running", progress=0.1)
    try:
        outcome = ingest_file(app, Path(path), collection, source_name=source_name, keep_source=keep_source)
    except Exception as exc:  # ingest_file reports bad files itself; this is a bug or a full disk
        log.exception("ingest job %s crashed", job_id)
        _update_job(app, job_id, state="failed", code="job.crashed", message=type(exc).__name__,
                    progress=1.0, finished=True)
        raise
    state = {"duplicate": "duplicate", "failed": "failed", "busy": "queued"}.get(outcome.state, "done")
    _update_job(app, job_id, state=state, code=outcome.code or outcome.state, message=outcome.message,
                progress=1.0, finished=state != "queued")
    return outcome.state


def enqueue_ingest(app: Appliance, huey: BelfortHuey, path: Path, collection: str, *,
                   source_name: str | None = None, keep_source: bool = False) -> str:
    """Record a queued JobOutcome, then queue the task (in immediate mode it runs right here)."""
    job_id = uuid.uuid4().hex
    with write_session(app.db) as s:
        s.add(JobOutcome(job_id=job_id, kind="ingest", target=Path(source_name or path.name).name[:200],
                         collection=collection, state="queued"))
    huey.ingest_path_task(str(path), collection, job_id, source_name, keep_source)
    return job_id


def _update_job(app: Appliance, job_id: str, *, state: str, code: str = "", message: str = "",
                progress: float = 0.0, finished: bool = False) -> None:
    with write_session(app.db) as s:
        from sqlmodel import select

        row = s.exec(select(JobOutcome).where(JobOutcome.job_id == job_id)).first()
        if row is None:  # queued by an older process whose row was lost: record it now
            row = JobOutcome(job_id=job_id, kind="ingest")
        row.state, row.code, row.message, row.progress = state, code, message[:500], progress
        if finished:
            row.finished_at = utcnow()
        s.add(row)


def run_worker(settings: Settings, workers: int = 1) -> None:
    """`belfort worker`: the Huey consumer (threads; one is enough with SQLite's single writer)."""
    huey = make_huey(settings)
    app = worker_appliance(settings)  # open once and check the index before the first job
    if settings.ocr.on_ingest:
        enqueue_pending_ocr(app, huey)  # scans stored before OCR was available, or while it was down
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=False,
                                    check_worker_health=True)
    consumer.run()
