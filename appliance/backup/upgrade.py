"""`belfort migrate --check`: what an upgrade will change in the database, without changing it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appliance.backup.manifest import latest_schema, schema_version_of
from appliance.db.engine import MIGRATIONS
from appliance.errors import BelfortError


def migration_plan(db: Path | str) -> dict[str, Any]:
    """The database's schema version and the migrations this Belfort would apply to it, in order
    (`db`: the SQLite file, or store.url on PostgreSQL)."""
    if isinstance(db, str):
        from appliance.backup.pg import schema_version_at
        from appliance.db.postgres import describe

        current, where, exists = schema_version_at(db), describe(db), True
    else:
        current, where, exists = (schema_version_of(db) if db.is_file() else 0), str(db), db.is_file()
    if current > latest_schema():
        raise BelfortError(
            "migrate.newer_database",
            f"the database {where} has schema {current}; this Belfort knows only up to {latest_schema()}",
            hint="run the newer Belfort that wrote it, or restore a backup made by this version", status=409)
    pending = [{"version": v, "name": name} for v, name, _ in sorted(MIGRATIONS, key=lambda m: m[0]) if v > current]
    return {"database": where, "exists": exists, "schema_version": current,
            "latest": latest_schema(), "pending": pending}
