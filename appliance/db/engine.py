"""SQLite in WAL mode, one writer at a time (BEGIN IMMEDIATE), numbered migrations; or PostgreSQL
(store.url, appliance.db.postgres) with the same tables, migrations and one-writer semantics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlmodel import Session, SQLModel, select

from appliance.db import tables  # also registers the tables on SQLModel.metadata
from appliance.db.change_log import install_change_log
from appliance.db.pg_keywords import PG_KEYWORD_DDL
from appliance.db.postgres import make_postgres_engine, migration_lock

FTS_DDL = (
    # Keyword index over analysed text (accent-folded, stemmed per language by appliance.index.text).
    "CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5("
    "terms, collection_id UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
)


def make_engine(store: Path | str) -> Engine:
    """The SQLite file at a path, or the PostgreSQL database of a URL (settings.store.url)."""
    if isinstance(store, str):
        return make_postgres_engine(store)
    db_path = store
    db_path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{db_path}",
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # The pysqlite driver's own transaction handling is off so that BEGIN IMMEDIATE works.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get("belfort_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A transaction that takes the write lock up front, so two writers never deadlock."""
    with Session(engine.execution_options(belfort_write=True), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _m1_initial(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        for ddl in PG_KEYWORD_DDL if is_postgres(engine) else (FTS_DDL,):
            conn.exec_driver_sql(ddl)


def _m5_fts_scope(engine: Engine) -> None:
    """chunk_fts gets an indexed `scope` column ('c<collection id>'): the permission filter then runs
    on the FTS posting lists inside the MATCH instead of reading every matching row's collection_id
    (measured 2-3x faster); search gives it bm25 weight 0 so it never changes a score.
    (PostgreSQL's keyword tables are made whole by migration 1.)"""
    if is_postgres(engine):
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE chunk_fts_new USING fts5(terms, scope, collection_id UNINDEXED, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        conn.exec_driver_sql(
            "INSERT INTO chunk_fts_new (rowid, terms, scope, collection_id) "
            "SELECT rowid, terms, 'c' || collection_id, collection_id FROM chunk_fts"
        )
        conn.exec_driver_sql("DROP TABLE chunk_fts")
        conn.exec_driver_sql("ALTER TABLE chunk_fts_new RENAME TO chunk_fts")


def _add_column(table: str, column: str, ddl: str, index: bool = False) -> Callable[[Engine], None]:
    """A migration that adds a column declared in db/tables/ to databases made before it was declared
    (a database created afterwards already has it from create_all)."""

    def step(engine: Engine) -> None:
        with engine.begin() as conn:
            cols = {c["name"] for c in inspect(conn).get_columns(table)}
            if column not in cols:
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {_portable(ddl, engine)}")
            if index:
                conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS ix_{table}_{column} ON {table} ({column})")

    return step


def _portable(ddl: str, engine: Engine) -> str:
    """SQLite's DATETIME is what create_all makes for an aware datetime column (sqlmodel's UTCDateTime):
    on PostgreSQL that is a timestamp with time zone; INTEGER is BIGINT there (appliance.db.postgres)."""
    if is_postgres(engine) and ddl.startswith("DATETIME"):
        return "TIMESTAMP WITH TIME ZONE" + ddl[len("DATETIME"):]
    if is_postgres(engine) and ddl.startswith("INTEGER"):  # 64-bit as create_all makes it there
        return "BIGINT" + ddl[len("INTEGER"):]
    return ddl


def _m20_sessions_and_tokens(engine: Engine) -> None:
    """Server-side web sessions and rate events (new tables); sign-in attempts get the client address;
    API tokens get scopes and an expiry. Tokens made before keep what they could do (every scope the
    role allows) and expire 90 days after the upgrade instead of never."""
    from datetime import timedelta

    SQLModel.metadata.create_all(engine)
    _add_column("signinattempt", "client", "TEXT DEFAULT ''", index=True)(engine)
    _add_column("apitoken", "scopes", "TEXT DEFAULT 'read,ask,ingest,admin'")(engine)
    _add_column("apitoken", "expires_at", "DATETIME")(engine)
    with write_session(engine) as session:
        for row in session.exec(select(tables.ApiToken).where(tables.ApiToken.expires_at == None)).all():
            row.expires_at = tables.utcnow() + timedelta(days=90)
            session.add(row)


def _m25_redaction_names(engine: Engine) -> None:
    _add_column("redactionreview", "names_by", "TEXT DEFAULT ''")(engine)
    _add_column("redactionreview", "names_confirmed_by", "TEXT DEFAULT ''")(engine)


def _m36_mandate_dates(engine: Engine) -> None:
    _add_column("mandatary", "start_date", "TEXT DEFAULT ''")(engine)
    _add_column("mandatary", "end_date", "TEXT DEFAULT ''")(engine)
    _add_column("recordingvocabulary", "body_uri", "TEXT DEFAULT ''")(engine)


def _m41_answer_erasure(engine: Engine) -> None:
    _add_column("answerrecord", "content_sha256", "TEXT DEFAULT ''")(engine)
    _add_column("answerrecord", "erased_at", "TEXT DEFAULT ''")(engine)


MIGRATIONS: list[tuple[int, str, Callable[[Engine], None]]] = [
    (1, "initial schema", _m1_initial),
    (2, "answer audit", lambda engine: SQLModel.metadata.create_all(engine)),
    (3, "recordings and transcript segments", lambda engine: SQLModel.metadata.create_all(engine)),
    (4, "redaction reviews and pseudonym maps", lambda engine: SQLModel.metadata.create_all(engine)),
    (5, "keyword index: indexed collection scope column", lambda engine: _m5_fts_scope(engine)),
    (6, "minutes, segment revisions, triage items, labels and the outbox",
     lambda engine: SQLModel.metadata.create_all(engine)),
    (7, "escalation tickets", lambda engine: SQLModel.metadata.create_all(engine)),
    (10, "minutes item flags", _add_column("minutesitem", "flags", "JSON DEFAULT '[]'")),
    (11, "recording audio deletion time (retention)", _add_column("recording", "audio_deleted_at", "DATETIME")),
    (12, "recording uploader", _add_column("recording", "uploaded_by", "TEXT DEFAULT ''", index=True)),
    (16, "recording collection (who may see a recording)",
     _add_column("recording", "collection_id", "INTEGER REFERENCES collection(id)", index=True)),
    (20, "web sessions, rate events, sign-in client address, API token scopes and expiry",
     _m20_sessions_and_tokens),
    (22, "chunk heading path", _add_column("chunk", "context", "TEXT DEFAULT ''")),
    (25, "redaction reviews: how names were found, the second reviewer's confirmation", _m25_redaction_names),
    (30, "governing bodies and mandatarissen (LBLOD)", lambda engine: SQLModel.metadata.create_all(engine)),
    (31, "meeting, agenda item and decision records for LBLOD publication",
     lambda engine: SQLModel.metadata.create_all(engine)),
    (35, "recording vocabulary (agenda and names that prime transcription)",
     lambda engine: SQLModel.metadata.create_all(engine)),
    (36, "mandatarissen: start and end date (edited by hand); the governing body of a recording's vocabulary", _m36_mandate_dates),
    (40, "retention rules and legal holds", lambda engine: SQLModel.metadata.create_all(engine)),
    (41, "answer records: content digest and erasure time", _m41_answer_erasure),
    (50, "OIDC providers, sign-ins on their way, provider identities", lambda engine: SQLModel.metadata.create_all(engine)),
    (51, "TOTP second factor and recovery codes", lambda engine: SQLModel.metadata.create_all(engine)),
    (53, "directory groups and syncs, document-level readers", lambda engine: SQLModel.metadata.create_all(engine)),
    (54, "SMB shares and their files", lambda engine: SQLModel.metadata.create_all(engine)),
    (56, "web sessions: the second factor of the sign-in", _add_column("websession", "second_factor", "TEXT DEFAULT ''")),
    (67, "index change log: chunk changes that web nodes follow", install_change_log),
    (68, "chunk vectors shared by the web nodes", lambda engine: SQLModel.metadata.create_all(engine)),
]


def migrate(engine: Engine) -> int:
    """Apply pending migrations in order; returns the schema version. On PostgreSQL several nodes may
    start at once: one migrates, the others wait for it and then find nothing left to apply."""
    with migration_lock(engine) if is_postgres(engine) else nullcontext():
        return _migrate(engine)


def _migrate(engine: Engine) -> int:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT, "
            "applied_at TEXT DEFAULT CURRENT_TIMESTAMP)"
        )
        current = conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one()
    numbers = [m[0] for m in MIGRATIONS]
    assert len(set(numbers)) == len(numbers), "two migrations share a number"
    for version, name, step in sorted(MIGRATIONS, key=lambda m: m[0]):
        if version <= current:
            continue
        step(engine)
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO schema_version (version, name) VALUES (:v, :n)"), {"v": version, "n": name}
            )
        current = version
    return int(current)
