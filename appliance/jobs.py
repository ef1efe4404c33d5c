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
_queues: dict[str, BelfortHuey] = {}  # the last queue built per data folder (web handlers queue on it)
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
    from appliance.documents.ingest import prepare_ingest

    prepare_ingest(app)


class BelfortHuey(SqliteHuey):
    """SqliteHuey that knows its settings and carries the registered tasks as attributes."""

    settings: Settings
    ingest_path_task: Any
    ocr_document_task: Any
    transcribe_task: Any
    draft_minutes_task: Any
    triage_intake_file_task: Any


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
    def transcribe_task(path: str, job_id: str, language: str | None = "nl",
                        recording_id: int | None = None) -> str:
        return run_transcribe_job(worker_appliance(settings), path, job_id, language, recording_id)

    register_triage_tasks(huey, settings)  # outbox delivery, IMAP polling, dropped mail (periodic)
    register_triage_learning_tasks(huey, settings)  # retrain after corrections, daily deadline reminders
    register_minutes_tasks(huey, settings)  # daily: delete recordings' audio past retention (GDPR)
    register_minutes_draft_task(huey, settings)  # transcript -> draft minutes (LLM)
    with _apps_lock:
        _queues[str(settings.data_dir.resolve())] = huey
    huey.ingest_path_task = ingest_path_task
    huey.ocr_document_task = ocr_document_task
    huey.transcribe_task = transcribe_task
    return huey


def register_triage_tasks(huey: BelfortHuey, settings: Settings) -> None:
    """Periodic tasks of triage: deliver the outbox, poll the IMAP mailbox, take in dropped mail."""
    from huey import crontab

    every = max(1, settings.mail.deliver_seconds // 60)

    @huey.periodic_task(crontab(minute=f"*/{every}"), name="outbox_deliver")
    def outbox_deliver_task() -> dict[str, int]:
        from appliance.mail.outbox import deliver_due

        return deliver_due(worker_appliance(settings))

    if settings.intake.imap_host:
        poll = max(1, settings.intake.poll_seconds // 60)

        @huey.periodic_task(crontab(minute=f"*/{poll}"), name="triage_imap_poll")
        def triage_imap_poll_task() -> dict[str, int]:
            from appliance.triage.imap import poll_mailbox

            return poll_mailbox(worker_appliance(settings)).as_dict()

    @huey.task(name="triage_intake_file")
    def triage_intake_file_task(path: str) -> int | None:
        from appliance.triage.intake import receive_file

        return receive_file(worker_appliance(settings), Path(path))

    huey.triage_intake_file_task = triage_intake_file_task


def run_transcribe_job(app: Appliance, path: str, job_id: str, language: str | None,
                       recording_id: int | None = None) -> str:
    """A recording in windows with progress; re-queued after a restart it resumes where it stopped.

    Window length, hotwords and the diarizer come from the `asr` settings (an uploaded recording
    keeps the language and window length chosen at upload)."""
    from appliance.errors import BelfortError
    from appliance.recordings.transcripts import build_diarizer, transcribe_recording

    _update_job(app, job_id, state="running", progress=0.0)
    try:
        result = transcribe_recording(
            app, Path(path), language=language, recording_id=recording_id, diarizer=build_diarizer(app),
            progress_cb=lambda p: _update_job(app, job_id, state="running", progress=round(p, 3)),
        )
    except BelfortError as exc:  # no audio, corrupt file, model missing: the recording waits, with a reason
        _update_job(app, job_id, state="failed", code=exc.code, message=exc.message, progress=1.0, finished=True)
        return "failed"
    _update_job(app, job_id, state="done", code="transcribed", message=f"recording {result.recording_id}",
                progress=1.0, finished=True)
    return result.state


def enqueue_transcription(app: Appliance, huey: BelfortHuey, path: Path, *, language: str | None = "settings",
                          recording_id: int | None = None) -> str:
    """Queue a recording; `language` 'settings' takes `asr.language`, None detects it per window."""
    from appliance.recordings.transcripts import asr_options

    job_id = uuid.uuid4().hex
    target = f"recording:{recording_id}" if recording_id is not None else path.name[:200]
    with write_session(app.db) as s:
        s.add(JobOutcome(job_id=job_id, kind="transcribe", target=target, state="queued"))
    huey.transcribe_task(str(path), job_id, asr_options(app.settings, language=language).language, recording_id)
    return job_id


def enqueue_unfinished_transcriptions(app: Appliance, huey: BelfortHuey) -> list[str]:
    """Worker start: uploaded recordings whose job died with the previous worker are queued again;
    they resume at their first unfinished window."""
    from sqlmodel import select

    from appliance.db.tables import Recording

    jobs = []
    with write_session(app.db) as s:
        recs = s.exec(select(Recording).where(Recording.uploaded_by != "",
                                              Recording.state.in_(("pending", "running")))).all()  # type: ignore[attr-defined]
        todo = []
        for rec in recs:
            target = f"recording:{rec.id}"
            rows = s.exec(select(JobOutcome).where(JobOutcome.kind == "transcribe", JobOutcome.target == target,
                                                   JobOutcome.state.in_(("queued", "running")))).all()  # type: ignore[attr-defined]
            if any(r.state == "queued" for r in rows):
                continue  # still in the queue file: it runs anyway
            for r in rows:  # "running" in a worker that no longer exists
                r.state, r.code, r.finished_at = "failed", "job.interrupted", utcnow()
                s.add(r)
            todo.append((rec.id, rec.source_path))
    for rec_id, source in todo:
        jobs.append(enqueue_transcription(app, huey, Path(source), recording_id=rec_id))
    return jobs


def run_ocr_job(app: Appliance, document_id: int, job_id: str) -> str:
    from appliance.documents.ocr import ocr_document

    _update_job(app, job_id, state="running", progress=0.1)
    try:
        outcome = ocr_document(app, document_id)
    except Exception as exc:
        log.exception("OCR job %s crashed", job_id)
        _update_job(app, job_id, state="failed", code="job.crashed", message=type(exc).__name__,
                    progress=1.0, finished=True)
        raise
    # A document still waiting (engine or language data missing) is not lost: it shows its reason.
    state = "failed" if outcome.state in ("needs_ocr", "failed") else "done"
    _update_job(app, job_id, state=state, code=outcome.code or outcome.state, message=outcome.message,
                progress=1.0, finished=True)
    return outcome.state


def enqueue_pending_ocr(app: Appliance, huey: BelfortHuey) -> list[str]:
    """Queue OCR for every document waiting in state needs_ocr that has no OCR job queued yet."""
    from sqlmodel import select

    from appliance.documents.status import document_collection
    from appliance.documents.ocr import pending_ocr_ids

    jobs = []
    for document_id in pending_ocr_ids(app):
        target = f"document:{document_id}"
        with write_session(app.db) as s:
            queued = s.exec(select(JobOutcome).where(JobOutcome.kind == "ocr", JobOutcome.target == target,
                                                     JobOutcome.state.in_(("queued", "running")))).first()  # type: ignore[attr-defined]
            if queued is not None:
                continue
            job_id = uuid.uuid4().hex
            s.add(JobOutcome(job_id=job_id, kind="ocr", target=target, state="queued",
                             collection=document_collection(s, document_id)))
        huey.ocr_document_task(document_id, job_id)
        jobs.append(job_id)
    return jobs


def run_ingest_job(app: Appliance, path: str, collection: str, job_id: str, source_name: str | None,
                   keep_source: bool) -> str:
    from appliance.documents.ingest import ingest_file

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
                progress=1.0, finished=state != "queued", target=Path(outcome.name).name[:200] or None)
    return outcome.state


def enqueue_ingest(app: Appliance, huey: BelfortHuey, path: Path, collection: str, *,
                   source_name: str | None = None, keep_source: bool = False) -> str:
    """Record a queued JobOutcome, then queue the task (in immediate mode it runs right here).

    In a pseudonymised collection the file name may name a citizen: the job shows no name until the
    worker has the pseudonymised one (the name tagger runs there, not in the web or watcher process)."""
    from appliance.privacy.pseudonyms import collection_pseudonymises

    job_id = uuid.uuid4().hex
    target = "" if collection_pseudonymises(app, collection) else Path(source_name or path.name).name[:200]
    with write_session(app.db) as s:
        s.add(JobOutcome(job_id=job_id, kind="ingest", target=target, collection=collection, state="queued"))
    huey.ingest_path_task(str(path), collection, job_id, source_name, keep_source)
    return job_id


def _update_job(app: Appliance, job_id: str, *, state: str, code: str = "", message: str = "",
                progress: float = 0.0, finished: bool = False, target: str | None = None) -> None:
    with write_session(app.db) as s:
        from sqlmodel import select

        row = s.exec(select(JobOutcome).where(JobOutcome.job_id == job_id)).first()
        if row is None:  # queued by an older process whose row was lost: record it now
            row = JobOutcome(job_id=job_id, kind="ingest")
        row.state, row.code, row.message, row.progress = state, code, message[:500], progress
        if target is not None:
            row.target = target
        if finished:
            row.finished_at = utcnow()
        s.add(row)


def run_worker(settings: Settings, workers: int = 2) -> None:
    """`belfort worker`: the Huey consumer. Threads: SQLite's writer lock makes writes take turns, and
    a second thread keeps the outbox and the mailbox poll going while a long recording is transcribed."""
    huey = make_huey(settings)
    app = worker_appliance(settings)  # open once and check the index before the first job
    if settings.ocr.on_ingest:
        enqueue_pending_ocr(app, huey)  # scans stored before OCR was available, or while it was down
    enqueue_unfinished_transcriptions(app, huey)  # recordings whose job stopped with the last worker
    # periodic: the outbox delivery and the IMAP poll run from this consumer's scheduler
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                    check_worker_health=True)
    consumer.run()


# --- triage learning and reminders (issue 6) ---------------------------------------------------

RETRAIN_KIND = "triage_retrain"


def queue_for(settings: Settings) -> BelfortHuey:
    """The queue this process built for these settings (the web app's), else a new one."""
    with _apps_lock:
        huey = _queues.get(str(settings.data_dir.resolve()))
    return huey if huey is not None else make_huey(settings)


def register_triage_learning_tasks(huey: BelfortHuey, settings: Settings) -> None:
    from huey import crontab

    @huey.task(name="triage_retrain")
    def triage_retrain_task(job_id: str) -> str:
        return run_retrain_job(worker_appliance(settings), job_id)

    @huey.periodic_task(crontab(hour="7", minute="0"), name="triage_reminders")
    def triage_reminders_task() -> dict[str, int]:
        from appliance.triage.queue import send_reminders

        return send_reminders(worker_appliance(settings))

    huey.triage_retrain_task = triage_retrain_task  # type: ignore[attr-defined]
    huey.triage_reminders_task = triage_reminders_task  # type: ignore[attr-defined]


def enqueue_retrain(app: Appliance, huey: BelfortHuey) -> str | None:
    """Queue one retrain unless one is already waiting: corrections made meanwhile are all picked up
    by that one (debounce). Returns the job id, or None when one was already queued."""
    from sqlmodel import select

    with write_session(app.db) as s:
        waiting = s.exec(select(JobOutcome).where(JobOutcome.kind == RETRAIN_KIND,
                                                  JobOutcome.state == "queued")).first()
        if waiting is not None:
            return None
        job_id = uuid.uuid4().hex
        s.add(JobOutcome(job_id=job_id, kind=RETRAIN_KIND, target="triage:model", state="queued"))
    huey.triage_retrain_task(job_id)  # type: ignore[attr-defined]
    return job_id


def run_retrain_job(app: Appliance, job_id: str) -> str:
    from appliance.errors import BelfortError
    from appliance.triage.learning import retrain

    _update_job(app, job_id, state="running", progress=0.1)
    try:
        result = retrain(app)
    except BelfortError as exc:  # no taxonomy, embedder changed: the old model stays active
        _update_job(app, job_id, state="failed", code=exc.code, message=exc.message, progress=1.0,
                    finished=True)
        return "failed"
    if result.version is None:
        _update_job(app, job_id, state="done", code="triage.retrain_skipped", message=result.reason,
                    progress=1.0, finished=True)
        return "skipped"
    _update_job(app, job_id, state="done", code="triage.retrained", message=f"model {result.version}",
                progress=1.0, finished=True)
    return result.version


def register_minutes_tasks(huey: BelfortHuey, settings: Settings) -> None:
    """Retention: once a day, at night, the stored audio of recordings past the retention period goes."""
    from huey import crontab

    @huey.periodic_task(crontab(hour="3", minute="30"), name="purge_recordings")
    def purge_recordings_task() -> int:
        from appliance.recordings.retention import purge_recordings

        return purge_recordings(worker_appliance(settings))


def register_minutes_draft_task(huey: BelfortHuey, settings: Settings) -> None:
    @huey.task(name="draft_minutes")
    def draft_minutes_task(recording_id: int, job_id: str, options: dict[str, Any]) -> str:
        return run_minutes_job(worker_appliance(settings), recording_id, job_id, options)

    huey.draft_minutes_task = draft_minutes_task


def run_minutes_job(app: Appliance, recording_id: int, job_id: str, options: dict[str, Any]) -> str:
    """Draft minutes with progress per transcript window; the outcome names the minutes' id."""
    from sqlmodel import select

    from appliance.db.engine import read_session
    from appliance.db.tables import User
    from appliance.errors import BelfortError
    from appliance.access.principals import SYSTEM, principal_for
    from appliance.minutes.draft import draft_minutes

    opts = dict(options)
    username = str(opts.pop("username", "system"))
    who = SYSTEM
    if username != "system":  # the requester's rights apply to an agenda document (rebuilt: groups may change)
        with read_session(app.db) as s:
            user = s.exec(select(User).where(User.username == username)).first()
            if user is None or not user.active:  # never fall back to the system's rights
                _update_job(app, job_id, state="failed", code="auth.unknown_user", message="requester not found",
                            progress=1.0, finished=True)
                return "failed"
            who = principal_for(s, user)
    _update_job(app, job_id, state="running", progress=0.0)
    try:
        minutes = draft_minutes(app, recording_id, who=who, **opts,
                                progress_cb=lambda p: _update_job(app, job_id, state="running", progress=round(p, 3)))
    except BelfortError as exc:  # unfinished or empty transcript, unreadable agenda
        _update_job(app, job_id, state="failed", code=exc.code, message=exc.message, progress=1.0, finished=True)
        return "failed"
    failed = minutes.state == "failed"
    _update_job(app, job_id, state="failed" if failed else "done",
                code="minutes.failed" if failed else "minutes.drafted",
                message=f"minutes {minutes.id}" + (f": {minutes.error}" if failed else ""),
                progress=1.0, finished=True)
    return minutes.state


def enqueue_minutes(app: Appliance, huey: BelfortHuey, recording_id: int, *, agenda: str | int | None = None,
                    attendees: list[str] | tuple[str, ...] = (), title: str = "", meeting_date: str = "",
                    body: str = "", username: str = "system") -> str:
    """Queue drafting; `agenda` is text or an ingested document's id (read with `username`'s rights)."""
    job_id = uuid.uuid4().hex
    with write_session(app.db) as s:
        s.add(JobOutcome(job_id=job_id, kind="minutes", target=f"recording:{recording_id}", state="queued"))
    huey.draft_minutes_task(recording_id, job_id, {
        "agenda": agenda, "attendees": list(attendees), "title": title, "meeting_date": meeting_date,
        "body": body, "username": username})
    return job_id
