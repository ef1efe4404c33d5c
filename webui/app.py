"""The Litestar application around the staff pages and the admin console; the JSON API it serves too
(appliance.api) is handed in by ops.webapp, which composes the two: pages never import the API."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from appliance.access import SESSION_HOURS
from appliance.context import Appliance
from appliance.metrics import Metrics
from webui.controllers import handlers
from webui.errors import handle_exception
from webui.observe import RequestTimer, count_unmatched, queue_depths
from webui.security import add_security_headers, derive, secret_key

HERE = Path(__file__).parent


def _templates() -> TemplateConfig:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a typo in a template fails the tests instead of rendering blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(env))


def build_web(
    app: Appliance, *, api: Router, openapi: OpenAPIConfig, state: dict[str, Any], debug: bool = False
) -> Litestar:
    """The web app around a migrated Appliance: the pages, the `api` router and its schema; `state`
    holds what handlers share (the upload enqueue, the queue)."""
    settings = app.settings
    secret = secret_key(settings)
    secure = not settings.web.insecure_http  # Secure unless a plain-http demo says otherwise
    session = CookieBackendConfig(
        secret=derive(secret, "session"),
        key="belfort_session",
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(timedelta(hours=SESSION_HOURS).total_seconds()),
        exclude=["^/api/", "^/static/"],
    )
    csrf = CSRFConfig(
        secret=derive(secret, "csrf").hex(),
        cookie_name="belfort_csrf",
        cookie_secure=secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=["^/api/"],
    )
    metrics = state.get("metrics") or Metrics(app, queue_depths=lambda: queue_depths(app))
    web = Litestar(
        route_handlers=[
            api,
            *handlers(settings.web.max_upload_mb, settings.asr.max_upload_mb),
            create_static_files_router(
                path="/static", directories=[HERE / "static"], include_in_schema=False
            ),
        ],
        dependencies={"appliance": Provide(lambda: app, use_cache=True, sync_to_thread=False)},
        state=State({"appliance": app, **state, "metrics": metrics}),
        middleware=[DefineMiddleware(RequestTimer, metrics=metrics), session.middleware],
        csrf_config=csrf,
        template_config=_templates(),
        exception_handlers={Exception: handle_exception},
        before_send=[add_security_headers, count_unmatched(metrics)],
        openapi_config=openapi,
        debug=debug,
    )
    return web
