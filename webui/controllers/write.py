"""Plain-language pages: /write (a text in, its B1 version, readability and changes out), the admin's
protected terms and tone rules, and the reply draft of a triage item (draft, then approve and send).

Texts are pasted by staff and drafts quote ingested documents: every value is rendered escaped.
Rewriting and drafting run a model or the rules: sync handlers (a thread), never inside `async def`.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from appliance import plain
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.i18n import t
from appliance.ids import Id
from webui.translate import error_text
from webui.web import language_of, page, require_role

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
LANGUAGES = ("nl", "fr", "en")


def _write_page(request: Request, appliance: Appliance, who: Principal, *, status: int = 200,
                error: str = "", result: plain.Rewrite | None = None, **context: Any) -> Template:
    return page(request, "write.html", who=who, status=status, limit=appliance.settings.plain.max_chars,
                languages_plain=LANGUAGES, error=error, result=result, **context)


@get("/write", sync_to_thread=True, include_in_schema=False)
def write_form(request: Request, appliance: Appliance, who: Principal) -> Template:
    return _write_page(request, appliance, who, text="", chosen="")


@post("/write", sync_to_thread=True, include_in_schema=False)
def write(request: Request, appliance: Appliance, who: Principal, data: dict[str, Any] = FORM) -> Template:
    text, chosen = str(data.get("text") or ""), str(data.get("language") or "")
    lang = language_of(request)
    try:
        result = plain.rewrite(appliance, text, language=chosen if chosen in LANGUAGES else "",
                               actor=who.username)
    except BelfortError as exc:
        if exc.code == "plain.too_long":
            error = t(lang, "plain.too_long", chars=len(text), limit=appliance.settings.plain.max_chars)
            text = text[: appliance.settings.plain.max_chars]  # the form shows what fits, not 50,000 characters
        elif exc.code == "plain.empty":
            error = t(lang, "plain.empty")
        else:
            raise
        return _write_page(request, appliance, who, status=exc.status, error=error, text=text, chosen=chosen)
    return _write_page(request, appliance, who, text=text, chosen=chosen, result=result)


@get("/admin/plain", sync_to_thread=True, include_in_schema=False)
def lists_page(request: Request, appliance: Appliance, who: Principal) -> Template:
    require_role(who, "admin")
    return page(request, "admin_plain.html", who=who, terms="\n".join(plain.protected_terms(appliance)),
                rules="\n".join(plain.tone_rules(appliance)), saved=request.query_params.get("saved") == "1",
                error="")


@post("/admin/plain", sync_to_thread=True, include_in_schema=False)
def save_lists(request: Request, appliance: Appliance, who: Principal,
               data: dict[str, Any] = FORM) -> Template | Redirect:
    require_role(who, "admin")
    terms, rules = str(data.get("terms") or ""), str(data.get("rules") or "")
    try:
        plain.save_lists(appliance, who.username, terms=terms, rules=rules)
    except BelfortError as exc:
        return page(request, "admin_plain.html", who=who, status=exc.status, terms=terms, rules=rules,
                    saved=False, error=error_text(language_of(request), exc.code, exc.message))
    return Redirect("/admin/plain?saved=1", status_code=303)


@post("/triage/items/{item_id:int}/reply", sync_to_thread=True, include_in_schema=False)
def draft_reply(appliance: Appliance, who: Principal, item_id: Id) -> Redirect:
    plain.draft_reply(appliance, who, item_id)
    return Redirect(f"/triage/items/{item_id}#reply-heading", status_code=303)


@post("/triage/items/{item_id:int}/reply/send", sync_to_thread=True, include_in_schema=False)
def send_reply(appliance: Appliance, who: Principal, item_id: Id, data: dict[str, Any] = FORM) -> Redirect:
    plain.approve_reply(appliance, who, item_id, subject=str(data.get("subject") or ""),
                        body=str(data.get("body") or ""))
    return Redirect(f"/triage/items/{item_id}#reply-heading", status_code=303)


HANDLERS = [write_form, write, lists_page, save_lists, draft_reply, send_reply]
