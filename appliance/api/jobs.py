"""Ingest status for archivists: the job queue and the files that failed, with a retry."""

from __future__ import annotations

from litestar import get, post
from litestar.params import Parameter

from appliance import documents
from appliance.access import Principal, require_ingest
from appliance.api.schemas import FailedOut, JobOut
from appliance.context import Appliance
from appliance.db.tables import FailedFile, JobOutcome
from appliance.ids import Id


def job_out(j: JobOutcome) -> JobOut:
    return JobOut(
        j.job_id,
        j.kind,
        j.target,
        j.collection,
        j.state,
        j.code,
        j.message,
        j.progress,
        j.created_at.isoformat(),
        j.finished_at.isoformat() if j.finished_at else None,
    )


def failed_out(f: FailedFile) -> FailedOut:
    return FailedOut(f.id or 0, f.collection, f.original_name, f.code, f.reason, f.hint, f.at.isoformat())


@get("/jobs", sync_to_thread=True, summary="Recent ingest jobs", tags=["ingest"])
def list_jobs(
    appliance: Appliance, who: Principal, limit: int = Parameter(default=50, ge=1, le=500)
) -> list[JobOut]:
    require_ingest(who)
    return [job_out(j) for j in documents.list_jobs(appliance, who, limit)]


@get("/failed", sync_to_thread=True, summary="Files that failed to ingest", tags=["ingest"])
def list_failed(appliance: Appliance, who: Principal) -> list[FailedOut]:
    require_ingest(who)
    return [failed_out(f) for f in documents.list_failed(appliance, who)]


@post("/failed/{failed_id:int}/retry", sync_to_thread=True, summary="Retry a failed file", tags=["ingest"])
def retry_failed(appliance: Appliance, who: Principal, failed_id: Id) -> dict[str, str | int | None]:
    require_ingest(who)
    outcome = documents.retry_failed(appliance, who, failed_id)
    return {
        "state": outcome.state,
        "document_id": outcome.document_id,
        "code": outcome.code,
        "message": outcome.message,
    }
