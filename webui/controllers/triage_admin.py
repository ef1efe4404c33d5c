"""Admin console for triage: edit the taxonomy (categories, departments, YAML import/export) and the
model (versions, retrain now, roll back). Every edit is validated before it becomes active."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from appliance import triage
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.i18n import t
from appliance.jobs import request_retrain
from appliance.triage import active_taxonomy
from webui.translate import error_text
from webui.web import language_of, page, require_role

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
HOME = "/admin/triage"


def _console(request: Request, appliance: Appliance, who: Principal, *, status: int = 200,
             error: str = "", notice: str = "") -> Template:
    try:
        taxonomy = active_taxonomy(appliance.settings)
    except BelfortError:
        taxonomy = None
    waiting = {c.key: triage.waiting_items(appliance, c.key) for c in taxonomy.categories} \
        if taxonomy else {}
    return page(request, "triage_admin.html", who=who, status=status, error=error, notice=notice,
                taxonomy=taxonomy, waiting=waiting, models=triage.model_history(appliance),
                unused_labels=triage.unused_label_count(appliance),
                last_retrain=triage.last_retrain(appliance))


@get(HOME, sync_to_thread=True, include_in_schema=False)
def console(request: Request, appliance: Appliance, who: Principal) -> Template:
    require_role(who, "admin")
    return _console(request, appliance, who)


def _act(request: Request, appliance: Appliance, who: Principal,
         action: Callable[[], Any]) -> Template | Redirect:
    """Run an edit; a refusal re-renders the console with the translated reason and changes nothing."""
    require_role(who, "admin")
    try:
        action()
    except BelfortError as exc:
        if exc.status >= 500:
            raise
        lang = language_of(request)
        text = (t(lang, "triage.category_in_use", n=exc.count, category=exc.key)
                if isinstance(exc, triage.CategoryInUse) else error_text(lang, exc.code, exc.message))
        return _console(request, appliance, who, status=exc.status, error=text)
    return Redirect(HOME, status_code=303)


@post(HOME + "/categories/{key:str}", sync_to_thread=True, include_in_schema=False)
def edit_category(request: Request, appliance: Appliance, who: Principal, key: str,
                  data: dict[str, Any] = FORM) -> Template | Redirect:
    return _act(request, appliance, who,
                lambda: triage.update_category(appliance, key, data, actor=who.username))


@post(HOME + "/categories", sync_to_thread=True, include_in_schema=False)
def add_category(request: Request, appliance: Appliance, who: Principal,
                 data: dict[str, Any] = FORM) -> Template | Redirect:
    return _act(request, appliance, who,
                lambda: triage.add_category(appliance, data, actor=who.username))


@post(HOME + "/categories/{key:str}/remove", sync_to_thread=True, include_in_schema=False)
def remove_category(request: Request, appliance: Appliance, who: Principal, key: str) -> Template | Redirect:
    return _act(request, appliance, who,
                lambda: triage.remove_category(appliance, key, actor=who.username))


@post(HOME + "/departments", sync_to_thread=True, include_in_schema=False)
def save_department(request: Request, appliance: Appliance, who: Principal,
                    data: dict[str, Any] = FORM) -> Template | Redirect:
    return _act(request, appliance, who,
                lambda: triage.save_department(appliance, data, actor=who.username))


@post(HOME + "/import", sync_to_thread=True, include_in_schema=False)
def import_yaml(request: Request, appliance: Appliance, who: Principal,
                data: dict[str, Any] = FORM) -> Template | Redirect:
    return _act(request, appliance, who,
                lambda: triage.import_yaml(appliance, str(data.get("yaml") or ""), actor=who.username))


@get(HOME + "/taxonomy.yaml", sync_to_thread=True, include_in_schema=False)
def export_yaml(appliance: Appliance, who: Principal) -> Response[str]:
    require_role(who, "admin")
    return Response(triage.export_yaml(appliance), media_type="application/yaml",
                    headers={"Content-Disposition": 'attachment; filename="taxonomy.yaml"'})


@post(HOME + "/rollback", sync_to_thread=True, include_in_schema=False)
def rollback(request: Request, appliance: Appliance, who: Principal) -> Template | Redirect:
    return _act(request, appliance, who, lambda: triage.rollback(appliance, who))


@post(HOME + "/retrain", sync_to_thread=True, include_in_schema=False)
def retrain(request: Request, appliance: Appliance, who: Principal) -> Template | Redirect:
    return _act(request, appliance, who, lambda: request_retrain(appliance))


HANDLERS = [console, edit_category, add_category, remove_category, save_department, import_yaml, export_yaml,
            rollback, retrain]
