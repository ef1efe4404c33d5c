"""Escalation tickets over the API: forward an answer to a colleague, list and read tickets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import get, post
from litestar.params import Parameter

from appliance import ask
from appliance.access import Principal
from appliance.context import Appliance
from appliance.ids import Id


@dataclass
class ForwardIn:
    note: Annotated[str, Parameter(max_length=ask.MAX_NOTE_CHARS)] = ""


@dataclass
class TicketOut:
    id: int
    answer_id: int
    state: str  # open | answered | closed
    asker: str
    question: str
    answer: str
    answer_status: str  # answered | extractive | dont_know | escalated: extractive answers are not AI-made
    note: str
    collection: str
    department: str
    mailbox: str
    reply: str
    replied_by: str
    created_at: str
    replied_at: str | None
    closed_at: str | None
    mine: bool
    may_handle: bool
    url: str
    # number, document_id, title, page, collection
    sources: list[dict[str, Any]] = field(default_factory=list)


def ticket_out(info: ask.TicketInfo) -> TicketOut:
    t = info.ticket
    return TicketOut(
        id=t.id or 0, answer_id=t.answer_id, state=t.state, asker=t.asker, question=t.question,
        answer=info.answer, answer_status=t.answer_status, note=t.note, collection=t.collection, department=t.department, mailbox=t.mailbox, reply=t.reply,
        replied_by=t.replied_by, created_at=t.created_at.isoformat(),
        replied_at=t.replied_at.isoformat() if t.replied_at else None,
        closed_at=t.closed_at.isoformat() if t.closed_at else None, mine=info.mine,
        may_handle=info.may_handle,
        url=ask.ticket_path(t.id), sources=list(info.sources),
    )


@post("/ask/{answer_id:int}/forward", sync_to_thread=True, tags=["ask"], status_code=201,
      summary="Forward an answer to a colleague (creates an escalation ticket)")
def forward_answer(appliance: Appliance, who: Principal, answer_id: Id, data: ForwardIn) -> TicketOut:
    ticket = ask.forward_ticket(appliance, who, answer_id, data.note)
    return ticket_out(ask.get_ticket(appliance, who, ticket.id or 0))


@get("/tickets", sync_to_thread=True, tags=["tickets"], summary="My tickets and the tickets I handle")
def list_tickets(appliance: Appliance, who: Principal,
                 ticket_state: str = Parameter(query="state", default="",
                                               description="open | answered | closed; empty: all",
                                               schema_extra={"enum": ["", *ask.TICKET_STATES]}),
                 ) -> list[TicketOut]:
    return [ticket_out(i) for i in ask.list_tickets(appliance, who, state=ticket_state)]


@get("/tickets/{ticket_id:int}", sync_to_thread=True, tags=["tickets"], summary="One ticket with its reply")
def get_ticket(appliance: Appliance, who: Principal, ticket_id: Id) -> TicketOut:
    return ticket_out(ask.get_ticket(appliance, who, ticket_id))


HANDLERS = [forward_answer, list_tickets, get_ticket]
