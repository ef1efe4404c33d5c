"""The mandates page: archivists and admins add or correct governing bodies and add, edit or end
mandates by hand, with the import's checks. A later `belfort mandates import` replaces all of it."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from appliance.access import Principal
from appliance.context import Appliance
from appliance.mandates import end_mandatary, list_bodies, save_body, save_mandatary
from appliance.mandates.edit import KINDS
from webui.web import page, require_role

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


def _one(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return str(value[0] if isinstance(value, list) and value else value or "")


def _back(anchor: str = "") -> Redirect:
    return Redirect("/mandates" + (f"#{anchor}" if anchor else ""), status_code=303)


@get("/mandates", sync_to_thread=True, include_in_schema=False)
def show(request: Request, appliance: Appliance, who: Principal) -> Template:
    require_role(who, "archivist")
    return page(request, "mandates.html", who=who, bodies=list_bodies(appliance), kinds=KINDS)


@post("/mandates/bodies", sync_to_thread=True, include_in_schema=False)
def body(appliance: Appliance, who: Principal, data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    save_body(appliance, who, uri=_one(data, "uri"), name=_one(data, "name"),
              classification=_one(data, "classification"))
    return _back("bodies")


@post("/mandates/people", sync_to_thread=True, include_in_schema=False)
def person(appliance: Appliance, who: Principal, data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    values = {k: _one(data, k) for k in ("uri", "body_uri", "name", "role", "person_uri", "start_date", "end_date")}
    save_mandatary(appliance, who, kind=_one(data, "kind") or "mandataris", **values)
    return _back("people")


@post("/mandates/people/end", sync_to_thread=True, include_in_schema=False)
def end(appliance: Appliance, who: Principal, data: dict[str, Any] = FORM) -> Redirect:
    require_role(who, "archivist")
    end_mandatary(appliance, who, _one(data, "uri"), _one(data, "end_date"))
    return _back("people")


HANDLERS = [show, body, person, end]
