"""Stored answers read back from the audit trail: the web page shows an answer again (after
feedback, after streaming) and a follow-up question rebuilds its conversation from the asker's own
records, so a client never has to carry (or can forge) the previous answers' text.

Only the asker (or an admin) reads a record, and every source passes the readable-collections
check again: someone who lost access to a collection no longer sees its passages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from appliance.access import Principal, readable_collection_ids, readable_document_ids
from appliance.ask import prompts
from appliance.ask.types import Answer, Citation, Source
from appliance.db.engine import read_session
from appliance.db.tables import AnswerRecord, Chunk, Collection, Document
from appliance.errors import NotFound
from appliance.i18n import t
from appliance.index.text import query_terms, snippet
from appliance.search import SNIPPET_CHARS, mark
from models.base import ChatMessage

if TYPE_CHECKING:
    from appliance.context import Appliance

MAX_TURNS = 10  # previous question/answer pairs a conversation keeps
TURN_CHARS = 1500  # of each previous answer, for display and the rewrite prompt


@dataclass(frozen=True)
class Turn:
    audit_id: int
    question: str
    answer: str
    status: str


def parse_ids(raw: str | Iterable[int] | None, limit: int = MAX_TURNS) -> list[int]:
    """'3,7,9' -> [3, 7, 9] (the last `limit` valid ids, no duplicates, order kept)."""
    if raw is None:
        return []
    parts = raw.split(",") if isinstance(raw, str) else [str(x) for x in raw]
    out: list[int] = []
    for p in parts:
        p = p.strip()
        if p.isdigit() and 0 < int(p) < 2**62 and int(p) not in out:
            out.append(int(p))
    return out[-limit:]


# Answers whose text is built from the passages (quotes, or an LLM's reading of them); the other
# statuses (dont_know, escalated, refused) are fixed texts that quote nothing.
QUOTING_STATUSES = ("answered", "extractive")


def sources_readable(session: Session, who: Principal, stored: list[dict[str, Any]]) -> bool:
    """Whether `who` may read every passage an answer was built from, today (a removed passage
    counts as unreadable: what it said cannot be checked any more)."""
    if who.is_admin or not stored:
        return True
    readable = readable_collection_ids(session, who)
    ids = [int(s.get("chunk_id") or 0) for s in stored]
    chunks = session.exec(select(Chunk).where(col(Chunk.id).in_(ids))).all()
    docs = readable_document_ids(session, who, [c.document_id for c in chunks])
    found = {c.id: c.collection_id for c in chunks if c.document_id in docs}
    return all(found.get(i) in readable for i in ids)


def answer_text_visible(session: Session, who: Principal, rec: AnswerRecord) -> bool:
    """The answer text of a record is shown only to someone who may still read all its sources:
    access withdrawn since the question also withdraws the answer that quoted those passages."""
    if rec.status not in QUOTING_STATUSES:
        return True
    return sources_readable(session, who, list(json.loads(rec.payload or "{}").get("sources") or []))


def _own_answers(app: Appliance, who: Principal, ids: list[int]) -> dict[int, AnswerRecord]:
    """The asker's own answer records (admins: anyone's); the text of one whose sources `who` can no
    longer read is replaced by a notice (on a copy: the stored record is never touched)."""
    if not ids:
        return {}
    with read_session(app.db) as session:
        rows = session.exec(select(AnswerRecord).where(AnswerRecord.id.in_(ids))).all()  # type: ignore[union-attr]
        out = {int(r.id or 0): r for r in rows
               if r.kind == "answer" and (r.username == who.username or who.is_admin)}
        hidden = [i for i, r in out.items() if not answer_text_visible(session, who, r)]
    for i in hidden:  # detached from the session now: nothing of this reaches the database
        language = str(json.loads(out[i].payload or "{}").get("language") or "nl")
        out[i].answer = t(language, "answer.withheld")
    return out


def conversation(app: Appliance, who: Principal, ids: list[int]) -> list[Turn]:
    """The asker's own earlier answers, in the given order; ids of others' records are dropped."""
    recs = _own_answers(app, who, ids[-MAX_TURNS:])
    return [Turn(i, recs[i].question, recs[i].answer[:TURN_CHARS], recs[i].status) for i in ids if i in recs]


def history(turns: list[Turn]) -> list[ChatMessage]:
    out: list[ChatMessage] = []
    for turn in turns:
        out += [ChatMessage("user", turn.question), ChatMessage("assistant", turn.answer)]
    return out


MAX_CLIENT_TURNS = 10  # messages of a conversation an API client sends along
CLIENT_MESSAGE_CHARS = 4000


def client_history(messages: Iterable[tuple[str, str]]) -> list[ChatMessage]:
    """A conversation an API client keeps itself, as (role, content): its last MAX_CLIENT_TURNS
    messages, each cut to CLIENT_MESSAGE_CHARS; a role other than user or assistant counts as user."""
    kept = list(messages)[-MAX_CLIENT_TURNS:]
    return [ChatMessage(role if role in ("user", "assistant") else "user", content[:CLIENT_MESSAGE_CHARS])
            for role, content in kept]


def load_answer(app: Appliance, who: Principal, audit_id: int) -> tuple[str, Answer]:
    """(question, Answer) of a stored answer record, sources re-read from the database."""
    rec = _own_answers(app, who, [audit_id]).get(audit_id)
    if rec is None:
        raise NotFound("audit.not_found", f"no answer {audit_id}")
    payload: dict[str, Any] = json.loads(rec.payload or "{}")
    language = payload.get("language") or "nl"
    language = language if language in prompts.LANGUAGES else "nl"
    citations = [Citation(int(c.get("number", 0)), str(c.get("sentence", "")), float(c.get("support", 0.0)),
                          str(c.get("reason", ""))) for c in payload.get("citations", [])]
    highlights = {c.number: c.sentence for c in citations if c.reason == "extract"}
    question_used = str(payload.get("question_used") or rec.question)
    sources = _sources(app, who, payload.get("sources", []), question_used, highlights)
    label = t(language, "answer.extractive" if rec.status == "extractive" else "answer.ai_label")
    ans = Answer(text=rec.answer, citations=citations, sources=sources, status=rec.status, language=language,
                 model=rec.model, latency=float(payload.get("latency_s") or 0.0), audit_id=audit_id,
                 label=label, notice=str(payload.get("notice") or ""),
                 escalation=dict(payload.get("escalation") or {}), checks=dict(payload.get("checks") or {}),
                 question_used=question_used)
    return rec.question, ans


def _sources(app: Appliance, who: Principal, stored: list[dict[str, Any]], question: str,
             highlights: dict[int, str]) -> list[Source]:
    ids = [int(s.get("chunk_id", 0)) for s in stored]
    terms = set(query_terms(question))
    with read_session(app.db) as session:
        readable = readable_collection_ids(session, who)
        rows = session.exec(
            select(Chunk, Document, Collection)
            .join(Document, Document.id == Chunk.document_id)  # type: ignore[arg-type]
            .join(Collection, Collection.id == Chunk.collection_id)  # type: ignore[arg-type]
            .where(Chunk.id.in_(ids))  # type: ignore[union-attr]
        ).all()
        docs = readable_document_ids(session, who, [d.id for _, d, _ in rows if d.id is not None])
    found = {int(c.id or 0): (c, d, col) for c, d, col in rows if c.collection_id in readable and d.id in docs}
    out: list[Source] = []
    for s in stored:
        hit = found.get(int(s.get("chunk_id", 0)))
        if hit is None:
            continue  # access withdrawn or the document removed since: the passage stays hidden
        c, d, col = hit
        shown, spans = snippet(c.text, terms, SNIPPET_CHARS)
        number = int(s.get("number", len(out) + 1))
        out.append(Source(number=number, chunk_id=int(c.id or 0), document_id=c.document_id,
                          version_id=c.version_id, collection=col.name, title=d.title or d.source_path,
                          source_path=d.source_path, page=c.page, snippet_html=mark(shown, spans), text=c.text,
                          relevance=float(s.get("relevance") or 0.0), similarity=s.get("similarity"),
                          highlight=highlights.get(number, ""), language=c.language))
    return out


def passage_offsets(app: Appliance, chunk_ids: list[int]) -> dict[int, tuple[int, int]]:
    """chunk id -> (start, end) in its page's text, so a source link marks the passage."""
    if not chunk_ids:
        return {}
    with read_session(app.db) as session:
        rows = session.exec(select(Chunk).where(Chunk.id.in_(chunk_ids))).all()  # type: ignore[union-attr]
    return {int(c.id or 0): (c.char_start, c.char_end) for c in rows}
