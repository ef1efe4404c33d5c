"""Governing bodies, their mandatarissen, and what a meeting records for LBLOD publication (issue 12).

Bodies and mandatarissen come from a Mandatendatabank export (`belfort mandates import`) and are
replaced as a whole on each import; a meeting refers to them by URI, so its record survives a
re-import. A meeting's record lives beside its `Minutes` (one row per minutes), one row per agenda
item (public or closed, type, who arrived and left) and one per decision (texts and vote details).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class GoverningBody(SQLModel, table=True):
    """A bestuursorgaan (in its current bestuursperiode): gemeenteraad, college, OCMW-raad, vast bureau."""

    id: int | None = Field(default=None, primary_key=True)
    uri: str = Field(index=True, unique=True)
    name: str = ""
    classification: str = ""  # concept URI (BestuursorgaanClassificatieCode)
    unit_uri: str = ""  # the bestuurseenheid it governs
    unit_name: str = ""


class Mandatary(SQLModel, table=True):
    """A mandataris (or a functionaris such as the algemeen directeur) of one governing body."""

    id: int | None = Field(default=None, primary_key=True)
    uri: str = Field(index=True, unique=True)
    body_uri: str = Field(index=True)
    person_uri: str = ""
    name: str = ""
    role: str = ""  # the mandate's role label (or its concept URI when unlabelled)
    kind: str = "mandataris"  # mandataris | functionaris
    start_date: str = ""  # ISO date the mandate starts ("" unknown)
    end_date: str = ""  # ISO date it ended ("" still held)


class MeetingRecord(SQLModel, table=True):
    """What the recording cannot know about a meeting: its body, times, place and who was there."""

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(foreign_key="minutes.id", index=True, unique=True)
    body_uri: str = ""
    planned_start: str = ""  # ISO date-time (local time of the municipality)
    planned_end: str = ""
    started_at: str = ""
    ended_at: str = ""
    location: str = ""
    chair_uri: str = ""
    secretary_uri: str = ""
    present_at_start: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # mandataris URIs
    published_at: datetime | None = None
    published_base: str = ""


class AgendaItemRecord(SQLModel, table=True):
    """One agenda item of a meeting: public or closed, its type, and who arrived or left before it."""

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(foreign_key="minutes.id", index=True)
    agenda_number: int = 0
    public: bool = True  # besluit:geplandOpenbaar and besluit:openbaar
    item_type: str = ""  # Agendapunt.type concept URI ("" unknown)
    arrived: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # mandataris URIs
    left: list[str] = Field(default_factory=list, sa_column=Column(JSON))


class DecisionRecord(SQLModel, table=True):
    """The publishable parts of one decision (a `MinutesItem` of kind decision) and its vote."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="minutesitem.id", index=True, unique=True)
    title: str = ""
    description: str = ""
    motivation: str = ""  # besluit:motivering
    legal_text: str = ""  # prov:value, the beschikkend gedeelte
    secret: bool = False  # besluit:geheim
    outcome: str = ""  # besluit:gevolg
    voters_for: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    voters_against: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    voters_abstain: list[str] = Field(default_factory=list, sa_column=Column(JSON))
