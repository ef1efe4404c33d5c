"""POST /api/v1/ask (grounded answer, JSON), POST /api/v1/ask/stream (the same answer as
server-sent events while it is written) and POST /api/v1/ask/{id}/feedback.

Sync handlers: retrieval, the LLM and SQLite all block, so Litestar runs them in a thread (the
stream runs its pipeline in a worker thread of its own: appliance.ask.stream).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

from litestar import Request, post
from litestar.params import Parameter
from litestar.response import ServerSentEvent

from appliance.access import Principal
from appliance.api.schemas import NOT_BLANK
from appliance.ask import MAX_QUESTION_CHARS, AskOut, llm_notice, to_out
from appliance.context import Appliance
from appliance.ids import Id


@dataclass
class Turn:
    role: str  # user | assistant (anything else counts as user)
    content: str


@dataclass
class AskIn:
    # Said in the schema as the answer service checks it (ask.empty_question, ask.question_too_long).
    question: Annotated[str, Parameter(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NOT_BLANK)]
    history: list[Turn] = field(default_factory=list)


@dataclass
class FeedbackIn:
    helpful: bool
    comment: str = ""


@dataclass
class FeedbackOut:
    id: int


@post("/ask", sync_to_thread=True, summary="Ask a question (grounded answer with checked citations)",
      tags=["ask"], status_code=200)
def ask_endpoint(request: Request, appliance: Appliance, who: Principal, data: AskIn) -> AskOut:
    from appliance.access import check_ask
    from appliance.ask import answer, validate_question

    question = validate_question(data.question)
    check_ask(appliance, who, request.client.host if request.client else "")  # 429 ask.rate_limited
    ans = answer(appliance, who, question, history=_history(data))
    return to_out(appliance, ans, llm_notice(appliance))


@post("/ask/stream", sync_to_thread=True, status_code=200, tags=["ask"], media_type="text/event-stream",
      summary="Ask a question; the answer streams as server-sent events",
      description="Events: `token` ({text}) while the model writes, then one `answer` (the checked "
                  "answer, shaped like POST /ask's response: it replaces the streamed text, whose "
                  "unsupported sentences the citation check may have dropped), then `done`. A failure "
                  "while answering is an `error` event ({code, message, hint}); bad input is a 400.")
def ask_stream_endpoint(request: Request, appliance: Appliance, who: Principal, data: AskIn) -> ServerSentEvent:
    from appliance.access import check_ask
    from appliance.ask import answer, validate_question
    from appliance.ask import answer_events as events
    from appliance.ask import sse_response as sse

    question = validate_question(data.question)  # bad input: a plain 400 before any streaming
    check_ask(appliance, who, request.client.host if request.client else "")  # and 429 too
    history = _history(data)
    notice = llm_notice(appliance)  # may load the model: here, in the handler's thread

    def run(on_piece: Any) -> dict[str, Any]:
        ans = answer(appliance, who, question, history=history, stream_cb=on_piece)
        return asdict(to_out(appliance, ans, notice))

    return sse(events(run))


def _history(data: AskIn) -> list[Any]:
    from appliance.ask import client_history

    return client_history((t.role, t.content) for t in data.history)


@post("/ask/{answer_id:int}/feedback", sync_to_thread=True, summary="Thumbs up/down on an answer",
      tags=["ask"], status_code=201)
def ask_feedback(appliance: Appliance, who: Principal, answer_id: Id, data: FeedbackIn) -> FeedbackOut:
    from appliance.audit import record_feedback

    return FeedbackOut(record_feedback(appliance, who, answer_id, helpful=data.helpful, comment=data.comment))
