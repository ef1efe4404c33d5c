"""Minutes (issue 5): drafts from a transcript, reviewed item by item."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from appliance.db.tables.common import utcnow


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
