"""GET /api/v1/health: for load balancers and monitoring; needs no token and reveals no content."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from litestar import get
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from appliance.api.schemas import HealthOut
from appliance.context import Appliance
from appliance.db.reach import unreachable


def _version() -> str:
    try:
        return version("belfort")
    except PackageNotFoundError:
        return "0"


@get("/health", sync_to_thread=True, summary="Liveness and database check", tags=["health"])
def health(appliance: Appliance) -> HealthOut:
    """503 with store.unreachable when the database does not answer: a load balancer takes the node out."""
    try:
        with appliance.db.connect() as conn:
            schema = conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one()
    except DBAPIError as exc:
        raise unreachable(appliance.db, exc) from exc
    return HealthOut(status="ok", version=_version(), schema_version=int(schema))
