"""Admin pages for governance: retention rules, legal holds and the dry run (/admin/retention), and
data-subject requests (/admin/subject: search, export as a zip, erase or anonymise)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from appliance import governance
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.i18n import t
from appliance.ids import Id
from webui.translate import error_text
from webui.web import language_of, page, require_role

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
HOME = "/admin/retention"
SUBJECT = "/admin/subject"


def _text(request: Request, exc: BelfortError) -> str:
    lang = language_of(request)
    if isinstance(exc, governance.ConfirmEverything):
        return t(lang, "retention.confirm_needed", count=exc.count)
    return error_text(lang, exc.code, exc.message)


def _console(request: Request, appliance: Appliance, who: Principal, *, status: int = 200, error: str = "",
             form: dict[str, Any] | None = None, report: dict[str, Any] | None = None) -> Template:
    return page(request, "admin_retention.html", who=who, status=status, error=error, form=form or {},
                rules=governance.list_rules(appliance), holds=governance.active_holds(appliance),
                targets=governance.TARGETS, hold_kinds=governance.HOLD_KINDS,
                report=report or governance.retention_dry_run(appliance), applied=report is not None,
                last_run=governance.last_retention_run(appliance))


@get(HOME, sync_to_thread=True, include_in_schema=False)
def console(request: Request, appliance: Appliance, who: Principal) -> Template:
    require_role(who, "admin")
    return _console(request, appliance, who)


def _act(request: Request, appliance: Appliance, who: Principal, data: dict[str, Any],
         action: Callable[[], Any]) -> Template | Redirect:
    require_role(who, "admin")
    try:
        action()
    except BelfortError as exc:
        if exc.status >= 500:
            raise
        return _console(request, appliance, who, status=exc.status, error=_text(request, exc), form=data)
    return Redirect(HOME, status_code=303)


def _one(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return str(value[-1] if isinstance(value, list) and value else value or "")


@post(HOME + "/rules", sync_to_thread=True, include_in_schema=False)
def save_rule(request: Request, appliance: Appliance, who: Principal,
              data: dict[str, Any] = FORM) -> Template | Redirect:
    fields = {k: _one(data, k) for k in ("target", "scope", "days", "date_field", "action", "duty", "confirm")}
    return _act(request, appliance, who, fields, lambda: governance.save_rule(
        appliance, who.username, fields, confirm=fields["confirm"] == "on"))


@post(HOME + "/rules/{rule_id:int}/remove", sync_to_thread=True, include_in_schema=False)
def remove_rule(request: Request, appliance: Appliance, who: Principal, rule_id: Id) -> Template | Redirect:
    return _act(request, appliance, who, {}, lambda: governance.remove_rule(appliance, who.username, rule_id))


@post(HOME + "/holds", sync_to_thread=True, include_in_schema=False)
def place_hold(request: Request, appliance: Appliance, who: Principal,
               data: dict[str, Any] = FORM) -> Template | Redirect:
    f = {k: _one(data, k) for k in ("kind", "ref", "reason", "rrn", "email")}
    return _act(request, appliance, who, f, lambda: governance.place_hold(
        appliance, who.username, f["kind"], f["ref"], reason=f["reason"], rrn=f["rrn"], email=f["email"]))


@post(HOME + "/holds/{hold_id:int}/release", sync_to_thread=True, include_in_schema=False)
def release_hold(request: Request, appliance: Appliance, who: Principal, hold_id: Id,
                 data: dict[str, Any] = FORM) -> Template | Redirect:
    return _act(request, appliance, who, {}, lambda: governance.release_hold(
        appliance, who.username, hold_id, reason=_one(data, "reason")))


@post(HOME + "/apply", sync_to_thread=True, include_in_schema=False)
def apply_now(request: Request, appliance: Appliance, who: Principal, data: dict[str, Any] = FORM) -> Template:
    require_role(who, "admin")
    report = governance.apply_retention(appliance, who.username, confirm=_one(data, "confirm") == "on")
    return _console(request, appliance, who, report=report)


def _subject_page(request: Request, who: Principal, *, status: int = 200, error: str = "",
                  form: dict[str, str], found: list[dict[str, Any]] | None = None,
                  result: dict[str, Any] | None = None) -> Template:
    return page(request, "admin_subject.html", who=who, status=status, error=error, form=form, found=found,
                result=result)


@get(SUBJECT, sync_to_thread=True, include_in_schema=False)
def subject_page(request: Request, who: Principal, name: str = "") -> Template:
    require_role(who, "admin")
    return _subject_page(request, who, form={"name": name[:200], "rrn": "", "email": ""})


def _who_form(data: dict[str, Any]) -> dict[str, str]:
    return {k: _one(data, k)[:200] for k in ("name", "rrn", "email")}


@post(SUBJECT, sync_to_thread=True, include_in_schema=False, status_code=200)
def subject_search(request: Request, appliance: Appliance, who: Principal, data: dict[str, Any] = FORM) -> Template:
    require_role(who, "admin")
    form = _who_form(data)
    try:
        found = governance.search_subject(appliance, who.username, form["name"], rrn=form["rrn"], email=form["email"])
    except BelfortError as exc:
        if exc.status >= 500:
            raise
        return _subject_page(request, who, status=exc.status, error=_text(request, exc), form=form)
    return _subject_page(request, who, form=form, found=[f.as_dict() for f in found])


def _refs(data: dict[str, Any]) -> list[str]:
    value = data.get("item", [])
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v]


@post(SUBJECT + "/export", sync_to_thread=True, include_in_schema=False, status_code=200)
def subject_export(request: Request, appliance: Appliance, who: Principal,
                   data: dict[str, Any] = FORM) -> Response[bytes] | Template:
    require_role(who, "admin")
    form = _who_form(data)
    try:
        body = governance.export_zip(appliance, who.username, form["name"], rrn=form["rrn"], email=form["email"],
                                     refs=_refs(data) or None)
    except BelfortError as exc:
        if exc.status >= 500:
            raise
        return _subject_page(request, who, status=exc.status, error=_text(request, exc), form=form)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(body, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="belfort-subject-{stamp}.zip"', "Cache-Control": "no-store"})


@post(SUBJECT + "/erase", sync_to_thread=True, include_in_schema=False, status_code=200)
def subject_erase(request: Request, appliance: Appliance, who: Principal, data: dict[str, Any] = FORM) -> Template:
    require_role(who, "admin")
    form = _who_form(data)
    try:
        result = governance.erase(appliance, who.username, form["name"], _refs(data), action=_one(data, "action"),
                                  reason=_one(data, "reason"), rrn=form["rrn"], email=form["email"])
        found = governance.search_subject(appliance, who.username, form["name"], rrn=form["rrn"], email=form["email"])
    except BelfortError as exc:
        if exc.status >= 500:
            raise
        return _subject_page(request, who, status=exc.status, error=_text(request, exc), form=form)
    return _subject_page(request, who, form=form, found=[f.as_dict() for f in found], result=result)


HANDLERS = [console, save_rule, remove_rule, place_hold, release_hold, apply_now, subject_page, subject_search,
            subject_export, subject_erase]
