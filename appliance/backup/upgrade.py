"""`belfort migrate --check`: what an upgrade will change in the database, without changing it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appliance.backup.manifest import latest_schema, schema_version_of
from appliance.db.engine import MIGRATIONS
from appliance.errors import BelfortError


def migration_plan(db: Path) -> dict[str, Any]:
    """The database's schema version and the migrations this Belfort would apply to it, in order."""
    current = schema_version_of(db) if db.is_file() else 0
    if current > latest_schema():
        raise BelfortError(
            "migrate.newer_database",
            f"the database {db} has schema {current}; this Belfort knows only up to {latest_schema()}",
            hint="run the newer Belfort that wrote it, or restore a backup made by this version", status=409)
    pending = [{"version": v, "name": name} for v, name, _ in sorted(MIGRATIONS, key=lambda m: m[0]) if v > current]
    return {"database": str(db), "exists": db.is_file(), "schema_version": current,
            "latest": latest_schema(), "pending": pending}
