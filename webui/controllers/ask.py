"""The Ask page: a question, the checked answer with its numbered sources, feedback, copy as text,
forwarding to a colleague, follow-up questions; `POST /ask/stream` streams the same answer (ask.js).

Without JavaScript the form posts to /ask and the whole page comes back. With it, ask.js posts the
same form (CSRF token included: asking runs the model and writes the audit trail) to /ask/stream and
reads the server-sent events from the response body, shows the pieces as they are written, then swaps
in the checked answer rendered here (/ask/answer/{id}?fragment=1): the streamed text is never final.
Both are rate limited per user and per client address (ask.rate_limited, 429 with Retry-After).
A conversation is the list of the asker's own earlier answer ids (`conv`); their text is read from
the audit trail, so a forged hidden field can only name answers the user may read anyway.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, ServerSentEvent, Template

from appliance import access, ask, audit
from appliance.access import Principal
from appliance.ask import MAX_QUESTION_CHARS, Answer, answer, llm_notice, to_out, validate_question
from appliance.ask import answer_events as events
from appliance.ask import error_event as single_error
from appliance.ask import sse_response as sse
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.i18n import t
from appliance.ids import Id
from appliance.search import links
from webui.translate import error_text, hint_text
from webui.web import client_address, language_of, page

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
_CITE = re.compile(r"\[(\d{1,2})\]")
SHOWN_QUESTION_CHARS = MAX_QUESTION_CHARS + 100  # what a rejected question shows again in the form


@dataclass
class AskForm:
    q: str = ""
    conv: str = ""


@dataclass
class FeedbackForm:
    helpful: str = ""
    comment: str = ""
    conv: str = ""


def segments(text: str, numbers: set[int]) -> list[list[tuple[str, int | None]]]:
    """Paragraphs of (text, None) and (marker, n) pieces: '[n]' of a shown source becomes a link."""
    out = []
    for para in (p.strip() for p in text.split("\n")):
        if not para:
            continue
        pieces: list[tuple[str, int | None]] = []
        pos = 0
        for m in _CITE.finditer(para):
            n = int(m.group(1))
            if n not in numbers:
                continue
            pieces.append((para[pos:m.start()], None))
            pieces.append((m.group(0), n))
            pos = m.end()
        pieces.append((para[pos:], None))
        out.append([p for p in pieces if p[0]])
    return out


def _plain_text(lang: str, base_url: str, question: str, ans: Answer, sources: list[dict[str, Any]]) -> str:
    """The answer as plain text for mails and notes: question, label, answer, numbered sources."""
    lines = [f"{t(lang, 'ask.plain.question')}: {question}", ans.label, "", ans.text.strip()]
    if sources:
        lines += ["", f"{t(lang, 'ask.plain.sources')}:"]
        for item in sources:
            s = item["source"]
            lines.append(f"[{s.number}] {s.title} — {t(lang, 'ask.page', page=s.page)} — {base_url}{item['view']}")
    return "\n".join(lines)


def _notice(request: Request, appliance: Appliance) -> dict[str, str]:
    raw = llm_notice(appliance)
    if not raw:
        return {}
    lang = language_of(request)
    return {"code": raw["code"], "text": error_text(lang, raw["code"], raw["message"]),
            "hint": hint_text(lang, raw["code"], raw["hint"])}


def _error(request: Request, exc: BelfortError) -> dict[str, Any]:
    return translated(language_of(request), exc)


def translated(lang: str, exc: BelfortError) -> dict[str, Any]:
    """An error as the page shows it: code, translated text and hint (also the stream's error event)."""
    return {"code": exc.code, "text": error_text(lang, exc.code, exc.message),
            "hint": hint_text(lang, exc.code, exc.hint), "status": exc.status}


def answer_context(request: Request, appliance: Appliance, question: str, ans: Answer,
                   conv: list[int]) -> dict[str, Any]:
    offsets = ask.passage_offsets(appliance, [s.chunk_id for s in ans.sources])
    sources = []
    for s in ans.sources:
        start, end = offsets.get(s.chunk_id, (0, 0))
        view, original = links(s.document_id, s.page, s.source_path, s.chunk_id, start, end)
        sources.append({"source": s, "view": view, "original": original})
    base = str(request.base_url).rstrip("/")
    return {
        "question": question,
        "a": ans,
        "paragraphs": segments(ans.text, {s.number for s in ans.sources}),
        "sources": sources,
        "plain": _plain_text(language_of(request), base, question, ans, sources),
        "prev_conv": ",".join(str(i) for i in conv),
        "next_conv": ",".join(str(i) for i in [*conv, ans.audit_id][-ask.MAX_TURNS:]),
    }


def _render(request: Request, appliance: Appliance, who: Principal, *, conv: list[int],
            question: str = "", ans: Answer | None = None, draft: str = "", error: dict[str, str] | None = None,
            status: int = 200, fragment: bool = False, feedback: str = "") -> Template:
    turns = ask.conversation(appliance, who, conv)
    conv = [turn.audit_id for turn in turns]
    ctx: dict[str, Any] = {"a": None, "prev_conv": ",".join(map(str, conv)), "next_conv": ",".join(map(str, conv))}
    if ans is not None:
        ctx = answer_context(request, appliance, question, ans, conv)
    return page(
        request, "ask_fragment.html" if fragment else "ask.html", who=who, status=status,
        turns=turns, draft=draft[:SHOWN_QUESTION_CHARS], error=error or {}, llm=_notice(request, appliance),
        max_chars=MAX_QUESTION_CHARS, forward_enabled=True, feedback=feedback, **ctx,
    )


@get("/ask", sync_to_thread=True, include_in_schema=False)
def ask_page(request: Request, appliance: Appliance, who: Principal, conv: str = "") -> Template:
    return _render(request, appliance, who, conv=ask.parse_ids(conv))


@post("/ask", sync_to_thread=True, include_in_schema=False, status_code=200)
def ask_submit(request: Request, appliance: Appliance, who: Principal,
               data: Annotated[AskForm, FORM]) -> Template:
    conv = ask.parse_ids(data.conv)
    try:
        question = validate_question(data.q)
        access.check_ask(appliance, who, client_address(request))
        turns = ask.conversation(appliance, who, conv)
        ans = answer(appliance, who, question, history=ask.chat_history(turns))
    except BelfortError as exc:
        if not exc.code.startswith("ask."):
            raise
        response = _render(request, appliance, who, conv=conv, draft=data.q, error=_error(request, exc),
                           status=exc.status)
        if hasattr(exc, "retry_after"):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return _render(request, appliance, who, conv=conv, question=question, ans=ans)


@get("/ask/answer/{answer_id:int}", sync_to_thread=True, include_in_schema=False)
def stored_answer(request: Request, appliance: Appliance, who: Principal, answer_id: Id,
                  conv: str = "", fragment: bool = False, fb: str = "") -> Template:
    question, ans = ask.load_answer(appliance, who, answer_id)
    ids = [i for i in ask.parse_ids(conv) if i != answer_id]
    return _render(request, appliance, who, conv=ids, question=question, ans=ans, fragment=fragment,
                   feedback="thanks" if fb == "1" else "")


@post("/ask/{answer_id:int}/feedback", sync_to_thread=True, include_in_schema=False)
def ask_feedback(request: Request, appliance: Appliance, who: Principal, answer_id: Id,
                 data: Annotated[FeedbackForm, FORM]) -> Template | Redirect:
    conv = ask.parse_ids(data.conv)
    try:
        if data.helpful not in ("1", "0"):
            raise BelfortError("ask.feedback_choice", "choose helpful or not helpful",
                               hint="use the thumbs up or thumbs down button")
        audit.record_feedback(appliance, who, answer_id, helpful=data.helpful == "1", comment=data.comment)
    except BelfortError as exc:
        if exc.status != 400:
            raise
        question, ans = ask.load_answer(appliance, who, answer_id)
        return _render(request, appliance, who, conv=conv, question=question, ans=ans,
                       error=_error(request, exc), status=400)
    query = f"?conv={','.join(map(str, conv))}&fb=1" if conv else "?fb=1"
    return Redirect(f"/ask/answer/{answer_id}{query}", status_code=303)


@post("/ask/stream", sync_to_thread=True, include_in_schema=False, status_code=200)
def ask_stream(request: Request, appliance: Appliance, who: Principal,
               data: Annotated[AskForm, FORM]) -> ServerSentEvent:
    """Server-sent events for ask.js (a POST with the form's CSRF token, never a GET: asking runs the
    model and writes the audit trail); errors (bad input included) arrive as `error` events."""
    lang = language_of(request)

    def describe(exc: BelfortError) -> dict[str, Any]:
        return translated(lang, exc)

    try:
        question = validate_question(data.q)
        access.check_ask(appliance, who, client_address(request))
    except BelfortError as exc:
        return sse(single_error(exc, describe))
    conv = ask.parse_ids(data.conv)
    history = ask.chat_history(ask.conversation(appliance, who, conv))
    notice = llm_notice(appliance)

    def run(on_piece: Any) -> dict[str, Any]:
        ans = answer(appliance, who, question, history=history, stream_cb=on_piece)
        return asdict(to_out(appliance, ans, notice))

    return sse(events(run, describe=describe))


HANDLERS = [ask_page, ask_submit, stored_answer, ask_feedback, ask_stream]
