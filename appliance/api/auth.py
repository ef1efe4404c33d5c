"""API callers authenticate with `Authorization: Bearer <token>`; no cookies, hence no CSRF exposure."""

from __future__ import annotations

from litestar import Request

from appliance.context import Appliance
from appliance.errors import BelfortError, Forbidden
from appliance.services.access import Principal
from appliance.services.accounts import principal_for_token


def api_principal(request: Request, appliance: Appliance) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BelfortError(
            "auth.required",
            "this endpoint needs an API token",
            hint="send 'Authorization: Bearer <token>' (belfort admin create-token)",
            status=401,
        )
    return principal_for_token(appliance, token.strip())


def require_ingest(who: Principal) -> None:
    if not who.can_ingest:
        raise Forbidden(
            "auth.forbidden",
            "this needs the role archivist or admin",
            hint="ask an administrator for the archivist role",
        )
