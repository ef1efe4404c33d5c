"""The second step of a local sign-in: a TOTP code or a recovery code, and the enrolment administrators
must go through (appliance.access.totp). Between the password and the code the session cookie only holds
a pending user id for five minutes; the server-side session starts after the code."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

import segno
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from markupsafe import Markup

from appliance import access
from appliance.context import Appliance
from appliance.errors import BelfortError
from webui.translate import error_text
from webui.web import client_address, language_of, page

PENDING_S = 300
FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


@dataclass
class CodeForm:
    code: str = ""


def begin_pending(request: Request, user_id: int, next_path: str) -> None:
    request.set_session({"mfa_uid": user_id, "mfa_at": int(time.time()), "next": next_path})


def _pending(request: Request, appliance: Appliance) -> tuple[int, str, str] | None:
    session = request.session if request.scope.get("session") else {}
    uid, at = session.get("mfa_uid"), session.get("mfa_at")
    if not isinstance(uid, int) or not isinstance(at, int) or time.time() - at > PENDING_S:
        return None
    who = access.principal_by_id(appliance, uid)
    return (uid, who.username, str(session.get("next", "/"))) if who is not None else None


def _signed_in(request: Request, appliance: Appliance, uid: int) -> None:
    sid = access.start_session(appliance, uid, client=client_address(request), second_factor="totp")
    request.set_session({"uid": uid, "sid": sid})


def _refused(request: Request, name: str, exc: BelfortError, **context: Any) -> Template:
    response = page(request, name, status=exc.status, error=error_text(language_of(request), exc.code, exc.message),
                    **context)
    if hasattr(exc, "retry_after"):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@get("/sign-in/second-factor", sync_to_thread=True, include_in_schema=False)
def code_page(request: Request, appliance: Appliance) -> Template | Redirect:
    if _pending(request, appliance) is None:
        return Redirect("/sign-in", status_code=303)
    return page(request, "second_factor.html", error="")


@post("/sign-in/second-factor", sync_to_thread=True, include_in_schema=False)
def check_code(request: Request, appliance: Appliance, data: Annotated[CodeForm, FORM]) -> Template | Redirect:
    pending = _pending(request, appliance)
    if pending is None:
        return Redirect("/sign-in", status_code=303)
    uid, username, next_path = pending
    try:
        access.totp_verify(appliance, username, data.code, client=client_address(request))
    except BelfortError as exc:
        if exc.code not in ("auth.second_factor_invalid", "auth.rate_limited"):
            raise
        return _refused(request, "second_factor.html", exc)
    _signed_in(request, appliance, uid)
    return Redirect(next_path, status_code=303)


def qr_svg(uri: str) -> Markup:
    """The otpauth URI as a QR code, drawn here as SVG (no script, no external image); the URI and the
    secret are on the page as text too, for authenticators that cannot scan."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, light="#fff")
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


def _enrol_page(request: Request, appliance: Appliance, username: str, **context: Any) -> Template | Redirect:
    enrolment = access.totp_pending_enrolment(appliance, username)  # made by the password step (a POST)
    if enrolment is None:
        return Redirect("/sign-in", status_code=303)
    return page(request, "second_factor_enrol.html", secret=enrolment.secret, uri=enrolment.uri,
                qr=qr_svg(enrolment.uri), error="", action="/sign-in/second-factor/enrol", **context)


@get("/sign-in/second-factor/enrol", sync_to_thread=True, include_in_schema=False)
def enrol_page(request: Request, appliance: Appliance) -> Template | Redirect:
    pending = _pending(request, appliance)
    if pending is None:
        return Redirect("/sign-in", status_code=303)
    return _enrol_page(request, appliance, pending[1])


@post("/sign-in/second-factor/enrol", sync_to_thread=True, include_in_schema=False)
def confirm_enrolment(request: Request, appliance: Appliance, data: Annotated[CodeForm, FORM]) -> Template | Redirect:
    pending = _pending(request, appliance)
    if pending is None:
        return Redirect("/sign-in", status_code=303)
    uid, username, next_path = pending
    try:
        codes = access.totp_confirm(appliance, username, data.code, client=client_address(request))
    except BelfortError as exc:
        if exc.code not in ("auth.second_factor_invalid", "auth.rate_limited"):
            raise
        response = _enrol_page(request, appliance, username)
        if isinstance(response, Redirect):
            return response
        response.status_code = exc.status
        response.context["error"] = error_text(language_of(request), exc.code, exc.message)
        return response
    _signed_in(request, appliance, uid)
    return page(request, "second_factor_codes.html", codes=codes, next=next_path)


HANDLERS = [code_page, check_code, enrol_page, confirm_enrolment]
