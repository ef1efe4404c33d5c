"""JSON API under /api/v1 (Bearer tokens); its OpenAPI schema is served at /api/v1/schema."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from appliance.api import ask, document_ai, documents, health, intake, jobs, search, triage
from appliance.api import compare as compare_api
from appliance.api import minutes as minutes_api
from appliance.api import minutes_lblod as minutes_lblod_api
from appliance.api import recordings as recordings_api
from appliance.api import tickets as ticket_api
from appliance.api.auth import api_principal
from appliance.storage.staging import MIB

# Request bodies of JSON routes: a question with its history, a note, a form (each route may set its
# own: uploads, intake and /pii do). Litestar's default is 10 MB; a larger body is refused unread (413).
API_BODY_LIMIT = 1 * MIB


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
            document_ai.approve_redaction,
            *triage.HANDLERS,
            *intake.HANDLERS,
            *ticket_api.HANDLERS,
            *minutes_api.HANDLERS,
            *minutes_lblod_api.HANDLERS,
            *compare_api.HANDLERS,
            recordings_api.list_recordings,
            recordings_api.get_recording,
            recordings_api.upload_handler(max_recording_mb * MIB + MIB),
        ],
        dependencies={"who": Provide(api_principal, sync_to_thread=True)},
        security=[{"bearer": []}],  # every route here needs a token; /api/v1/health does not
        request_max_body_size=API_BODY_LIMIT,
    )
    return Router(path="/api/v1", route_handlers=[health.health, protected])


def openapi_config() -> OpenAPIConfig:
    """The API's OpenAPI schema, served at /api/v1/schema (JSON at / and /openapi.json)."""
    return OpenAPIConfig(
        title="Belfort API",
        version="1",
        path="/api/v1/schema",
        render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
        # Security is declared on the protected API router: /api/v1/health needs no token.
        components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
    )


def describe_settings(openapi: Any, grounds: list[str]) -> None:
    """Write the vocabularies that are settings into the OpenAPI schema, so that it says what the
    API refuses: the legal grounds a redaction may cite (pii.grounds; others: redact.unknown_ground)."""
    schema = openapi.components.schemas.get("RedactIn") if openapi.components else None
    if schema is not None and schema.properties and "ground" in schema.properties:
        schema.properties["ground"].enum = sorted(grounds)
