"""Collections, documents and their versions, chunks, failed files, redaction reviews and pseudonyms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from appliance.db.tables.common import utcnow


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
    # Heading path (title > section > subsection): indexed and prompted with the text. The server
    # default makes a fresh database match a migrated one (and older code can still insert rows).
    context: str = Field(default="", sa_column_kwargs={"server_default": ""})


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
    # How person names were found: "recogniser" (the name tagger, Frog) or "rules" (without it: a
    # second reviewer must check the names and confirm it before the export); "" for older reviews.
    names_by: str = ""
    names_confirmed_by: str = ""


class PseudonymMap(SQLModel, table=True):
    """Pseudonym -> original value for one document or collection, encrypted at rest (Fernet)."""

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(index=True, unique=True)  # "document:12" or "collection:3"
    ciphertext: bytes = b""
    updated_at: datetime = Field(default_factory=utcnow)
