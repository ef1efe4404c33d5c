"""Page controllers: thin handlers over the feature packages (their public surfaces) that return templates."""

from __future__ import annotations

from litestar.di import Provide
from litestar.router import Router

from webui.controllers import (
    admin,
    auth,
    documents,
    identity,
    ingest,
    monitoring,
    pilot,
    redaction,
    search,
    tickets,
    triage_admin,
    write,
)
from webui.controllers import ask as ask_pages
from webui.controllers import audit as audit_pages
from webui.controllers import compare as compare_pages
from webui.controllers import directory as directory_pages
from webui.controllers import insight as insight_pages
from webui.controllers import mandates as mandates_pages
from webui.controllers import minutes as minutes_pages
from webui.controllers import minutes_lblod as minutes_publication
from webui.controllers import recordings as recording_pages
from webui.controllers import retention as retention_pages
from webui.controllers import transcript_cleanup as cleanup_pages
from webui.controllers import triage as triage_pages
from webui.web import current_principal


def handlers(max_upload_mb: int, max_recording_mb: int = 2048) -> list[Router]:
    signed_in = Router(
        path="/",
        route_handlers=[
            *search.HANDLERS,
            *ask_pages.HANDLERS,
            *documents.HANDLERS,
            *compare_pages.HANDLERS,
            *ingest.handlers(max_upload_mb),
            *admin.HANDLERS,
            *redaction.HANDLERS,
            *tickets.HANDLERS,
            *minutes_pages.HANDLERS,
            *minutes_publication.HANDLERS,
            *mandates_pages.HANDLERS,
            *recording_pages.handlers(max_recording_mb),
            *audit_pages.HANDLERS,
            *triage_pages.HANDLERS,
            *triage_admin.HANDLERS,
            *insight_pages.HANDLERS,
            *write.HANDLERS,
            *monitoring.HANDLERS,
            *pilot.HANDLERS,
            *retention_pages.HANDLERS,
            *identity.HANDLERS,
            *directory_pages.HANDLERS,
            *cleanup_pages.HANDLERS,
        ],
        dependencies={"who": Provide(current_principal, sync_to_thread=True)},
        include_in_schema=False,
    )
    # Handlers sharing a path are registered through one Router: registering them one by one makes
    # Litestar 2.25 wrap a sync handler twice (`on_registration` runs again for the whole route).
    public = Router(path="/", route_handlers=[*auth.HANDLERS, *monitoring.PUBLIC], include_in_schema=False)
    return [public, signed_in]
