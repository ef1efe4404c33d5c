"""Triage (issue 6): incoming items, corrections and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from appliance.db.tables.common import utcnow


class TriageItem(SQLModel, table=True):
    """An incoming mail, form or complaint. The original is stored immutably beside it."""

    __table_args__ = (UniqueConstraint("source", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = "api"  # imap | folder | api
    external_id: str = ""  # Message-ID (mail) or the form's own id: fetched twice, stored once
    sha256: str = Field(default="", index=True)  # of the original bytes
    original_path: str = ""  # under data_dir/triage/originals
    received_at: datetime = Field(default_factory=utcnow, index=True)
    sender: str = ""  # address (personal data: never logged)
    sender_name: str = ""
    subject: str = ""
    text: str = ""  # body text (HTML rendered to text; attachments' text in attachment documents)
    language: str = ""
    attachment_document_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON))
    suggested: str = ""  # category key from the classifier
    confidence: float = 0.0
    reason: str = ""  # auto | below_threshold | human_only | unknown_category | ...
    urgent: bool = False
    model_version: str = ""
    category: str = ""  # the category it was routed under (by the model or a person)
    department: str = ""
    state: str = Field(default="queued", index=True)  # queued | routed | awaiting_info | closed | failed
    routed_by: str = ""  # "auto" or a username
    routed_at: datetime | None = None
    deadline: str = ""  # ISO date: received + the category's deadline_days
    missing: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # required fields not found
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # spoofed_sender, loop, ...
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class TriageLabel(SQLModel, table=True):
    """A person's category for an item: a correction, and a training row for the next model."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="triageitem.id", index=True)
    category: str = ""
    previous: str = ""  # what the model suggested
    by: str = ""
    at: datetime = Field(default_factory=utcnow)
    used_in_version: str = ""  # the model version trained with this label ("" until then)


class OutboxMessage(SQLModel, table=True):
    """Something to deliver (mail by SMTP, a webhook POST). Kept until delivered; retried with backoff."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str = "smtp"  # smtp | webhook
    target: str = ""  # mail address or URL
    subject: str = ""
    body: str = ""
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    ref: str = Field(default="", index=True)  # what it is about: "triage:12", "ticket:3"
    state: str = Field(default="pending", index=True)  # pending | sent | dead
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    last_error: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
