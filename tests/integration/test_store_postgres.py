"""The store on PostgreSQL: the numbered migrations give the same schema as on SQLite; two nodes
migrating at once (one waits); writers one at a time as on SQLite; a database that does not answer is
a clear doctor error and a bounded wait at start, not a crash loop."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from appliance.context import Appliance, open_appliance
from appliance.db.engine import MIGRATIONS, make_engine, migrate, write_session
from appliance.db.pg_keywords import PG_KEYWORD_DDL
from appliance.db.postgres import MIGRATE_LOCK
from appliance.errors import BelfortError
from ops.cli import main
from tests.backends import fresh_postgres_database, needs_postgres
from tests.conftest import make_settings

pytestmark = needs_postgres
LATEST = max(m[0] for m in MIGRATIONS)

# Dialect spellings of one column type (SQLite reports what create_all declared, PostgreSQL its own names).
_KINDS = {"INTEGER": "int", "BIGINT": "int", "SMALLINT": "int", "VARCHAR": "text", "TEXT": "text",
          "FLOAT": "float", "REAL": "float", "DOUBLE": "float", "DOUBLE_PRECISION": "float", "NUMERIC": "float",
          "BOOLEAN": "bool", "DATETIME": "timestamp", "TIMESTAMP": "timestamp", "DATE": "date", "JSON": "json",
          "JSONB": "json", "BLOB": "bytes", "BYTEA": "bytes", "LARGEBINARY": "bytes", "UUID": "text"}


def _keyword_tables(engine: Engine) -> set[str]:
    """The keyword index's own tables (FTS5 and its shadow tables; pg_keywords' tables): back-end specific."""
    names = set(inspect(engine).get_table_names())
    if engine.dialect.name == "sqlite":
        return {n for n in names if n.startswith("chunk_fts")}
    return {m.group(1) for ddl in PG_KEYWORD_DDL
            for m in [re.search(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", ddl, re.IGNORECASE)] if m}


def _schema(engine: Engine) -> dict[str, Any]:
    insp = inspect(engine)
    names = sorted(set(insp.get_table_names()) - _keyword_tables(engine))
    cols, pks, fks = insp.get_multi_columns(filter_names=names), insp.get_multi_pk_constraint(filter_names=names), \
        insp.get_multi_foreign_keys(filter_names=names)
    idx, uniq = insp.get_multi_indexes(filter_names=names), insp.get_multi_unique_constraints(filter_names=names)
    out: dict[str, Any] = {}
    for t in names:
        key = (None, t)
        pk = sorted(pks[key]["constrained_columns"])
        out[t] = {  # SQLite reports an INTEGER PRIMARY KEY nullable; it cannot hold NULL on either
            "columns": sorted((c["name"], _KINDS.get(type(c["type"]).__name__.upper(), type(c["type"]).__name__),
                               bool(c["nullable"]) and c["name"] not in pk) for c in cols[key]),
            "pk": pk,
            "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                          for f in fks[key]),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in idx[key] if not i.get("duplicates_constraint")),
            "unique": sorted(tuple(u["column_names"]) for u in uniq[key]),
        }
    return out


def test_the_migrations_give_the_same_schema_on_postgresql_and_sqlite(tmp_path: Path) -> None:
    lite, pg = make_engine(tmp_path / "belfort.sqlite3"), make_engine(fresh_postgres_database())
    try:
        assert migrate(lite) == migrate(pg) == LATEST
        a, b = _schema(lite), _schema(pg)
        assert sorted(a) == sorted(b)
        assert len(a) > 40
        for table in a:
            assert a[table] == b[table], table
        with pg.connect() as conn:
            applied = [r[0] for r in conn.execute(text("SELECT version FROM schema_version ORDER BY version"))]
        assert applied == sorted(m[0] for m in MIGRATIONS)
        # An aware datetime column is a timestamp with time zone there (the app keeps UTC on both).
        cols = {c["name"]: c["type"] for c in inspect(pg).get_columns("document")}
        assert getattr(cols["created_at"], "timezone", False)
    finally:
        lite.dispose()
        pg.dispose()


def test_two_nodes_migrating_at_once_one_waits(tmp_path: Path) -> None:
    url = fresh_postgres_database()
    holder, nodes = make_engine(url), [make_engine(url) for _ in range(2)]
    results: list[int] = []
    errors: list[BaseException] = []

    def node(engine: Engine) -> None:
        try:
            results.append(migrate(engine))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    try:
        with holder.connect() as conn:  # a node that is migrating right now
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATE_LOCK})")
            threads = [threading.Thread(target=node, args=(e,)) for e in nodes]
            for t in threads:
                t.start()
            time.sleep(0.5)
            assert all(t.is_alive() for t in threads) and not results  # both wait for it
            assert not inspect(holder).has_table("schema_version")
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATE_LOCK})")
        for t in threads:
            t.join(60)
        assert not errors and results == [LATEST, LATEST]
        with holder.connect() as conn:
            rows = conn.execute(text("SELECT version, COUNT(*) FROM schema_version GROUP BY version")).all()
        assert sorted(v for v, _ in rows) == sorted(m[0] for m in MIGRATIONS) and {n for _, n in rows} == {1}
    finally:
        for e in (holder, *nodes):
            e.dispose()


def test_write_sessions_take_turns_and_reads_do_not_wait() -> None:
    engine = make_engine(fresh_postgres_database())
    migrate(engine)
    order: list[str] = []
    first_in = threading.Event()
    release = threading.Event()

    def first() -> None:
        with write_session(engine) as s:
            s.execute(text("SELECT 1"))
            first_in.set()
            release.wait(10)
            order.append("first")

    def second() -> None:
        first_in.wait(10)
        with write_session(engine) as s:
            s.execute(text("SELECT 1"))
            order.append("second")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    try:
        first_in.wait(10)
        time.sleep(0.3)
        with engine.connect() as conn:  # a reader is not held up by the writer
            assert conn.execute(text("SELECT COUNT(*) FROM schema_version")).scalar_one() > 0
        assert order == []  # the second writer waits for the first
    finally:
        release.set()
        for t in threads:
            t.join(10)
        engine.dispose()
    assert order == ["first", "second"]


def _nowhere(tmp_path: Path) -> str:
    return f"postgresql+psycopg://belfort:s3cret@/belfort?host={tmp_path / 'no-server'}"


def test_an_unreachable_database_waits_a_bounded_time_then_says_so(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, store={"url": _nowhere(tmp_path), "connect_wait_seconds": 1.0})
    started = time.monotonic()
    with pytest.raises(BelfortError) as caught:
        open_appliance(settings)
    assert 1.0 <= time.monotonic() - started < 10
    err = caught.value
    assert err.code == "store.unreachable" and err.status == 503
    assert "PostgreSQL" in err.message and "s3cret" not in err.message and "pg_hba" in err.hint


def test_doctor_reports_an_unreachable_database_without_waiting(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "belfort.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\nmodels_dir = "{tmp_path / "models"}"\nprofile = "test"\n'
        f'[search]\nembedder = "fake"\n[llm]\nengine = "none"\n[store]\nurl = "{_nowhere(tmp_path)}"\n'
    )
    started = time.monotonic()
    assert main(["--config", str(config), "doctor", "--json"]) == 1
    assert time.monotonic() - started < 30  # the 60 s start-up wait is not the doctor's
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    db = rows["db.open"]
    assert db["level"] == "error" and db["message"].startswith("[store.unreachable]")
    assert "PostgreSQL" in db["message"] and "s3cret" not in db["message"]
    assert "db.schema" not in rows and "folder.data" in rows  # the other checks still ran
    # `belfort migrate` (any command opening the appliance) stops with the code, no traceback.
    config.write_text(config.read_text() + "connect_wait_seconds = 0\n")
    assert main(["--config", str(config), "migrate"]) == 2
    assert "error [store.unreachable]" in capsys.readouterr().err


def test_health_says_store_unreachable_for_the_load_balancer(tmp_path: Path) -> None:
    from appliance.api.health import health

    app = Appliance(make_settings(tmp_path, store={"url": _nowhere(tmp_path)}))  # started, then the database went
    with pytest.raises(BelfortError) as caught:
        health.fn(appliance=app)
    assert caught.value.code == "store.unreachable" and caught.value.status == 503
