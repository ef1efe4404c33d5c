"""The audit trail, job outcomes and admin setting overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from appliance.db.tables.common import utcnow


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


class SettingOverride(SQLModel, table=True):
    key: str = Field(primary_key=True)  # dotted, e.g. "search.rrf_k"
    value: Any = Field(sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
