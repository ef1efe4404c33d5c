"""Directory groups (LDAP/AD), document-level readers, and SMB shares as sources (migrations 53-55)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from appliance.db.tables.common import utcnow


class DirectoryGroup(SQLModel, table=True):
    """A Belfort group that mirrors a directory group: its DN and objectSid (how share ACLs name it)."""

    group_id: int = Field(foreign_key="group.id", primary_key=True)
    source: str = "ldap"
    dn: str = Field(index=True)
    sid: str = Field(default="", index=True)
    synced_at: datetime = Field(default_factory=utcnow)


class DirectoryAccount(SQLModel, table=True):
    """A user that comes from the directory: its DN and objectSid (share ACLs may name users too)."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    source: str = "ldap"
    dn: str = Field(index=True)
    sid: str = Field(default="", index=True)
    synced_at: datetime = Field(default_factory=utcnow)


class DirectorySync(SQLModel, table=True):
    """One run of the directory group sync, with what it changed (shown in the admin console)."""

    id: int | None = Field(default=None, primary_key=True)
    source: str = "ldap"
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    ok: bool = False
    error: str = ""
    users: int = 0
    groups: int = 0
    changes: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class DocumentAcl(SQLModel, table=True):
    """A document with its own readers: only the allowed principals (who may also read the
    collection) read it, and a deny entry wins. A document without a row reads like its collection."""

    document_id: int = Field(foreign_key="document.id", primary_key=True)
    source: str = ""  # "share:<name>" or "admin"
    unresolved: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # SIDs that named nobody
    updated_at: datetime = Field(default_factory=utcnow)


class DocumentReader(SQLModel, table=True):
    """One allow or deny entry of a document: a group or a user (as resolved from its SID)."""

    __table_args__ = (UniqueConstraint("document_id", "principal", "deny"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    principal: str = Field(index=True)  # 'g<group id>' | 'u<user id>' (the FTS scope token)
    deny: bool = False
    sid: str = ""


class Share(SQLModel, table=True):
    """An SMB share crawled into a collection; the password is stored encrypted (secrets.py)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    server: str
    port: int = 445
    share: str
    path: str = ""
    collection: str
    username: str = ""
    domain: str = ""
    secret: str = ""  # Fernet token of the password
    created_at: datetime = Field(default_factory=utcnow)
    last_crawl_at: datetime | None = None
    last_crawl: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class ShareFile(SQLModel, table=True):
    """A file seen on a share: its content hash and ACL as last crawled, and its document."""

    __table_args__ = (UniqueConstraint("share_id", "rel_path"),)
    id: int | None = Field(default=None, primary_key=True)
    share_id: int = Field(foreign_key="share.id", index=True)
    rel_path: str
    document_id: int | None = Field(default=None, index=True)
    content_hash: str = ""
    size: int = 0
    mtime: float = 0.0
    acl_hash: str = ""
    state: str = "active"  # active | retired | unreadable
    detail: str = ""
    seen_at: datetime = Field(default_factory=utcnow)
