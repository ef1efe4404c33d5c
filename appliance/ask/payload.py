"""An answer as data: the shape of POST /api/v1/ask's response, which is also the final `answer` event
of both streams (the API's and the Ask page's), with the links to its sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from appliance.ask.records import passage_offsets
from appliance.context import Appliance
from appliance.search import links

if TYPE_CHECKING:
    from appliance.ask.types import Answer


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
    # Set when no language model is usable (missing file, wrong checksum, disabled): the answer
    # is then extractive; {'code', 'message', 'hint'}. Empty when the model is fine.
    llm_notice: dict[str, str] = field(default_factory=dict)


def llm_notice(appliance: Appliance) -> dict[str, str]:
    """{'code', 'message', 'hint'} when Ask runs without a language model, else {}."""
    status = appliance.llm_status()
    if status["ok"]:
        return {}
    return {"code": status.get("code", ""), "message": status.get("message", ""), "hint": status.get("hint", "")}


def to_out(appliance: Appliance, ans: Answer, notice: dict[str, str] | None = None) -> AskOut:
    """The API shape of an answer (also the final event of both streams)."""
    offsets = passage_offsets(appliance, [s.chunk_id for s in ans.sources])
    sources = []
    for s in ans.sources:
        start, end = offsets.get(s.chunk_id, (0, 0))
        view, original = links(s.document_id, s.page, s.source_path, s.chunk_id, start, end)
        sources.append(SourceOut(s.number, s.document_id, s.chunk_id, s.collection, s.title, s.source_path,
                                 s.page, s.snippet_html, s.highlight, view, original))
    return AskOut(
        answer=ans.text, status=ans.status, label=ans.label, language=ans.language, notice=ans.notice,
        model=ans.model, latency_s=ans.latency, audit_id=ans.audit_id,
        citations=[CitationOut(c.number, c.sentence, c.support) for c in ans.citations],
        sources=sources, escalation=ans.escalation, llm_notice=dict(notice or {}),
    )
