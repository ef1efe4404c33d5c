"""Backup and restore of the store on PostgreSQL (the scale-out profile): pg_dump's custom format in
place of SQLite's online backup copy, pg_restore into an empty database. pg_dump takes one consistent
snapshot while the nodes keep working, like SQLite's backup API does."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from appliance.db.postgres import normalised_url
from appliance.db.reach import unreachable
from appliance.errors import BelfortError

DUMP = "belfort.pgdump"  # the store's file in a backup's data/ folder


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BelfortError(f"backup.no_{name}", f"{name} is not installed: the PostgreSQL store cannot be "
                           "backed up or restored without it",
                           hint="apt-get install postgresql-client (its major version at least the server's)")
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """libpq's URI of store.url, and the environment carrying its password (never on a command line)."""
    parsed = make_url(normalised_url(url))
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(cmd: list[str], env: dict[str, str], code: str, what: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BelfortError(code, f"{what} failed: {detail[-1] if detail else f'exit {done.returncode}'}",
                           hint="check that the database answers (belfort doctor) and the client's version")


def dump(url: str, dst: Path) -> None:
    """A consistent dump of the store into `dst` (custom format; pg_restore reads it)."""
    uri, env = _libpq(url)
    dst.parent.mkdir(parents=True, exist_ok=True)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={dst}", uri],
         env, "backup.pg_dump", "pg_dump")


def schema_version_at(url: str) -> int:
    """The schema version recorded in the store of `url` (0: an empty database)."""
    engine = create_engine(normalised_url(url))
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("schema_version"):
                return 0
            return int(conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one())
    except DBAPIError as exc:
        raise unreachable(engine, exc) from exc
    finally:
        engine.dispose()


def restore_dump(url: str, src: Path) -> None:
    """Load a dump into the store of `url`, which must hold no table yet (never overwritten)."""
    engine = create_engine(normalised_url(url))
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BelfortError("restore.not_empty", f"the database of store.url already holds {len(tables)} table(s)",
                           hint="restore into a new, empty database (createdb); Belfort never overwrites one",
                           status=409)
    uri, env = _libpq(url)
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          f"--dbname={uri}", str(src)], env, "restore.pg_restore", "pg_restore")
