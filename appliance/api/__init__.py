"""JSON API under /api/v1 (Bearer tokens); its OpenAPI schema is served at /api/v1/schema."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from appliance.api import ask, document_ai, documents, health, intake, jobs, search, triage
from appliance.api import minutes as minutes_api
from appliance.api import recordings as recordings_api
from appliance.api import tickets as ticket_api
from appliance.api.auth import api_principal
from appliance.api.uploads import MIB


def api_router(max_upload_mb: int, max_recording_mb: int = 2048) -> Router:
    # Multipart framing adds a little to the file; the exact limit is enforced while the file is staged.
    upload = documents.upload_handler(max_upload_mb * MIB + MIB)
    protected = Router(
        path="/",
        route_handlers=[
            search.search_endpoint,
            ask.ask_endpoint,
            ask.ask_stream_endpoint,
            ask.ask_feedback,
            documents.list_documents,
            documents.get_document,
            documents.download_original,
            upload,
            jobs.list_jobs,
            jobs.list_failed,
            jobs.retry_failed,
            document_ai.ocr_info,
            document_ai.pdfa_copy,
            document_ai.pii_text,
            document_ai.pii_document,
            document_ai.redact_document,
            *triage.HANDLERS,
            *intake.HANDLERS,
            *ticket_api.HANDLERS,
            *minutes_api.HANDLERS,
            recordings_api.list_recordings,
            recordings_api.get_recording,
            recordings_api.upload_handler(max_recording_mb * MIB + MIB),
        ],
        dependencies={"who": Provide(api_principal, sync_to_thread=True)},
    )
    return Router(path="/api/v1", route_handlers=[health.health, protected])
