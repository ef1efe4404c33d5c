"""Sign-in through an OpenID Connect provider (appliance.access.oidc): a redirect there, the callback
back. The browser that starts a sign-in gets a random value in its session cookie; the callback's state
must belong to that browser."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template

from appliance import access
from appliance.context import Appliance
from appliance.errors import BelfortError
from webui.translate import error_text
from webui.web import client_address, language_of, page

OIDC_ERRORS = ("oidc.", "accounts.")


def redirect_uri(request: Request, appliance: Appliance) -> str:
    base = appliance.settings.identity.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    return base + access.OIDC_CALLBACK_PATH


def providers(appliance: Appliance) -> list[dict[str, str]]:
    """The sign-in page's buttons."""
    return [{"name": p.name, "title": p.title} for p in access.list_oidc_providers(appliance, enabled_only=True)]


def _sign_in_error(request: Request, appliance: Appliance, exc: BelfortError, next_path: str) -> Template:
    from webui.controllers.auth import safe_next

    return page(request, "sign_in.html", status=exc.status, next=safe_next(next_path), username="",
                error=error_text(language_of(request), exc.code, exc.message), providers=providers(appliance))


@dataclass
class StartForm:
    next: str = "/"


@post("/sign-in/oidc/{name:str}", sync_to_thread=True, include_in_schema=False)
def oidc_start(request: Request, appliance: Appliance, name: str,
               data: Annotated[StartForm, Body(media_type=RequestEncodingType.URL_ENCODED)]) -> Template | Redirect:
    """A POST (with the CSRF token), so no other site can start a sign-in in this browser."""
    from webui.controllers.auth import safe_next

    browser = secrets.token_urlsafe(24)
    try:
        url = access.oidc_start(appliance, name[:40], redirect_uri=redirect_uri(request, appliance),
                                browser=browser, next_path=safe_next(data.next))
    except BelfortError as exc:
        if not exc.code.startswith(OIDC_ERRORS):
            raise
        return _sign_in_error(request, appliance, exc, data.next)
    request.set_session({"oidc_browser": browser})
    return Redirect(url, status_code=303)


@get(access.OIDC_CALLBACK_PATH, sync_to_thread=True, include_in_schema=False)
def oidc_callback(request: Request, appliance: Appliance, code: str = "", error: str = "", iss: str = "",
                  answer_state: Annotated[str, Parameter(query="state")] = "") -> Template | Redirect:
    session = request.session if request.scope.get("session") else {}
    browser = str(session.get("oidc_browser", ""))
    try:
        who, next_path = access.oidc_finish(appliance, state=answer_state[:200], code=code[:2000],
                                            error=error[:200], browser=browser, iss=iss[:300],
                                            redirect_uri=redirect_uri(request, appliance))
    except BelfortError as exc:
        if not exc.code.startswith(OIDC_ERRORS):
            raise
        return _sign_in_error(request, appliance, exc, "/")  # the session cookie stays as it was
    assert who.user_id is not None
    sid = access.start_session(appliance, who.user_id, client=client_address(request))
    request.set_session({"uid": who.user_id, "sid": sid})  # replaces the cookie: a planted session dies
    return Redirect(next_path, status_code=303)


HANDLERS = [oidc_start, oidc_callback]
