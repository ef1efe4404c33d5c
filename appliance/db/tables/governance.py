"""Governance (issue 14): retention rules and legal holds."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from appliance.db.tables.common import utcnow


class RetentionRule(SQLModel, table=True):
    """How long one kind of item is kept: `days` after its `date_field`, then deleted or anonymised.

    `target` is documents | triage | answers | tickets | transcripts | recordings; `scope` narrows it
    (a collection name for documents, a category key for triage; "" = every item of the target). A
    rule with `duty` is also a legal duty to keep (the archive decree): an item younger than its
    period cannot be erased on request either.
    """

    id: int | None = Field(default=None, primary_key=True)
    target: str = Field(index=True)
    scope: str = ""
    days: int = 0
    date_field: str = ""
    action: str = "delete"  # delete | anonymise
    duty: bool = False
    enabled: bool = True
    # Who confirmed a rule that took every item it covered when it was set ("" when it did not).
    confirmed_by: str = ""
    updated_by: str = ""
    updated_at: datetime = Field(default_factory=utcnow)


class LegalHold(SQLModel, table=True):
    """A legal hold suspends every deletion (retention and erasure) of what it covers until released.

    kind document (ref = document id), collection (ref = name), meeting (ref = recording id) or person
    (ref = the name; `rrn_sha256` / `email` match too). The national number is kept only as a hash.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    ref: str = ""
    rrn_sha256: str = ""
    email: str = ""
    reason: str = ""
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    released_by: str = ""
    released_at: datetime | None = Field(default=None, index=True)
