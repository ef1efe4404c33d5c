"""Ask: answer records, and escalation tickets ("stuur door naar een collega", issue 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from appliance.db.tables.common import utcnow


class AnswerRecord(SQLModel, table=True):
    """Audit record of one answer (or of feedback on one): append-only and hash-chained.

    `hash` = sha256 over the canonical JSON of every other column, `prev_hash` included, so an
    edited or removed record breaks the chain (appliance.audit.log.verify_chain). `at` and
    `payload` are stored as text so that what is hashed is exactly what is stored.
    """

    id: int | None = Field(default=None, primary_key=True)
    at: str = Field(index=True)  # ISO 8601 UTC
    kind: str = Field(default="answer", index=True)  # answer | feedback
    username: str = Field(default="", index=True)
    ref_id: int | None = None  # feedback: the answer record it is about
    question: str = ""
    answer: str = ""
    status: str = ""  # answered | dont_know | escalated | extractive | refused
    model: str = ""
    model_sha256: str = ""
    payload: str = "{}"  # canonical JSON: sources, citations, checks, parameters, latency, feedback
    prev_hash: str = ""
    hash: str = Field(default="", index=True)
    # Erasure (migration 41): records made since hash the digest of their content (username, question,
    # answer, payload), so the content can be erased later while the chain still verifies.
    content_sha256: str = ""
    erased_at: str = ""  # ISO 8601 UTC; "" while the content is there


class Ticket(SQLModel, table=True):
    """An answer forwarded to a colleague. Handled by admins and the members of the group named in
    the route collection's settings_json["route_group"]; the asker sees it and the reply."""

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(index=True)  # the AnswerRecord it was forwarded from
    asker: str = Field(default="", index=True)  # username of who asked the question
    forwarded_by: str = ""  # the asker, or an admin acting for them
    question: str = ""
    answer: str = ""
    answer_status: str = ""  # the record's status: extractive answers are quotes, not AI-made text
    # [{number, document_id, title, page, collection}]: only what the asker could read
    sources: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    note: str = ""
    collection: str = Field(default="", index=True)  # route collection ("" when none has a route)
    department: str = ""
    mailbox: str = ""
    language: str = "nl"
    state: str = Field(default="open", index=True)  # open | answered | closed
    reply: str = ""
    replied_by: str = ""
    replied_at: datetime | None = None
    closed_by: str = ""
    closed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
