"""What a meeting is about, kept with its recording (migration 35): it primes transcription."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class RecordingVocabulary(SQLModel, table=True):
    """The agenda titles and the names of the people who speak, given before transcription; the
    speech model is steered towards their spelling and minutes default to this agenda."""

    recording_id: int = Field(foreign_key="recording.id", primary_key=True)
    agenda: list[Any] = Field(default_factory=list, sa_column=Column(JSON))  # [{"number", "title"}]
    names: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    places: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # beside asr.place_names
    body_uri: str = ""  # a governing body whose current mandatarissen prime it too
