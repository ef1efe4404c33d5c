"""The first admin console: doctor checks, models and their checksums, collections' groups, users,
API tokens (list and revoke)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template

from appliance import access, documents
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.ids import MAX_ID, Id
from webui.translate import error_text
from webui.web import language_of, page, require_role

log = logging.getLogger("belfort.web")
FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


@dataclass
class GroupsForm:
    groups: str = ""


@dataclass
class CollectionForm:
    name: str = ""
    title: str = ""
    groups: str = ""


@dataclass
class UserForm:
    username: str = ""
    password: str = ""
    role: str = "staff"
    groups: str = ""


@dataclass
class UserUpdateForm:
    role: str = "staff"
    groups: str = ""
    active: str = ""


def split_groups(text: str) -> list[str]:
    return [g.strip() for g in text.replace(";", ",").split(",") if g.strip()]


def doctor_checks(appliance: Appliance) -> list[Any] | None:
    """The doctor's checks; None shows nothing."""
    from appliance import checks

    try:
        return list(checks.run_checks(appliance))
    except Exception:  # a broken check must not take the console down with it
        log.exception("doctor checks failed")
        return None


def model_rows(appliance: Appliance) -> list[dict[str, Any]] | None:
    from models import catalog

    try:
        entries = catalog.load_catalog()
    except Exception:
        log.exception("model catalog unavailable")
        return None
    rows = []
    for entry in entries.values():
        status = catalog.verify_model(entry, appliance.settings.models_dir)
        rows.append(
            {
                "name": entry.name,
                "kind": entry.kind,
                "licence": entry.licence,
                "state": status.state,
                "size_mb": round(entry.size / 1_048_576, 1),
                "files": [
                    (f.path, f.sha256, next((s.state for s in status.files if s.path == f.path), ""))
                    for f in entry.files
                ],
            }
        )
    return rows


def llm_line(appliance: Appliance) -> tuple[str, dict[str, str]] | None:
    """Which LLM runs and why, as an i18n key and its values (the doctor's llm.model check, translated)."""
    from hardware.profile import LARGE_LLM_MIN_GB
    from models.registry import SMALL_LLM

    llm = appliance.settings.llm
    try:
        if llm.engine == "none":
            return "admin.llm_none", {}
        if llm.engine != "llama-cpp":
            name = llm.model if llm.model and llm.model != "auto" else SMALL_LLM  # what the server is asked for
            url = ", ".join(appliance.settings.model_servers.llm or [llm.base_url])
            return "admin.llm_remote", {"name": name, "url": url, "engine": llm.engine}
        choice = appliance.llm_choice()
    except Exception:  # the console must not fail on a broken profile
        log.exception("LLM choice unavailable")
        return None
    values = {"name": choice.name, "preferred": choice.preferred, "memory": f"{choice.memory_gb:g}",
              "need": f"{LARGE_LLM_MIN_GB:g}"}
    if choice.reason == "profile":
        return ("admin.llm_profile_small" if choice.name == SMALL_LLM else "admin.llm_profile_large"), values
    return f"admin.llm_{choice.reason}", values


def _console(
    request: Request, appliance: Appliance, who: Principal, *, status: int = 200, error: str = ""
) -> Template:
    return page(
        request,
        "admin.html",
        who=who,
        status=status,
        error=error,
        checks=doctor_checks(appliance),
        models=model_rows(appliance),
        llm=llm_line(appliance),
        collections=access.list_collections(appliance),
        users=access.list_users(appliance),
        roles=access.ROLES,
    )


@get("/admin", sync_to_thread=True, include_in_schema=False)
def console(request: Request, appliance: Appliance, who: Principal) -> Template:
    require_role(who, "admin")
    return _console(request, appliance, who)


def _act(request: Request, appliance: Appliance, who: Principal, action: Any) -> Template | Redirect:
    """Run an admin action; a refusal re-renders the console with the translated reason."""
    require_role(who, "admin")
    try:
        action()
    except BelfortError as exc:
        if exc.status >= 500:
            raise
        return _console(
            request,
            appliance,
            who,
            status=exc.status,
            error=error_text(language_of(request), exc.code, exc.message),
        )
    return Redirect("/admin", status_code=303)


@post("/admin/collections", sync_to_thread=True, include_in_schema=False)
def create_collection(
    request: Request, appliance: Appliance, who: Principal, data: Annotated[CollectionForm, FORM]
) -> Template | Redirect:
    return _act(
        request,
        appliance,
        who,
        lambda: documents.ensure_collection(
            appliance, data.name.strip(), data.title.strip(), tuple(split_groups(data.groups))
        ),
    )


@post("/admin/collections/{name:str}/groups", sync_to_thread=True, include_in_schema=False)
def set_groups(
    request: Request, appliance: Appliance, who: Principal, name: str, data: Annotated[GroupsForm, FORM]
) -> Template | Redirect:
    return _act(
        request,
        appliance,
        who,
        lambda: access.set_collection_groups(
            appliance, name, split_groups(data.groups), actor=who.username
        ),
    )


@post("/admin/users", sync_to_thread=True, include_in_schema=False)
def create_user(
    request: Request, appliance: Appliance, who: Principal, data: Annotated[UserForm, FORM]
) -> Template | Redirect:
    return _act(
        request,
        appliance,
        who,
        lambda: access.create_user(
            appliance,
            data.username,
            data.password,
            role=data.role,
            groups=split_groups(data.groups),
            actor=who.username,
        ),
    )


@post("/admin/users/{username:str}", sync_to_thread=True, include_in_schema=False)
def update_user(
    request: Request,
    appliance: Appliance,
    who: Principal,
    username: str,
    data: Annotated[UserUpdateForm, FORM],
) -> Template | Redirect:
    def action() -> None:
        access.admin_update_user(appliance, who, username, role=data.role,
                                   groups=split_groups(data.groups), active=bool(data.active))

    return _act(request, appliance, who, action)


@get("/admin/tokens", sync_to_thread=True, include_in_schema=False)
def tokens_page(request: Request, appliance: Appliance, who: Principal,
                revoked: int = Parameter(default=0, ge=0, le=MAX_ID)) -> Template:
    require_role(who, "admin")
    return page(request, "admin_tokens.html", who=who, tokens=access.list_tokens(appliance),
                revoked=revoked)


@post("/admin/tokens/{token_id:int}/revoke", sync_to_thread=True, include_in_schema=False)
def revoke_token(appliance: Appliance, who: Principal, token_id: Id) -> Redirect:
    require_role(who, "admin")
    access.revoke_token(appliance, token_id, actor=who.username)  # unknown id: 404
    return Redirect(f"/admin/tokens?revoked={token_id}", status_code=303)


HANDLERS = [console, create_collection, set_groups, create_user, update_user, tokens_page, revoke_token]
