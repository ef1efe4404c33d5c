"""Is the store there? A clear error with a stable code instead of a driver traceback, a bounded wait
at start (a node that starts before its database waits for it instead of crash-looping), and what the
doctor shows about the store."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from appliance.errors import BelfortError

log = logging.getLogger(__name__)


def where(engine: Engine) -> str:
    """The store in words, without a password: the SQLite file or the PostgreSQL URL."""
    if engine.dialect.name == "sqlite":
        return f"SQLite {engine.url.database}"
    return f"PostgreSQL {engine.url.render_as_string(hide_password=True)}"


def unreachable(engine: Engine, exc: BaseException) -> BelfortError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if engine.dialect.name == "sqlite":
        hint = "check that the data folder exists and that the belfort user may write the file"
    else:
        hint = ("check that PostgreSQL runs and accepts this node (pg_hba.conf), the host and port in store.url, "
                "and the password in ~/.pgpass or PGPASSFILE; `belfort doctor` shows the store")
    return BelfortError("store.unreachable", f"cannot reach the database ({where(engine)}): {reason}",
                        hint=hint, status=503)


def wait_for_store(engine: Engine, seconds: float) -> None:
    """Return once the store answers; after `seconds` of trying, raise store.unreachable (at once for a
    SQLite file: it does not come up later)."""
    if engine.dialect.name == "sqlite":
        seconds = 0.0
    deadline = time.monotonic() + seconds
    delay = 0.5
    while True:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        except DBAPIError as exc:
            left = deadline - time.monotonic()
            if left <= 0:
                raise unreachable(engine, exc) from exc
            log.warning("waiting for the database (%s): %s", where(engine), unreachable(engine, exc).message)
            time.sleep(min(delay, left))
            delay = min(delay * 2, 5.0)


@dataclass(frozen=True)
class StoreStatus:
    where: str
    reachable: bool
    error: BelfortError | None = None
    schema_version: int = 0
    journal: str = ""  # SQLite's journal mode ('' on PostgreSQL)
    server: str = ""  # PostgreSQL's server version


def store_status(engine: Engine) -> StoreStatus:
    """One look at the store, no waiting (the doctor, the admin console)."""
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                journal, server = str(conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()), ""
            else:
                journal, server = "", str(conn.exec_driver_sql("SHOW server_version").scalar_one())
            try:
                version = conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one()
            except DBAPIError:  # reachable, never migrated
                version = 0
    except DBAPIError as exc:
        return StoreStatus(where(engine), False, unreachable(engine, exc))
    return StoreStatus(where(engine), True, schema_version=int(version), journal=journal, server=server)


def store_checks(engine: Engine, latest: int) -> list[tuple[str, bool, str, str]]:
    """The doctor's rows about the store: (name, ok, message, hint)."""
    st = store_status(engine)
    if st.error is not None:
        return [("db.open", False, f"[{st.error.code}] {st.error.message}", st.error.hint)]
    out = [("db.store", True, st.where + (f" (server {st.server})" if st.server else ""), "")]
    if not st.server:
        out.append(("db.wal", st.journal.lower() == "wal", f"journal mode {st.journal}",
                    "the data folder must be on a local disk (WAL does not work on network shares)"))
    out.append(("db.schema", st.schema_version == latest, f"schema version {st.schema_version} of {latest}",
                "run `belfort up` or restart: migrations run at start-up"))
    return out
