"""Job tracking: one JobOutcome row per job (queued, running with progress, done or failed with a
code), so the UI can show the queue. Rows carry codes and short messages, never file contents."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from sqlmodel import select

from appliance.db.engine import read_session, write_session
from appliance.db.tables import JobOutcome, utcnow
from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.context import Appliance

log = logging.getLogger(__name__)

P = ParamSpec("P")


@dataclass(frozen=True)
class Job:
    """What a tracked job body gets: the worker's appliance, the job's id, and a progress reporter."""

    app: Appliance
    id: str

    def progress(self, fraction: float) -> None:
        update_job(self.app, self.id, state="running", progress=round(fraction, 3))


@dataclass(frozen=True)
class JobEnd:
    """How a job ended: the row's state, code and message, and what the task returns."""

    result: str
    state: str = "done"
    code: str = ""
    message: str = ""
    target: str | None = None  # a name to show instead of the queued one
    finished: bool = True  # False: the job goes back to waiting (its file was busy)


def record_queued(app: Appliance, kind: str, target: str, collection: str = "") -> str:
    """A new job's row in state queued; returns its id (give it to the task)."""
    job_id = uuid.uuid4().hex
    with write_session(app.db) as s:
        s.add(JobOutcome(job_id=job_id, kind=kind, target=target, collection=collection, state="queued"))
    return job_id


def job_state(app: Appliance, job_id: str, *, ended: bool = False) -> str | None:
    """The state a job's row is in now (None when it has no row; with `ended`, None unless it ended)."""
    with read_session(app.db) as s:
        row = s.exec(select(JobOutcome.state, JobOutcome.finished_at).where(JobOutcome.job_id == job_id)).first()
    if row is None or (ended and row[1] is None):
        return None
    return str(row[0])


def update_job(app: Appliance, job_id: str, *, state: str, code: str = "", message: str = "",
               progress: float = 0.0, finished: bool = False, target: str | None = None) -> None:
    with write_session(app.db) as s:
        row = s.exec(select(JobOutcome).where(JobOutcome.job_id == job_id)).first()
        if row is None:  # queued by an older process whose row was lost: record it now
            row = JobOutcome(job_id=job_id, kind="ingest")
        row.state, row.code, row.message, row.progress = state, code, message[:500], progress
        if target is not None:
            row.target = target
        if finished:
            row.finished_at = utcnow()
        s.add(row)


def tracked(kind: str, *, start: float = 0.0, crash: bool = False
            ) -> Callable[[Callable[Concatenate[Job, P], JobEnd]], Callable[Concatenate[Appliance, str, P], str]]:
    """Run a `kind` job body as `fn(app, job_id, ...)`, recording it running (at `start`), then its end.

    A BelfortError is a reported failure: the row keeps its code and message and the job returns
    "failed". With `crash`, every exception (a bug or a full disk) is recorded as job.crashed with its
    type name, logged and raised again; without, other exceptions go up unrecorded. A job whose row
    already ended is not run again (a second delivery of the same job returns its state)."""

    def wrap(fn: Callable[Concatenate[Job, P], JobEnd]) -> Callable[Concatenate[Appliance, str, P], str]:
        @functools.wraps(fn)
        def run(app: Appliance, job_id: str, /, *args: P.args, **kwargs: P.kwargs) -> str:
            # A queue delivers at least once (Redis: a claim given back after its worker finished):
            # a job that already ended keeps its outcome and does not run again.
            if (ended := job_state(app, job_id, ended=True)) is not None:
                log.info("%s job %s already ended (%s)", kind, job_id, ended)
                return ended
            update_job(app, job_id, state="running", progress=start)
            try:
                end = fn(Job(app, job_id), *args, **kwargs)
            except Exception as exc:
                if crash:
                    log.exception("%s job %s crashed", kind, job_id)
                    update_job(app, job_id, state="failed", code="job.crashed", message=type(exc).__name__,
                               progress=1.0, finished=True)
                    raise
                if not isinstance(exc, BelfortError):
                    raise
                update_job(app, job_id, state="failed", code=exc.code, message=exc.message, progress=1.0,
                           finished=True)
                return "failed"
            update_job(app, job_id, state=end.state, code=end.code, message=end.message, progress=1.0,
                       finished=end.finished, target=end.target)
            return end.result

        return run

    return wrap
