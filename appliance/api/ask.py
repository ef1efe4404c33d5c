"""POST /api/v1/ask (grounded answer, JSON, not streamed) and POST /api/v1/ask/{id}/feedback.

Sync handlers: retrieval, the LLM and SQLite all block, so Litestar runs them in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar import post

from appliance.context import Appliance
from appliance.services.access import Principal

MAX_HISTORY = 10


@dataclass
class Turn:
    role: str  # user | assistant
    content: str


@dataclass
class AskIn:
    question: str
    history: list[Turn] = field(default_factory=list)


@dataclass
class SourceOut:
    number: int
    document_id: int
    chunk_id: int
    collection: str
    title: str
    source_path: str
    page: int
    snippet_html: str
    highlight: str
    view_url: str
    original_url: str


@dataclass
class CitationOut:
    number: int
    sentence: str
    support: float


@dataclass
class AskOut:
    answer: str
    status: str  # answered | dont_know | escalated | extractive
    label: str  # "Antwoord gegenereerd door AI — controleer de bronnen" (or the extractive label)
    language: str
    notice: str
    model: str
    latency_s: float
    audit_id: int
    citations: list[CitationOut]
    sources: list[SourceOut]
    escalation: dict[str, str]


@dataclass
class FeedbackIn:
    helpful: bool
    comment: str = ""


@dataclass
class FeedbackOut:
    id: int


@post("/ask", sync_to_thread=True, summary="Ask a question (grounded answer with checked citations)",
      tags=["ask"], status_code=200)
def ask_endpoint(appliance: Appliance, who: Principal, data: AskIn) -> AskOut:
    from appliance.api.search import links
    from appliance.services.answer import answer
    from models.base import ChatMessage

    history = [ChatMessage(t.role if t.role in ("user", "assistant") else "user", t.content[:4000])
               for t in data.history[-MAX_HISTORY:]]
    ans = answer(appliance, who, data.question, history=history)
    sources = []
    for s in ans.sources:
        view, original = links(s.document_id, s.page, s.source_path, s.chunk_id, 0, 0)
        sources.append(SourceOut(s.number, s.document_id, s.chunk_id, s.collection, s.title, s.source_path,
                                 s.page, s.snippet_html, s.highlight, view, original))
    return AskOut(
        answer=ans.text, status=ans.status, label=ans.label, language=ans.language, notice=ans.notice,
        model=ans.model, latency_s=ans.latency, audit_id=ans.audit_id,
        citations=[CitationOut(c.number, c.sentence, c.support) for c in ans.citations],
        sources=sources, escalation=ans.escalation,
    )


@post("/ask/{answer_id:int}/feedback", sync_to_thread=True, summary="Thumbs up/down on an answer",
      tags=["ask"], status_code=201)
def ask_feedback(appliance: Appliance, who: Principal, answer_id: int, data: FeedbackIn) -> FeedbackOut:
    from appliance.services.audit import record_feedback

    return FeedbackOut(record_feedback(appliance, who, answer_id, helpful=data.helpful, comment=data.comment))
