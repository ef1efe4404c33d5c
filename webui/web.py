"""What every page handler shares: the signed-in Principal, the language and rendering a page."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException
from litestar.response import Template
from litestar.utils.scope.state import ScopeState

from appliance import access
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import Forbidden
from appliance.i18n import LANGUAGES, t

LANG_COOKIE = "belfort_lang"


class SignInRequired(NotAuthorizedException):
    """Raised for pages that need a signed-in user; the error handler redirects to the sign-in page."""


def language_of(request: Request) -> str:
    chosen: str | None = request.query_params.get("lang")
    if chosen in LANGUAGES:
        return chosen
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    app: Appliance = request.app.state.appliance
    return app.settings.web.default_language


def client_address(request: Request) -> str:
    """The client's address for rate limits (uvicorn puts a trusted local proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else ""


def current_principal(request: Request, appliance: Appliance) -> Principal:
    """Dependency of every signed-in page; reloads the user so role, groups and disabling apply at once."""
    uid = request.session.get("uid") if request.scope.get("session") else None
    sid = str(request.session.get("sid", "")) if uid else ""
    # The session must still live on the server: signed out, new password or disabled ends it.
    who = access.session_principal(appliance, int(uid), sid) if uid else None
    if who is None:
        raise SignInRequired("sign in first")
    return who


def optional_principal(request: Request, appliance: Appliance) -> Principal | None:
    try:
        return current_principal(request, appliance)
    except SignInRequired:
        return None


def require_role(who: Principal, role: str) -> None:
    if not who.has_role(role):  # the rule is the principal's (appliance.access)
        raise Forbidden(
            "auth.forbidden", f"this page needs the role {role}", hint="ask an administrator for access"
        )


def _may_triage(request: Request, who: Principal) -> bool:
    from appliance.triage import may_triage

    return may_triage(request.app.state.appliance, who)


def page(
    request: Request, name: str, *, who: Principal | None = None, status: int = 200, **context: Any
) -> Template:
    lang = language_of(request)
    csrf = ScopeState.from_scope(request.scope).csrf_token
    ctx = {
        "lang": lang,
        "languages": LANGUAGES,
        "t": partial(t, lang),
        "who": who,
        "csrf": csrf if isinstance(csrf, str) else "",
        "path": request.url.path,
        "can_ingest": who is not None and who.can_ingest,
        "is_admin": who is not None and who.is_admin,
        "can_triage": who is not None and _may_triage(request, who),
        **context,
    }
    response = Template(template_name=name, context=ctx, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            httponly=True,
            samesite="lax",
            secure=not request.app.state.appliance.settings.web.insecure_http,
        )
    return response
