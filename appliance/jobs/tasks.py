"""The tasks on the queue. Each task opens this process's appliance and calls one feature function;
`tracked` records its JobOutcome row. Task names and arguments are what the queue file holds: keep
them stable, or jobs queued before an upgrade no longer run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from huey import crontab

from appliance.jobs.appliances import worker_appliance
from appliance.jobs.enqueue import enqueue_pending_ocr
from appliance.jobs.queue import JobQueue
from appliance.jobs.tracking import Job, JobEnd, job_state, tracked

_INGEST_STATES = {"duplicate": "duplicate", "failed": "failed", "busy": "queued"}
F = TypeVar("F", bound=Callable[..., Any])


def _stable(fn: F) -> F:
    """Huey names a task in the queue file by module and name: keep the module these tasks had in
    appliance/jobs.py, so that jobs queued before an upgrade (or by an older process) still run."""
    fn.__module__ = "appliance.jobs"
    return fn


def register_tasks(queue: JobQueue) -> None:
    """Register every task on `queue` (nothing is registered at import)."""
    _register_document_tasks(queue)
    _register_recording_tasks(queue)
    _register_triage_tasks(queue)
    _register_governance_tasks(queue)
    _register_identity_tasks(queue)
    _register_directory_tasks(queue)


def _register_governance_tasks(queue: JobQueue) -> None:
    settings = queue.settings

    @queue.periodic_task(crontab(hour="3", minute="45"), name="apply_retention")

    @_stable
    def apply_retention_task() -> dict[str, Any]:  # retention rules (GDPR, archive decree); holds suspend it
        from appliance.governance import apply_retention

        report = apply_retention(worker_appliance(settings))
        return {k: report[k] for k in ("done", "held", "needs_confirmation")}


def _register_directory_tasks(queue: JobQueue) -> None:
    """The LDAP group sync and the share crawls, when configured (issue 13)."""
    settings = queue.settings
    if settings.ldap.url:
        @queue.periodic_task(crontab(minute=f"*/{settings.ldap.sync_minutes}") if settings.ldap.sync_minutes < 60
                             else crontab(minute="11", hour=f"*/{max(1, settings.ldap.sync_minutes // 60)}"),
                             name="ldap_sync")
        @_stable
        def ldap_sync_task() -> int:
            from appliance.access import ldap_sync

            return len(ldap_sync(worker_appliance(settings)).changes)

    every = settings.shares.crawl_minutes

    @queue.periodic_task(crontab(minute=f"*/{every}") if every < 60
                         else crontab(minute="23", hour=f"*/{max(1, every // 60)}"), name="shares_crawl")
    @_stable
    def shares_crawl_task() -> int:
        from appliance.shares import crawl_all

        return sum(r.ingested for r in crawl_all(worker_appliance(settings)))


def _register_document_tasks(queue: JobQueue) -> None:
    settings = queue.settings

    @queue.task(name="ingest_path")

    @_stable
    def ingest_path_task(path: str, collection: str, job_id: str, source_name: str | None = None,
                         keep_source: bool = False) -> str:
        app = worker_appliance(settings)
        rerun = job_state(app, job_id) == "running"  # its worker died in the middle (Redis claims bring it back)
        state = run_ingest_job(app, job_id, path, collection, source_name, keep_source)
        if rerun and state == "duplicate":  # that worker may have committed it but not indexed it
            from appliance.documents import prepare_ingest

            prepare_ingest(app)
        if state == "needs_ocr" and settings.ocr.on_ingest:
            enqueue_pending_ocr(app, queue)
        return state

    @queue.task(name="ocr_document")

    @_stable
    def ocr_document_task(document_id: int, job_id: str) -> str:
        return run_ocr_job(worker_appliance(settings), job_id, document_id)

    queue.ingest_path_task = ingest_path_task
    queue.ocr_document_task = ocr_document_task


def _register_recording_tasks(queue: JobQueue) -> None:
    settings = queue.settings

    @queue.task(name="transcribe")

    @_stable
    def transcribe_task(path: str, job_id: str, language: str | None = "nl",
                        recording_id: int | None = None) -> str:
        return run_transcribe_job(worker_appliance(settings), job_id, path, language, recording_id)

    @queue.task(name="draft_minutes")

    @_stable
    def draft_minutes_task(recording_id: int, job_id: str, options: dict[str, Any]) -> str:
        return run_minutes_job(worker_appliance(settings), job_id, recording_id, options)

    @queue.periodic_task(crontab(hour="3", minute="30"), name="purge_recordings")

    @_stable
    def purge_recordings_task() -> int:  # retention: the audio of recordings past it goes (GDPR)
        from appliance.recordings import purge_recordings

        return purge_recordings(worker_appliance(settings))

    queue.transcribe_task = transcribe_task
    queue.draft_minutes_task = draft_minutes_task


def _register_identity_tasks(queue: JobQueue) -> None:
    settings = queue.settings

    @queue.periodic_task(crontab(hour="4", minute="10"), name="oidc_sweep")

    @_stable
    def oidc_sweep_task() -> list[str]:  # provider users not seen for identity.oidc_inactive_days go off
        from appliance.access import sweep_oidc_users

        return sweep_oidc_users(worker_appliance(settings))


def _register_triage_tasks(queue: JobQueue) -> None:
    """Triage: deliver the outbox, poll the IMAP mailbox, take in dropped mail, retrain, remind."""
    settings = queue.settings
    every = max(1, settings.mail.deliver_seconds // 60)

    @queue.periodic_task(crontab(minute=f"*/{every}"), name="outbox_deliver")

    @_stable
    def outbox_deliver_task() -> dict[str, int]:
        from appliance.mail import deliver_due

        return deliver_due(worker_appliance(settings))

    if settings.intake.imap_host:
        poll = max(1, settings.intake.poll_seconds // 60)

        @queue.periodic_task(crontab(minute=f"*/{poll}"), name="triage_imap_poll")

        @_stable
        def triage_imap_poll_task() -> dict[str, int]:
            from appliance.triage import poll_mailbox

            return poll_mailbox(worker_appliance(settings)).as_dict()

    @queue.task(name="triage_intake_file")

    @_stable
    def triage_intake_file_task(path: str) -> int | None:
        from appliance.triage import receive_file

        return receive_file(worker_appliance(settings), Path(path))

    @queue.task(name="triage_retrain")

    @_stable
    def triage_retrain_task(job_id: str) -> str:
        return run_retrain_job(worker_appliance(settings), job_id)

    @queue.periodic_task(crontab(hour="7", minute="0"), name="triage_reminders")

    @_stable
    def triage_reminders_task() -> dict[str, int]:  # daily deadline reminders
        from appliance.triage import send_reminders

        return send_reminders(worker_appliance(settings))

    @queue.periodic_task(crontab(minute="17"), name="insight_vectors")

    @_stable
    def insight_vectors_task() -> int:  # the themes page finds the vectors of new items ready
        from appliance.insight import warm_vectors

        return warm_vectors(worker_appliance(settings))

    queue.triage_intake_file_task = triage_intake_file_task
    queue.triage_retrain_task = triage_retrain_task
    queue.triage_reminders_task = triage_reminders_task


@tracked("ingest", start=0.1, crash=True)  # ingest_file reports bad files itself: a raise is a bug or a full disk
def run_ingest_job(job: Job, path: str, collection: str, source_name: str | None, keep_source: bool) -> JobEnd:
    from appliance.documents import ingest_file

    outcome = ingest_file(job.app, Path(path), collection, source_name=source_name, keep_source=keep_source)
    state = _INGEST_STATES.get(outcome.state, "done")
    return JobEnd(outcome.state, state, outcome.code or outcome.state, outcome.message,
                  target=Path(outcome.name).name[:200] or None, finished=state != "queued")


@tracked("OCR", start=0.1, crash=True)
def run_ocr_job(job: Job, document_id: int) -> JobEnd:
    from appliance.documents import ocr_document

    outcome = ocr_document(job.app, document_id)
    # A document still waiting (engine or language data missing) is not lost: it shows its reason.
    state = "failed" if outcome.state in ("needs_ocr", "failed") else "done"
    return JobEnd(outcome.state, state, outcome.code or outcome.state, outcome.message)


@tracked("transcribe")  # no audio, corrupt file, model missing: the recording waits, with a reason
def run_transcribe_job(job: Job, path: str, language: str | None, recording_id: int | None = None) -> JobEnd:
    """A recording in windows with progress; re-queued after a restart it resumes where it stopped.

    Window length, hotwords and the diarizer come from the `asr` settings (an uploaded recording
    keeps the language and window length chosen at upload)."""
    from appliance.recordings import build_diarizer, transcribe_recording

    app = job.app
    result = transcribe_recording(app, Path(path), language=language,
                                  recording_id=recording_id, diarizer=build_diarizer(app),
                                  progress_cb=job.progress)
    return JobEnd(result.state, "done", "transcribed", f"recording {result.recording_id}")


@tracked("triage_retrain", start=0.1)  # no taxonomy, embedder changed: the old model stays active
def run_retrain_job(job: Job) -> JobEnd:
    from appliance.triage import retrain

    result = retrain(job.app)
    if result.version is None:
        return JobEnd("skipped", "done", "triage.retrain_skipped", result.reason)
    return JobEnd(result.version, "done", "triage.retrained", f"model {result.version}")


@tracked("minutes")  # unfinished or empty transcript, unreadable agenda
def run_minutes_job(job: Job, recording_id: int, options: dict[str, Any]) -> JobEnd:
    """Draft minutes with progress per transcript window; the outcome names the minutes' id.

    The requester's rights apply to an agenda document."""
    from appliance.access import requester
    from appliance.db.engine import read_session
    from appliance.minutes import draft_minutes

    opts = dict(options)
    username = str(opts.pop("username", "system"))
    with read_session(job.app.db) as s:
        who = requester(s, username)
    if who is None:
        return JobEnd("failed", "failed", "auth.unknown_user", "requester not found")
    minutes = draft_minutes(job.app, recording_id, who=who, **opts, progress_cb=job.progress)
    failed = minutes.state == "failed"
    return JobEnd(minutes.state, "failed" if failed else "done", "minutes.failed" if failed else "minutes.drafted",
                  f"minutes {minutes.id}" + (f": {minutes.error}" if failed else ""))
