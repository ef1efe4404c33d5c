"""The web app `belfort serve` runs: the staff pages (webui) and the JSON API under /api/v1
(appliance.api), composed here because pages never import the API."""

from __future__ import annotations

from typing import Any

from litestar import Litestar

from appliance.api import api_router, describe_settings, openapi_config
from appliance.context import Appliance
from appliance.documents import Enqueue
from appliance.jobs import upload_enqueue
from webui.app import build_web


def create_app(app: Appliance, *, enqueue: Enqueue | None = None, debug: bool = False) -> Litestar:
    """Build the web app around a migrated Appliance; jobs go to `appliance.jobs.queue_for(app)`."""
    settings = app.settings
    state: dict[str, Any] = {"enqueue": enqueue or upload_enqueue()}
    web = build_web(app, api=api_router(settings.web.max_upload_mb, settings.asr.max_upload_mb),
                    openapi=openapi_config(), state=state, debug=debug)
    describe_settings(web.openapi_schema, list(settings.pii.grounds))
    return web
