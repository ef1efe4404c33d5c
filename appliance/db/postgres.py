"""The store on PostgreSQL (the scale-out profile): the engine, the write lock, the migration lock.

SQLite serialises writers with BEGIN IMMEDIATE and the code relies on it (read-then-write in one
write session). On PostgreSQL a write session takes one transaction-level advisory lock at BEGIN,
so writers run one at a time across every node exactly as on one box, while readers never wait.
Migrations take a session-level advisory lock: a second node starting at the same time waits for
the first and then finds nothing left to apply.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn
from sqlalchemy.types import BigInteger, Integer, SmallInteger

from appliance.errors import BelfortError

WRITE_LOCK = zlib.crc32(b"belfort.write")  # pg_advisory_*lock keys: stable across versions and nodes
MIGRATE_LOCK = zlib.crc32(b"belfort.migrate")
POOL_SIZE = 5  # per process; web threads and worker threads beyond it wait up to POOL_TIMEOUT
MAX_OVERFLOW = 10
POOL_TIMEOUT = 30
CONNECT_TIMEOUT = 10


class _UncastInteger(Integer):
    render_bind_cast = False


@compiles(CreateColumn, "postgresql")
def _bigint_columns(element: CreateColumn, compiler: Any, **kw: Any) -> Any:
    """Integer columns are 64-bit on PostgreSQL too, as in SQLite: ids up to 2**53 (appliance.ids) stay
    valid. Only the DDL changes (queries keep their casts)."""
    text = compiler.visit_create_column(element, **kw)
    column = element.element
    if text is None or not isinstance(column.type, Integer) or isinstance(column.type, BigInteger | SmallInteger):
        return text
    name = compiler.preparer.format_column(column)
    rest = str(text)[len(name):]
    for small, big in ((" SERIAL", " BIGSERIAL"), (" INTEGER", " BIGINT")):
        if rest.startswith(small):
            return name + big + rest[len(small):]
    return text


def normalised_url(url: str) -> str:
    """postgresql+psycopg://...; a plain postgresql:// (libpq's own form) means the same."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise BelfortError("store.bad_url", f"store.url is not a database URL ({exc})",
                           hint="write postgresql+psycopg://user@host:5432/belfort, or leave it empty for SQLite") from exc
    if parsed.drivername != "postgresql+psycopg":
        raise BelfortError("store.unsupported", f"store.url names {parsed.drivername}: only PostgreSQL is supported",
                           hint="write postgresql+psycopg://user@host:5432/belfort, or leave it empty for SQLite")
    return url


def describe(url: str) -> str:
    """The URL without its password, for messages and the doctor."""
    return make_url(normalised_url(url)).render_as_string(hide_password=True)


def make_postgres_engine(url: str) -> Engine:
    engine = create_engine(
        normalised_url(url),
        pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW, pool_timeout=POOL_TIMEOUT,
        pool_pre_ping=True,  # a restarted or failed-over server: a dead pooled connection is replaced
        # The app keeps UTC (aware datetimes in timestamptz); the session zone only matters to SQL functions.
        connect_args={"connect_timeout": CONNECT_TIMEOUT, "options": "-c timezone=UTC",
                      "application_name": "belfort"},
    )

    # Integers are bound without the driver's ::INTEGER cast: psycopg sends a big one as int8, which a
    # BIGINT column takes (an id up to 2**53 is then "not found", not "integer out of range").
    engine.dialect.colspecs = {**engine.dialect.colspecs, Integer: _UncastInteger}

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        if conn.get_execution_options().get("belfort_write", False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _no_nul(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        return statement, _without_nul(parameters)

    return engine


def _without_nul(params: Any) -> Any:
    """PostgreSQL text cannot hold U+0000 (SQLite can): hostile documents and pasted text carry it. It
    means nothing in text, so on PostgreSQL it is dropped from every string bound instead of failing the write."""
    if isinstance(params, str):
        return params.replace("\x00", "") if "\x00" in params else params
    if isinstance(params, dict):
        return {k: _without_nul(v) for k, v in params.items()}
    if isinstance(params, list | tuple):
        return type(params)(_without_nul(v) for v in params)
    return params


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Held on a connection of its own for the whole migration; released when it ends (or the node dies)."""
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATE_LOCK})")
        conn.commit()  # the lock is the session's: no transaction stays open while the steps run
        try:
            yield
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATE_LOCK})")
            conn.commit()
