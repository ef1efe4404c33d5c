"""What every table module shares."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    # sqlmodel 0.0.50 stores only aware datetimes (UTCDateTime); naive ones raise on insert.
    return datetime.now(UTC)
