"""`belfort backup` / `belfort restore` / `belfort migrate`: a backup taken while an ingest batch runs
restores to a consistent, equally searchable appliance; bad restores are refused before anything is written."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from appliance.access.principals import SYSTEM
from appliance.backup import finish_restore, latest_schema, migration_plan, restore_files, take_backup
from appliance.backup.manifest import sha256_file
from appliance.context import Appliance
from appliance.db.engine import MIGRATIONS, read_session
from appliance.documents.ingest import ingest_file
from appliance.errors import BelfortError
from appliance.index.keywords import keyword_index
from appliance.search.query import search
from appliance.settings import Settings
from models.fakes import FakeEmbedder
from ops.cli import main
from tests.backends import STORE, fresh_postgres_database
from tests.conftest import make_settings

WORDS = ["kwartel", "zandloper", "vuurtoren", "molenwiek", "schelpdier", "knotwilg", "ooievaar", "dijkgraaf"]


def _text(i: int) -> str:
    word = f"{WORDS[i % len(WORDS)]}{i:03d}"
    return (f"Verslag {word}. De gemeenteraad besliste over de heraanleg van het Marktplein en de straat {word}. "
            f"Het college legt het ontwerp voor aan de bewoners van wijk {i}.\n") * 3


def _files(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"verslag-{i:03d}.txt"
        path.write_text(_text(i), encoding="utf-8")
        out.append(path)
    return out


def _hits(app: Appliance, query: str) -> list[tuple[str, str, int, float]]:
    result = search(app, SYSTEM, query, limit=20)
    return [(h.title, h.text, h.page, round(h.score, 6)) for h in result.hits]


def _one(app: Appliance, query: str) -> int:
    with read_session(app.db) as s:
        return int(s.execute(sql(query)).scalar_one())


def _empty_store() -> dict:
    """Settings of an empty store to restore into: a new PostgreSQL database in that pass (a restore
    never overwrites), else nothing (the SQLite file of the new data folder)."""
    return {"store": {"url": fresh_postgres_database()}} if STORE == "postgresql" else {}


def _store_env(monkeypatch: pytest.MonkeyPatch, store: dict) -> None:
    if store:
        monkeypatch.setenv("BELFORT_STORE__URL", store["store"]["url"])


def _restored(tmp_path: Path, backup: Path, name: str) -> tuple[Appliance, dict]:
    settings = make_settings(tmp_path / name, **_empty_store())
    report = restore_files(settings, backup)
    app = Appliance(settings, embedder=FakeEmbedder())  # finish_restore migrates (after loading a dump)
    report |= finish_restore(app)
    return app, report


def test_backup_during_ingest_batch_restores_the_same_searchable_state(
        appliance: Appliance, settings: Settings, tmp_path: Path) -> None:
    files = _files(tmp_path / "batch", 40)
    half = threading.Event()
    errors: list[BaseException] = []

    def batch() -> None:
        try:
            for k, path in enumerate(files):
                ingest_file(appliance, path, "raad")
                if k == 9:
                    half.set()
        except BaseException as exc:  # noqa: BLE001  (reported by the test below)
            errors.append(exc)
            half.set()

    worker = threading.Thread(target=batch)
    worker.start()
    assert half.wait(60)
    during = take_backup(settings, tmp_path / "backup-during")  # the batch goes on meanwhile
    worker.join(120)
    assert not errors and not worker.is_alive()
    after = take_backup(settings, tmp_path / "backup-after")

    # The backup taken mid-batch is a consistent appliance: every stored version has its original, and
    # every passage is searchable exactly as in the running appliance.
    mid, report = _restored(tmp_path, tmp_path / "backup-during", "mid")
    docs = _one(mid, "SELECT COUNT(*) FROM document")
    print(f"documents in the mid-batch backup: {docs} of 40")
    assert 10 <= docs <= 40 and report["reindex"]["chunks"] == _one(mid, "SELECT COUNT(*) FROM chunk WHERE active = TRUE")
    with read_session(mid.db) as s:
        if not mid.settings.store.url:  # SQLite's copy; pg_restore --single-transaction --exit-on-error checks its own
            assert s.execute(sql("PRAGMA integrity_check")).scalar_one() == "ok"
        hashes = [r[0] for r in s.execute(sql("SELECT content_hash FROM documentversion"))]
    for digest in hashes:
        stored = mid.layout.originals / digest[:2] / digest
        assert sha256_file(stored)[0] == digest
    with read_session(mid.db) as s:
        indexed = f"SELECT COUNT(*) FROM ({keyword_index(s).indexed_ids_sql()}) AS i"
    assert _one(mid, indexed) == report["reindex"]["chunks"]
    with read_session(mid.db) as s:
        titles = [r[0] for r in s.execute(sql("SELECT title FROM document ORDER BY id"))]
    for title in titles:
        i = int(title.rsplit("-", 1)[1])
        word = f"{WORDS[i % len(WORDS)]}{i:03d}"
        assert _hits(mid, word)[0][:3] == _hits(appliance, word)[0][:3] and _hits(mid, word)[0][0] == title
    assert during["schema_version"] == latest_schema()

    # The backup taken after the batch answers every search exactly like the running appliance.
    full, _ = _restored(tmp_path, tmp_path / "backup-after", "full")
    for query in ("Marktplein heraanleg", "ontwerp bewoners wijk 17", "kwartel008"):
        assert _hits(full, query) == _hits(appliance, query) and _hits(full, query)
    assert len(after["files"]) > len(during["files"])


def test_restore_refuses_a_non_empty_folder(appliance: Appliance, settings: Settings, tmp_path: Path) -> None:
    ingest_file(appliance, _files(tmp_path / "in", 1)[0], "raad")
    take_backup(settings, tmp_path / "bk")
    target = make_settings(tmp_path / "other")
    target.data_dir.mkdir(parents=True)
    (target.data_dir / "notes.txt").write_text("keep me")
    with pytest.raises(BelfortError) as err:
        restore_files(target, tmp_path / "bk")
    assert err.value.code == "restore.not_empty"
    assert [p.name for p in target.data_dir.iterdir()] == ["notes.txt"]
    with pytest.raises(BelfortError) as err:
        restore_files(settings, tmp_path / "bk")  # the running appliance's own folder
    assert err.value.code == "restore.not_empty"


def test_newer_and_corrupt_backups_are_refused_before_anything_is_written(
        appliance: Appliance, settings: Settings, tmp_path: Path) -> None:
    ingest_file(appliance, _files(tmp_path / "in", 2)[0], "raad")
    take_backup(settings, tmp_path / "bk")
    manifest_path = tmp_path / "bk" / "backup.json"
    manifest = json.loads(manifest_path.read_text())
    target = make_settings(tmp_path / "new")

    manifest_path.write_text(json.dumps({**manifest, "schema_version": latest_schema() + 1}))
    with pytest.raises(BelfortError) as err:
        restore_files(target, tmp_path / "bk")
    assert err.value.code == "backup.newer_version" and not target.data_dir.exists()

    manifest_path.write_text(json.dumps(manifest))
    original = next(p for p in (tmp_path / "bk" / "data" / "originals").rglob("*") if p.is_file())
    original.chmod(0o644)
    original.write_bytes(original.read_bytes().replace(b"Marktplein", b"Marktplijn"))
    with pytest.raises(BelfortError) as err:
        restore_files(target, tmp_path / "bk")
    assert err.value.code == "backup.corrupt" and not target.data_dir.exists()
    assert not list(tmp_path.glob("new/.*"))  # no temp folder left either


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from appliance.backup import take_backup
from appliance.errors import BelfortError
from tests.conftest import make_settings
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
try:
    take_backup(make_settings(Path(sys.argv[1])), Path(sys.argv[1]) / "bk")
except BelfortError as exc:
    print(exc.code)
"""


@pytest.mark.sqlite_only
def test_backup_on_a_full_disk_fails_cleanly_and_leaves_nothing(appliance: Appliance, settings: Settings,
                                                                tmp_path: Path) -> None:
    ingest_file(appliance, _files(tmp_path / "in", 1)[0], "raad")
    audio = appliance.layout.recordings / ("ab" * 32 + ".wav")  # a recording larger than the space left
    audio.parent.mkdir(parents=True)
    audio.write_bytes(b"RIFF" + bytes(3_000_000))
    with appliance.db.begin() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the database file holds every page
    limit = appliance.layout.db.stat().st_size + 100_000  # the database fits, the recording does not
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", FULL_DISK, str(tmp_path), str(limit)], check=False, cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "backup.no_space", out.stderr
    assert not (tmp_path / "bk").exists() and not list(tmp_path.glob(".bk.*"))
    assert _hits(appliance, "Marktplein")  # the appliance is untouched


def test_migrate_check_lists_pending_migrations_and_migrate_applies_them(
        appliance: Appliance, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with appliance.db.begin() as conn:
        conn.exec_driver_sql("DELETE FROM schema_version WHERE version > 20")  # as an older Belfort left it
    db = appliance.settings.store.url or appliance.layout.db
    plan = migration_plan(db)
    later = sorted(number for number, _, _ in MIGRATIONS if number > 20)  # 22, 25 and whatever comes after
    assert plan["schema_version"] == 20 and [m["version"] for m in plan["pending"]] == later
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BELFORT_DATA_DIR", str(settings.data_dir))
    _store_env(monkeypatch, {"store": {"url": settings.store.url}} if settings.store.url else {})
    assert main(["migrate", "--check"]) == 0
    out = capsys.readouterr().out
    assert "would apply 22: chunk heading path" in out and "schema 20" in out
    assert migration_plan(db)["schema_version"] == 20  # --check changed nothing
    assert main(["migrate"]) == 0
    assert f"applied {later[-1]}" in capsys.readouterr().out
    assert migration_plan(db)["pending"] == []
    with appliance.db.begin() as conn:  # a database a newer Belfort migrated (a downgrade)
        conn.exec_driver_sql(f"INSERT INTO schema_version (version, name) VALUES ({latest_schema() + 1}, 'future')")
    assert main(["migrate", "--check"]) == 2
    assert "migrate.newer_database" in capsys.readouterr().err


def test_backup_and_restore_commands(appliance: Appliance, settings: Settings, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for path in _files(tmp_path / "in", 3):
        ingest_file(appliance, path, "raad")
    monkeypatch.chdir(tmp_path)
    for key, value in {"BELFORT_DATA_DIR": str(settings.data_dir), "BELFORT_MODELS_DIR": str(tmp_path / "m"),
                       "BELFORT_PROFILE": "test", "BELFORT_SEARCH__EMBEDDER": "fake",
                       "BELFORT_LLM__ENGINE": "none"}.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "belfort.toml").write_text('log_level = "INFO"\n')
    _store_env(monkeypatch, {"store": {"url": settings.store.url}} if settings.store.url else {})
    with sqlite3.connect(settings.data_dir / "jobs.sqlite3") as jobs:  # Huey's queue, in WAL mode as Huey runs it
        jobs.execute("PRAGMA journal_mode=WAL")
        jobs.execute("CREATE TABLE task (id INTEGER PRIMARY KEY, queue TEXT, data BLOB)")
        jobs.execute("INSERT INTO task (queue, data) VALUES ('belfort', x'00ff')")
    models = settings.data_dir / "models" / "whisper-base"  # a models folder inside the data folder
    models.mkdir(parents=True)
    (models / "model.bin").write_bytes(b"weights")
    monkeypatch.setenv("BELFORT_MODELS_DIR", str(settings.data_dir / "models"))
    assert main(["backup", str(tmp_path / "bk")]) == 0
    assert (tmp_path / "bk" / "settings" / "belfort.toml").is_file() and (tmp_path / "bk" / "models.json").is_file()
    manifest = json.loads((tmp_path / "bk" / "backup.json").read_text())
    store = "belfort.pgdump" if settings.store.url else "belfort.sqlite3"
    assert manifest["databases"] == [store, "jobs.sqlite3"] and manifest["store"] == ("postgresql" if settings.store.url else "sqlite")
    assert not any(rel.startswith("data/models/") for rel in manifest["files"])  # only with --with-models
    assert main(["backup", str(tmp_path / "bk")]) == 2  # never into a folder that holds something
    assert "backup.target_not_empty" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "bk")]) == 2  # the live data folder is not empty
    assert "restore.not_empty" in capsys.readouterr().err
    monkeypatch.setenv("BELFORT_DATA_DIR", str(tmp_path / "restored"))
    _store_env(monkeypatch, _empty_store())
    assert main(["restore", str(tmp_path / "bk"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["reindex"]["chunks"] == _one(appliance, "SELECT COUNT(*) FROM chunk WHERE active = TRUE")
    assert main(["search", "zandloper001", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits[0]["title"] == "verslag-001"
    with sqlite3.connect(tmp_path / "restored" / "jobs.sqlite3") as jobs:
        assert jobs.execute("SELECT queue, data FROM task").fetchall() == [("belfort", b"\x00\xff")]
    # --with-models also keeps the provisioned model files; a restore puts back the ones a new box lacks.
    monkeypatch.setenv("BELFORT_DATA_DIR", str(settings.data_dir))
    _store_env(monkeypatch, {"store": {"url": settings.store.url}} if settings.store.url else {})
    assert main(["backup", str(tmp_path / "bk-models"), "--with-models"]) == 0
    files = json.loads((tmp_path / "bk-models" / "backup.json").read_text())["files"]
    assert "models/whisper-base/model.bin" in files and not any(r.startswith("data/models/") for r in files)
    monkeypatch.setenv("BELFORT_DATA_DIR", str(tmp_path / "second"))
    monkeypatch.setenv("BELFORT_MODELS_DIR", str(tmp_path / "new-models"))
    _store_env(monkeypatch, _empty_store())
    assert main(["restore", str(tmp_path / "bk-models")]) == 0
    assert (tmp_path / "new-models" / "whisper-base" / "model.bin").read_bytes() == b"weights"
