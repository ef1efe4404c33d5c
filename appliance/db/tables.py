"""SQLModel tables: SQLite is the source of truth; the FAISS index and FTS table derive from it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    # sqlmodel 0.0.50 stores only aware datetimes (UTCDateTime); naive ones raise on insert.
    return datetime.now(UTC)


class Group(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    description: str = ""


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True)
    display_name: str = ""
    password_hash: str = ""
    role: str = "staff"  # staff | archivist | admin
    language: str = "nl"
    active: bool = True
    # Seam for OIDC/LDAP: where the identity comes from and its subject there.
    auth_source: str = "local"
    external_id: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class UserGroup(SQLModel, table=True):
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    group_id: int = Field(foreign_key="group.id", primary_key=True)


class ApiToken(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = ""
    token_hash: str = Field(index=True, unique=True)  # sha256 of the token; the token itself is shown once
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked: bool = False
    # What the token may do (migration 20): comma-separated read | ask | ingest | admin; it never
    # exceeds the user's role. Expired tokens stop working; tokens from before migration 20 got 90 days.
    scopes: str = "read,ask"
    expires_at: datetime | None = None


class Collection(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)  # slug, also the inbox folder name
    title: str = ""
    description: str = ""
    # Escalation route (Ask): department and mailbox a question goes to when the AI cannot answer.
    route_department: str = ""
    route_mailbox: str = ""
    settings_json: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)


class CollectionGroup(SQLModel, table=True):
    """Which groups may read a collection. A collection with no rows is readable by admins only."""

    collection_id: int = Field(foreign_key="collection.id", primary_key=True)
    group_id: int = Field(foreign_key="group.id", primary_key=True)


class Document(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("collection_id", "source_path"),)
    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collection.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="document.id", index=True)
    source_path: str  # relative name inside the collection (or "mail.eml/attachment.pdf")
    title: str = ""
    kind: str = ""  # pdf | docx | odt | html | text | eml | msg | xlsx | csv | image
    mime: str = ""
    language: str = ""
    state: str = "ingested"  # ingested | needs_ocr | failed | retired
    state_detail: str = ""
    current_version_id: int | None = None
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DocumentVersion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("collection_id", "content_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    collection_id: int = Field(foreign_key="collection.id", index=True)
    number: int = 1
    content_hash: str = Field(index=True)  # sha256 of the file bytes: the idempotency key
    stored_path: str = ""  # the original, kept under data_dir/originals/<hash[:2]>/<hash>
    size: int = 0
    pages: int = 0
    chunker_version: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    retired_at: datetime | None = None


class Chunk(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="documentversion.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    collection_id: int = Field(foreign_key="collection.id", index=True)
    ordinal: int = 0
    text: str = ""
    page: int = 1
    char_start: int = 0  # offsets in the page's text
    char_end: int = 0
    language: str = ""
    active: bool = Field(default=True, index=True)


class AuditEvent(SQLModel, table=True):
    """Append-only log of who did what; the product offers no edit or delete."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = ""  # username or "system"
    action: str = Field(index=True)
    target: str = ""
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class JobOutcome(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(index=True)
    kind: str = ""  # ingest | reindex | ...
    target: str = ""  # file name or collection (no personal data)
    collection: str = ""
    state: str = "queued"  # queued | running | done | failed | duplicate
    code: str = ""
    message: str = ""
    progress: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class FailedFile(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    collection: str = ""
    original_name: str = ""
    failed_path: str = ""  # where the file now lies under data_dir/failed
    code: str = ""
    reason: str = ""
    hint: str = ""
    at: datetime = Field(default_factory=utcnow)
    resolved: bool = False


class SettingOverride(SQLModel, table=True):
    key: str = Field(primary_key=True)  # dotted, e.g. "search.rrf_k"
    value: Any = Field(sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""


class SignInAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    ok: bool = False
    # The client address (migration 20): failures are limited per user and address, so another
    # address cannot lock the real user out.
    client: str = Field(default="", index=True)


class WebSession(SQLModel, table=True):
    """A signed-in browser session (migration 20). The cookie carries a random id and the table only
    its sha256: sign-out, a new password or disabling the user ends it here, so a copied cookie dies."""

    id: int | None = Field(default=None, primary_key=True)
    sid_hash: str = Field(index=True, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    client: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(default_factory=utcnow, index=True)
    revoked_at: datetime | None = None


class RateEvent(SQLModel, table=True):
    """One rate-limited action (an Ask question) counted under a key such as 'user:anna' or
    'client:10.0.0.5' (migration 20); rows older than the longest window are pruned."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    key: str = Field(index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


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


class Recording(SQLModel, table=True):
    """An audio or video recording being (or done being) transcribed, chunk by chunk.

    `chunks_done` only grows, in the same transaction that stores that chunk's segments, so a
    restart resumes at the first unfinished chunk. Keyed by content hash and chunking.
    """

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True)
    source_name: str = ""  # file name only (no folder: it may name a person)
    source_path: str = ""
    duration: float = 0.0  # seconds
    chunk_seconds: float = 300.0
    n_chunks: int = 0
    chunks_done: int = 0
    language: str = ""  # fixed language, or "" when detected per window
    model: str = ""  # transcriber name
    state: str = "pending"  # pending | running | done | failed
    code: str = ""
    message: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    # Retention (migration 11): when the stored audio was deleted; the transcript and minutes stay.
    audio_deleted_at: datetime | None = None
    # Who uploaded it through the web UI or API (migration 12): they may see and correct it.
    uploaded_by: str = Field(default="", index=True)
    # The collection it belongs to (migration 16): its readers see it; none: the uploader and admins.
    collection_id: int | None = Field(default=None, foreign_key="collection.id", index=True)


class TranscriptSegment(SQLModel, table=True):
    """One segment of a transcript; times in seconds from the start of the original recording."""

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int = Field(foreign_key="recording.id", index=True)
    chunk: int = 0
    start: float = 0.0
    end: float = 0.0
    text: str = ""
    language: str = ""
    speaker: str = ""
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 0.0


class RedactionReview(SQLModel, table=True):
    """A public-access redaction of one document version: proposals, decisions, approval, export log."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    version_id: int = Field(foreign_key="documentversion.id")
    state: str = "draft"  # draft | submitted | approved | exported
    proposals: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    submitted_by: str = ""
    approved_by: str = ""
    exported_at: datetime | None = None
    log: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class PseudonymMap(SQLModel, table=True):
    """Pseudonym -> original value for one document or collection, encrypted at rest (Fernet)."""

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(index=True, unique=True)  # "document:12" or "collection:3"
    ciphertext: bytes = b""
    updated_at: datetime = Field(default_factory=utcnow)


# --- Minutes (issue 5): drafts from a transcript, reviewed item by item ----------------------


class Minutes(SQLModel, table=True):
    """Draft minutes of one meeting. AI-made until a person approves them (`state` = approved)."""

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int | None = Field(default=None, foreign_key="recording.id", index=True)
    title: str = ""
    body: str = ""  # the meeting body: gemeenteraad, college, team, ...
    meeting_date: str = ""  # ISO date
    agenda: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))  # [{number, title}]
    attendees: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    state: str = "draft"  # drafting | draft | failed | approved
    error: str = ""  # what failed while drafting (the transcript still stands)
    model: str = ""
    model_sha256: str = ""
    prompt_version: str = ""
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    approved_by: str = ""
    approved_at: datetime | None = None


class MinutesItem(SQLModel, table=True):
    """One drafted item: a summary of an agenda item, a decision or an action, citing its segments."""

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(foreign_key="minutes.id", index=True)
    ordinal: int = 0
    kind: str = "summary"  # summary | decision | action
    agenda_number: int = 0  # 0: not tied to an agenda item
    agenda_title: str = ""
    text: str = ""
    vote: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))  # {for, against, abstain}
    owner: str = ""  # actions: a name from the attendee list
    deadline: str = ""  # actions: ISO date
    segment_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON))  # TranscriptSegment ids
    start: float = 0.0  # seconds, from the cited segments (clickable in the UI)
    end: float = 0.0
    support: float = 0.0  # how well the cited segments support the text (0..1)
    supported: bool = True
    state: str = "proposed"  # proposed | accepted | rejected
    edited: bool = False  # a person changed the text
    source: str = "ai"  # ai | human (added by a person)
    # What the draft's checks changed or doubt (invented_segments, owner_cleared, ...; migration 10).
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON))


class SegmentRevision(SQLModel, table=True):
    """A person's correction of one transcript segment (text, speaker, split); the old values stay."""

    id: int | None = Field(default=None, primary_key=True)
    segment_id: int = Field(foreign_key="transcriptsegment.id", index=True)
    recording_id: int = Field(foreign_key="recording.id", index=True)
    action: str = "edit"  # edit | split | speaker
    old_text: str = ""
    new_text: str = ""
    old_speaker: str = ""
    new_speaker: str = ""
    by: str = ""
    at: datetime = Field(default_factory=utcnow)


# --- Triage (issue 6): incoming items, corrections and the outbox ---------------------------


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


# --- Ask (issue 3): escalation tickets ("stuur door naar een collega") ---------------------


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
