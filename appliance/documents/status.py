"""Ingest status as one person may see it: the job list, the failed files (their names and reasons)
and retry, filtered by the collections `who` may read (issue 19, finding 6: an archivist outside HR
saw `ontslagdossier-<name>.docx` with its failure reason, and could retry it).

Ingest and OCR jobs belong to their collection; transcription and minutes jobs to their recording
(appliance.recordings.store.can_see); anything else (model retraining, ...) is for admins.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, or_, select

from appliance.access import Principal, readable_collection_ids
from appliance.db.engine import read_session
from appliance.db.tables import Collection, Document, FailedFile, JobOutcome
from appliance.errors import NotFound

if TYPE_CHECKING:
    from appliance.context import Appliance
    from appliance.documents.ingest import IngestOutcome

COLLECTION_KINDS = ("ingest", "ocr")
RECORDING_KINDS = ("transcribe", "minutes")


def readable_names(session: Session, who: Principal) -> set[str]:
    ids = readable_collection_ids(session, who)
    if not ids:
        return set()
    return set(session.exec(select(Collection.name).where(col(Collection.id).in_(ids))).all())


def document_collection(session: Session, document_id: int) -> str:
    """The document's collection name, recorded on its OCR job so that the job follows it."""
    doc = session.get(Document, document_id)
    coll = session.get(Collection, doc.collection_id) if doc is not None else None
    return coll.name if coll is not None else ""


def queued_job_name(app: Appliance, collection: str, name: str) -> str:
    """The name a queued ingest job shows. In a pseudonymised collection the file name may name a
    citizen: the job shows none until the worker has the pseudonymised one (the name tagger runs
    there, not in the web or watcher process)."""
    from appliance.privacy import collection_pseudonymises

    return "" if collection_pseudonymises(app, collection) else Path(name).name[:200]


def _job_filter(session: Session, who: Principal) -> Any:
    from appliance.recordings import visible_ids

    names = readable_names(session, who)
    recordings = [f"recording:{i}" for i in visible_ids(session, who) or []]
    return or_(col(JobOutcome.kind).in_(COLLECTION_KINDS) & col(JobOutcome.collection).in_(names),
               col(JobOutcome.kind).in_(RECORDING_KINDS) & col(JobOutcome.target).in_(recordings))


def list_jobs(app: Appliance, who: Principal, limit: int = 50) -> list[JobOutcome]:
    """The newest jobs `who` may see."""
    with read_session(app.db) as s:
        q = select(JobOutcome).order_by(col(JobOutcome.id).desc()).limit(limit)
        if not who.is_admin:
            q = q.where(_job_filter(s, who))
        return list(s.exec(q).all())


def list_failed(app: Appliance, who: Principal, *, include_resolved: bool = False,
                limit: int = 200) -> list[FailedFile]:
    """Failed files of the collections `who` may read, newest first."""
    with read_session(app.db) as s:
        q = select(FailedFile)
        if not include_resolved:
            q = q.where(col(FailedFile.resolved).is_(False))
        if not who.is_admin:
            q = q.where(col(FailedFile.collection).in_(readable_names(s, who)))
        return list(s.exec(q.order_by(col(FailedFile.id).desc()).limit(limit)).all())


def retry_failed(app: Appliance, who: Principal, failed_id: int) -> IngestOutcome:
    """Retry a failed file of a collection `who` may read; any other is "not found"."""
    from appliance.documents import ingest as documents

    with read_session(app.db) as s:
        row = s.get(FailedFile, failed_id)
        allowed = row is not None and (who.is_admin or row.collection in readable_names(s, who))
    if not allowed:
        raise NotFound("failed.not_found", f"no open failed file #{failed_id}",
                       hint="it was retried already; reload the list")
    return documents.retry_failed(app, failed_id, actor=who.username)
