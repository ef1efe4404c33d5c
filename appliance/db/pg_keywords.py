"""The keyword index's tables on PostgreSQL (the scale-out profile), created by migration 1 there in
place of SQLite's FTS5 table. Owned by the keyword search back end (appliance.index)."""

from __future__ import annotations

PG_KEYWORD_DDL: tuple[str, ...] = ()
