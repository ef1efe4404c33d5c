"""Admin console: identity providers (OIDC) with their claim mapping, the last sign-ins through them,
and the sweep that deactivates users the provider stopped vouching for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from appliance import access
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from webui.controllers.oidc import redirect_uri
from webui.controllers.second_factor import qr_svg
from webui.translate import error_text
from webui.web import client_address, language_of, page, require_role

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


@dataclass
class ProviderForm:
    name: str = ""
    title: str = ""
    preset: str = "generic"
    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""
    scopes: str = ""
    username_claim: str = ""
    groups_claim: str = ""
    roles_claim: str = ""
    group_map: str = ""
    role_map: str = ""
    require_mapped: str = ""
    enabled: str = ""


def _lines(pairs: dict[str, str]) -> str:
    return "\n".join(f"{k} = {v}" for k, v in pairs.items())


def _page(request: Request, appliance: Appliance, who: Principal, *, status: int = 200, error: str = "",
          swept: list[str] | None = None, saved: str = "") -> Template:
    providers = access.list_oidc_providers(appliance)
    return page(request, "admin_identity.html", who=who, status=status, error=error, saved=saved,
                providers=[(p, _lines(p.mapping["groups"]), _lines(p.mapping["roles"])) for p in providers],
                presets=access.OIDC_PRESETS, callback=redirect_uri(request, appliance),
                sign_ins=access.oidc_sign_ins(appliance), swept=swept,
                unguarded_admins=access.admins_without_second_factor(appliance),
                inactive_days=appliance.settings.identity.oidc_inactive_days)


@get("/admin/identity", sync_to_thread=True, include_in_schema=False)
def identity_console(request: Request, appliance: Appliance, who: Principal) -> Template:
    require_role(who, "admin")
    return _page(request, appliance, who, saved=request.query_params.get("saved", "")[:40])


@post("/admin/identity/providers", sync_to_thread=True, include_in_schema=False)
def save_provider(request: Request, appliance: Appliance, who: Principal,
                  data: Annotated[ProviderForm, FORM]) -> Template | Redirect:
    require_role(who, "admin")
    try:
        mapping = {"groups": access.parse_mapping_lines(data.group_map, "group"),
                   "roles": access.parse_mapping_lines(data.role_map, "role"),
                   "require_mapped": bool(data.require_mapped)}
        info = access.save_oidc_provider(
            appliance, data.name, actor=who.username, title=data.title.strip()[:80] or None, preset=data.preset,
            issuer=data.issuer, client_id=data.client_id.strip(), client_secret=data.client_secret.strip() or None,
            scopes=" ".join(data.scopes.split()) or None, username_claim=data.username_claim.strip() or None,
            groups_claim=data.groups_claim.strip(), roles_claim=data.roles_claim.strip(), mapping=mapping,
            enabled=bool(data.enabled))
    except BelfortError as exc:
        if not exc.code.startswith("oidc."):
            raise
        return _page(request, appliance, who, status=exc.status,
                     error=error_text(language_of(request), exc.code, exc.message))
    return Redirect(f"/admin/identity?saved={info.name}", status_code=303)


@post("/admin/identity/sweep", sync_to_thread=True, include_in_schema=False)
def sweep(request: Request, appliance: Appliance, who: Principal) -> Template:
    require_role(who, "admin")
    return _page(request, appliance, who, swept=access.sweep_oidc_users(appliance, actor=who.username))


@dataclass
class CodeForm:
    code: str = ""


def _account_page(request: Request, appliance: Appliance, who: Principal, *, status: int = 200,
                  error: str = "") -> Template:
    state = access.second_factor_state(appliance, who.user_id or 0)
    return page(request, "account_second_factor.html", who=who, state=state, status=status, error=error)


@get("/account/second-factor", sync_to_thread=True, include_in_schema=False)
def account_factor(request: Request, appliance: Appliance, who: Principal) -> Template:
    return _account_page(request, appliance, who)


@post("/account/second-factor/begin", sync_to_thread=True, include_in_schema=False)
def account_begin(request: Request, appliance: Appliance, who: Principal) -> Template:
    """Any local account may add a second factor (administrators must, at sign-in)."""
    if not access.second_factor_state(appliance, who.user_id or 0).local:
        return _account_page(request, appliance, who, status=409)
    return _enrol(request, appliance, who)


def _enrol(request: Request, appliance: Appliance, who: Principal, *, status: int = 200, error: str = "") -> Template:
    enrolment = access.totp_begin(appliance, who.username)
    return page(request, "second_factor_enrol.html", who=who, status=status, error=error, secret=enrolment.secret,
                uri=enrolment.uri, qr=qr_svg(enrolment.uri), action="/account/second-factor/confirm")


@post("/account/second-factor/confirm", sync_to_thread=True, include_in_schema=False)
def account_confirm(request: Request, appliance: Appliance, who: Principal,
                    data: Annotated[CodeForm, FORM]) -> Template:
    try:
        codes = access.totp_confirm(appliance, who.username, data.code, client=client_address(request))
    except BelfortError as exc:
        if exc.code not in ("auth.second_factor_invalid", "auth.rate_limited"):
            raise
        return _enrol(request, appliance, who, status=exc.status,
                      error=error_text(language_of(request), exc.code, exc.message))
    return page(request, "second_factor_codes.html", who=who, codes=codes, next="/account/second-factor")


HANDLERS = [identity_console, save_provider, sweep, account_factor, account_begin, account_confirm]
