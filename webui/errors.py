"""One exception handler: JSON `{"error": {code, message, hint}}` under /api, a translated page for people."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect

from appliance.errors import BelfortError
from webui.translate import error_text, hint_text
from webui.web import SignInRequired, language_of, page

log = logging.getLogger("belfort.web")

HTTP_CODES = {
    400: "http.bad_request",
    401: "auth.required",
    403: "auth.forbidden",
    404: "http.not_found",
    405: "http.method_not_allowed",
    413: "upload.too_large",
    429: "auth.rate_limited",
}
HINTS = {
    "auth.required": "send 'Authorization: Bearer <token>' (belfort admin create-token)",
    "auth.csrf": "reload the page and submit the form again",
    "upload.too_large": "split the file or raise web.max_upload_mb",
    "request.too_large": "send less: each route documents its body limit in the API schema",
    "request.out_of_range": "send a smaller number: ids, pages and offsets stay below 2**53",
}


def as_belfort_error(exc: Exception, content_type: str = "") -> BelfortError:
    if isinstance(exc, BelfortError):
        return exc
    if isinstance(exc, HTTPException):
        status = exc.status_code
        code = HTTP_CODES.get(status, f"http.{status}")
        if status == 413 and not content_type.startswith("multipart/"):
            code = "request.too_large"  # a JSON or form body over its route's limit, not a file
        if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
            code = "auth.csrf"
        message = str(exc.detail) if exc.detail else code
        return BelfortError(code, message, hint=HINTS.get(code, ""), status=status)
    if isinstance(exc, OverflowError):
        # A number too large for SQLite (64-bit) that some parameter let through: the request's fault.
        # The real guard is the bound on each parameter (appliance.ids); this is the net behind it.
        return BelfortError("request.out_of_range", "a number in the request is too large",
                            hint=HINTS["request.out_of_range"], status=400)
    return BelfortError(
        "internal",
        "an unexpected error occurred",
        hint="the administrator finds the details in the server log",
        status=500,
    )


def handle_exception(request: Request, exc: Exception) -> Response:
    error = as_belfort_error(exc, request.headers.get("content-type", ""))
    if error.status >= 500:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    elif isinstance(exc, OverflowError):  # a parameter without its bound: worth fixing, not a 500
        log.warning("number out of range on %s %s", request.method, request.url.path, exc_info=exc)
    headers = {"Retry-After": str(error.retry_after)} if hasattr(error, "retry_after") else {}
    if request.url.path.startswith("/api/"):
        if error.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return Response(
            {"error": {"code": error.code, "message": error.message, "hint": error.hint}},
            status_code=error.status,
            media_type=MediaType.JSON,
            headers=headers or None,
        )
    if isinstance(exc, SignInRequired) or (
        isinstance(exc, NotAuthorizedException) and error.code == "auth.required"
    ):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/sign-in?next={quote(target, safe='')}")
    lang = language_of(request)
    response = page(
        request,
        "error.html",
        status=error.status,
        error_code=error.code,
        error_message=error_text(lang, error.code, error.message),
        error_hint=hint_text(lang, error.code, error.hint),
    )
    response.headers.update(headers)
    return response
