"""The ask feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.ask.answering import (
    MAX_QUESTION_CHARS,
    answer,
    close_in_meaning,
    retrieve,
    validate_question,
)
from appliance.ask.citations import MIN_SUPPORT, CheckResult, PassageTerms, check_answer, lexical_support
from appliance.ask.free import model_writes_freely
from appliance.ask.payload import AskOut, llm_notice, to_out
from appliance.ask.prompts import neutralise
from appliance.ask.records import (
    MAX_TURNS,
    client_history,
    conversation,
    load_answer,
    parse_ids,
    passage_offsets,
)
from appliance.ask.records import history as chat_history
from appliance.ask.routes import get_route, set_route
from appliance.ask.stream import events as answer_events
from appliance.ask.stream import single_error as error_event
from appliance.ask.stream import sse as sse_response
from appliance.ask.tickets import (
    MAX_NOTE_CHARS,
    MAX_REPLY_CHARS,
    TicketInfo,
    get_ticket,
    list_tickets,
    ticket_path,
)
from appliance.ask.tickets import STATES as TICKET_STATES
from appliance.ask.tickets import close as close_ticket
from appliance.ask.tickets import forward as forward_ticket
from appliance.ask.tickets import reply as reply_ticket
from appliance.ask.types import Answer

__all__ = [
    "MAX_NOTE_CHARS",
    "MAX_QUESTION_CHARS",
    "MAX_REPLY_CHARS",
    "MAX_TURNS",
    "MIN_SUPPORT",
    "TICKET_STATES",
    "Answer",
    "AskOut",
    "CheckResult",
    "PassageTerms",
    "TicketInfo",
    "answer",
    "answer_events",
    "chat_history",
    "check_answer",
    "client_history",
    "close_in_meaning",
    "close_ticket",
    "conversation",
    "error_event",
    "forward_ticket",
    "get_route",
    "get_ticket",
    "lexical_support",
    "list_tickets",
    "llm_notice",
    "load_answer",
    "model_writes_freely",
    "neutralise",
    "parse_ids",
    "passage_offsets",
    "reply_ticket",
    "retrieve",
    "set_route",
    "sse_response",
    "ticket_path",
    "to_out",
    "validate_question",
]
