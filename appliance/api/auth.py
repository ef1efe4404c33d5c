"""API callers authenticate with `Authorization: Bearer <token>`; no cookies, hence no CSRF exposure.

Every route needs one token scope (appliance.access.tokens): routes that only read need `read`;
every other route is named in WRITE_SCOPES. A route named nowhere is refused for every token (fail
closed) and fails tests/integration/test_api_tokens.py (test_every_api_route_names_a_scope).
"""

from __future__ import annotations

from litestar import Request

from appliance.access import SCOPES, Principal, principal_for_token
from appliance.context import Appliance
from appliance.errors import BelfortError, Forbidden

PREFIX = "/api/v1"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# (method, path template below /api/v1) -> scope, for every route that does more than read.
WRITE_SCOPES: dict[tuple[str, str], str] = {
    ("POST", "/ask"): "ask",
    ("POST", "/ask/stream"): "ask",
    ("POST", "/ask/{answer_id}/feedback"): "ask",
    ("POST", "/ask/{answer_id}/forward"): "ask",
    ("POST", "/pii"): "read",  # finds personal data in the text sent; stores nothing
    ("POST", "/documents"): "ingest",
    ("POST", "/failed/{failed_id}/retry"): "ingest",
    ("POST", "/documents/{document_id}/redact"): "ingest",
    ("POST", "/redactions/{review_id}/approve"): "ingest",
    ("POST", "/intake"): "ingest",
    ("POST", "/recordings"): "ingest",
    ("POST", "/triage/items/{item_id}/route"): "ingest",
    ("POST", "/minutes/{minutes_id}/publish"): "ingest",  # writes the LBLOD publication files
}


def route_scope(method: str, path_template: str) -> str | None:
    """The scope a route needs; None for a route that is named nowhere (refused)."""
    if method.upper() in READ_METHODS:
        return "read"
    path = path_template.removeprefix(PREFIX) or "/"
    path = "/".join(part.split(":", 1)[0] + ("}" if ":" in part else "") for part in path.split("/"))
    return WRITE_SCOPES.get((method.upper(), path))


def api_principal(request: Request, appliance: Appliance) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BelfortError(
            "auth.required",
            "this endpoint needs an API token",
            hint="send 'Authorization: Bearer <token>' (belfort admin create-token)",
            status=401,
        )
    scope = route_scope(request.method, str(request.scope.get("path_template", request.url.path)))
    who = principal_for_token(appliance, token.strip(), scope if scope in SCOPES else None)
    if scope not in SCOPES:
        raise Forbidden("auth.token_scope", "this API route names no token scope",
                        hint="report this to the maintainers: every API route needs a scope")
    return who

