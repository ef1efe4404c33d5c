"""Escalation tickets: forward an answer to a colleague, list, read, reply to and close tickets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template

from appliance import ask
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.ids import Id
from webui.translate import error_text
from webui.web import language_of, page

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


@dataclass
class ForwardForm:
    note: str = ""


@dataclass
class ReplyForm:
    reply: str = ""


@post("/ask/{answer_id:int}/forward", sync_to_thread=True, include_in_schema=False)
def forward(appliance: Appliance, who: Principal, answer_id: Id,
            data: Annotated[ForwardForm, FORM]) -> Redirect:
    ticket = ask.forward_ticket(appliance, who, answer_id, data.note)
    return Redirect(f"/tickets/{ticket.id}", status_code=303)


@get("/tickets", sync_to_thread=True, include_in_schema=False)
def list_page(request: Request, appliance: Appliance, who: Principal,
              ticket_state: str = Parameter(query="state", default="")) -> Template:
    state = ticket_state if ticket_state in ask.TICKET_STATES else ""
    rows = ask.list_tickets(appliance, who, state=state)
    return page(request, "tickets.html", who=who, state=state, states=ask.TICKET_STATES,
                mine=[r for r in rows if r.mine], handling=[r for r in rows if r.may_handle and not r.mine])


def _detail(request: Request, appliance: Appliance, who: Principal, ticket_id: int, *,
            error: str = "", status: int = 200, draft: str = "") -> Template:
    info = ask.get_ticket(appliance, who, ticket_id)
    return page(request, "tickets_detail.html", who=who, info=info, ticket=info.ticket, error=error,
                status=status, draft=draft, max_reply=ask.MAX_REPLY_CHARS)


@get("/tickets/{ticket_id:int}", sync_to_thread=True, include_in_schema=False)
def detail(request: Request, appliance: Appliance, who: Principal, ticket_id: Id) -> Template:
    return _detail(request, appliance, who, ticket_id)


@post("/tickets/{ticket_id:int}/reply", sync_to_thread=True, include_in_schema=False)
def reply(request: Request, appliance: Appliance, who: Principal, ticket_id: Id,
          data: Annotated[ReplyForm, FORM]) -> Template | Redirect:
    try:
        ask.reply_ticket(appliance, who, ticket_id, data.reply)
    except BelfortError as exc:
        if exc.status == 404 or exc.status >= 500:
            raise
        # Keep what was typed: the page shows the reason beside the handler's draft.
        message = error_text(language_of(request), exc.code, exc.message)
        return _detail(request, appliance, who, ticket_id, error=message, status=exc.status,
                       draft=data.reply[: ask.MAX_REPLY_CHARS])
    return Redirect(f"/tickets/{ticket_id}", status_code=303)


@post("/tickets/{ticket_id:int}/close", sync_to_thread=True, include_in_schema=False)
def close(appliance: Appliance, who: Principal, ticket_id: Id) -> Redirect:
    ask.close_ticket(appliance, who, ticket_id)
    return Redirect(f"/tickets/{ticket_id}", status_code=303)


HANDLERS = [forward, list_page, detail, reply, close]
