"""Sign-in and sign-out; the session lives on the server (appliance.access.sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from appliance import access
from appliance.context import Appliance
from appliance.errors import BelfortError
from webui.controllers.oidc import HANDLERS as OIDC
from webui.controllers.oidc import providers
from webui.controllers.second_factor import HANDLERS as SECOND_FACTOR
from webui.controllers.second_factor import begin_pending
from webui.translate import error_text
from webui.web import client_address, language_of, optional_principal, page


@dataclass
class SignInForm:
    username: str = ""
    password: str = ""
    next: str = "/"


def safe_next(target: str) -> str:
    """Only local paths: never an open redirect to another site."""
    # Browsers drop tabs and newlines inside URLs, so "/\t/evil" would become "//evil".
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 or ch == "\x7f" for ch in target)
    ):
        return "/"
    return target


@get("/sign-in", sync_to_thread=True, include_in_schema=False)
def sign_in_page(request: Request, appliance: Appliance, next: str = "/") -> Template | Redirect:
    if optional_principal(request, appliance) is not None:
        return Redirect(safe_next(next))
    return page(request, "sign_in.html", next=safe_next(next), error="", username="", providers=providers(appliance))


@post("/sign-in", sync_to_thread=True, include_in_schema=False)
def sign_in(
    request: Request,
    appliance: Appliance,
    data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template | Redirect:
    client = client_address(request)
    try:
        who = access.authenticate(appliance, data.username, data.password, client=client)
    except BelfortError as exc:
        if exc.code not in ("auth.invalid", "auth.rate_limited"):
            raise
        response = page(
            request,
            "sign_in.html",
            status=exc.status,
            next=safe_next(data.next),
            error=error_text(language_of(request), exc.code, exc.message),
            username=data.username[:64],
            providers=providers(appliance),
        )
        if hasattr(exc, "retry_after"):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    assert who.user_id is not None
    _end_session(request, appliance)  # a session id planted before sign-in never becomes valid
    step = access.second_factor_step(appliance, who.user_id)
    if step is not None:  # the session starts after the second factor
        if step == "enrol":
            access.totp_begin(appliance, who.username)  # the secret is made here: the enrolment page only reads
        begin_pending(request, who.user_id, safe_next(data.next))
        return Redirect("/sign-in/second-factor" + ("/enrol" if step == "enrol" else ""), status_code=303)
    sid = access.start_session(appliance, who.user_id, client=client)
    request.set_session({"uid": who.user_id, "sid": sid})
    return Redirect(safe_next(data.next), status_code=303)


def _end_session(request: Request, appliance: Appliance) -> None:
    if request.scope.get("session"):
        access.end_session(appliance, str(request.session.get("sid", "")))


@post("/sign-out", sync_to_thread=True, include_in_schema=False)
def sign_out(request: Request, appliance: Appliance) -> Redirect:
    _end_session(request, appliance)  # the server forgets it: a copy of the cookie stops working too
    request.clear_session()
    return Redirect("/sign-in", status_code=303)


HANDLERS = [sign_in_page, sign_in, sign_out, *SECOND_FACTOR, *OIDC]
