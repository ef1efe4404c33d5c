"""`belfort backup DIR`: a consistent backup of a running appliance.

Order matters: the databases are copied first (SQLite's online backup API gives one consistent snapshot
of each while other processes keep reading and writing), then the files. Originals are content-addressed
and written before the rows that name them, so every original the snapshot refers to is already on
disk; files that appear later are harmless extras. Everything is written into a hidden temp folder
beside DIR that is renamed to DIR only once complete, with the manifest: a full disk or a crash leaves
no folder that looks like a backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appliance.backup import pg
from appliance.backup.manifest import (
    CHUNK,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SKIPPED_DIRS,
    SQLITE_SIDE_FILES,
    belfort_version,
    is_no_space,
    no_space_error,
    schema_version_of,
    sha256_file,
)
from appliance.errors import BelfortError
from appliance.settings import Settings
from appliance.storage.files import atomic_folder
from appliance.storage.layout import SHARED_FOLDERS, DataLayout


def _copy_hashing(src: Path, dst: Path) -> tuple[str, int]:
    dst.parent.mkdir(parents=True, exist_ok=True)
    h, size = hashlib.sha256(), 0
    with src.open("rb") as fin, dst.open("wb") as fout:
        while block := fin.read(CHUNK):
            h.update(block)
            fout.write(block)
            size += len(block)
    shutil.copymode(src, dst)
    return h.hexdigest(), size


def _sqlite_copy(src: Path, dst: Path) -> None:
    """One consistent snapshot of a live database (WAL readers and writers go on meanwhile)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()


def _is_database(path: Path) -> bool:
    return path.suffix == ".sqlite3"


def _data_files(root: Path, models_dir: Path) -> Iterator[Path]:
    """The data folder's files worth keeping: derived folders, temp files, SQLite side files and the
    models folder (under the data folder in a source checkout; --with-models copies it) left out."""
    models = models_dir.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        rel = here.relative_to(root)
        if rel == Path("."):
            dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
        dirnames[:] = [d for d in dirnames if (here / d).resolve() != models]
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith((".tmp", *SQLITE_SIDE_FILES)):
                continue
            if rel.parts[:1] == ("index",) and name != "manifest.json":
                continue  # vector files are rebuilt from SQLite; the manifest says which embedder made them
            yield here / name


def _models_rows(settings: Settings) -> list[dict[str, Any]]:
    from models.catalog import load_catalog, verify_model

    rows = []
    for entry in load_catalog().values():
        st = verify_model(entry, settings.models_dir)
        rows.append({"name": entry.name, "kind": entry.kind, "engine": entry.engine, "state": st.state,
                     "licence": entry.licence, "source": entry.source,
                     "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in entry.files]})
    return rows


class _Writer:
    """Fills the temp folder and remembers each file's checksum for the manifest."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.files: dict[str, dict[str, Any]] = {}

    def add_copy(self, src: Path, rel: str) -> None:
        digest, size = _copy_hashing(src, self.tmp / rel)
        self.files[rel] = {"sha256": digest, "size": size}

    def add_database(self, src: Path, rel: str) -> None:
        _sqlite_copy(src, self.tmp / rel)
        digest, size = sha256_file(self.tmp / rel)
        self.files[rel] = {"sha256": digest, "size": size}

    def add_json(self, rel: str, data: Any) -> None:
        (self.tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (self.tmp / rel).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
        digest, size = sha256_file(self.tmp / rel)
        self.files[rel] = {"sha256": digest, "size": size}


def _fill(out: _Writer, settings: Settings, config_file: Path | None, with_models: bool) -> dict[str, Any]:
    layout = DataLayout.of(settings)
    root = layout.root
    databases, vanished = [], []
    if settings.store.url:  # the store on PostgreSQL: pg_dump's snapshot, first like SQLite's copy
        pg.dump(settings.store.url, out.tmp / "data" / pg.DUMP)
        out.files[f"data/{pg.DUMP}"] = dict(zip(("sha256", "size"), sha256_file(out.tmp / "data" / pg.DUMP),
                                                strict=True))
        databases.append(pg.DUMP)
    for path in sorted(root.glob("*.sqlite3")):  # belfort.sqlite3 and jobs.sqlite3 (Huey's queue)
        out.add_database(path, f"data/{path.name}")
        databases.append(path.name)
    for path in _data_files(root, settings.models_dir):
        rel = path.relative_to(root)
        if _is_database(path) and len(rel.parts) == 1:
            continue  # copied above with the online backup API
        try:
            out.add_copy(path, f"data/{rel.as_posix()}")
        except FileNotFoundError:
            vanished.append(rel.as_posix())  # removed meanwhile (retention, a finished upload)
    if layout.shared_root is not None:  # cluster.shared_dir: its folders keep their names (data/originals/...)
        for path in _data_files(layout.shared_root, settings.models_dir):
            rel = path.relative_to(layout.shared_root)
            if rel.parts[0] in SHARED_FOLDERS:
                try:
                    out.add_copy(path, f"data/{rel.as_posix()}")
                except FileNotFoundError:
                    vanished.append(rel.as_posix())
    models = _models_rows(settings)
    out.add_json("models.json", models)
    if with_models:
        for row in models:
            folder = settings.models_dir / row["name"]
            for f in row["files"] if row["state"] != "missing" else []:
                if (folder / f["path"]).is_file():
                    out.add_copy(folder / f["path"], f"models/{row['name']}/{f['path']}")
    if config_file is not None and config_file.is_file():
        out.add_copy(config_file, "settings/belfort.toml")
    return {"databases": databases, "vanished": vanished}


def take_backup(settings: Settings, dest: Path, *, config_file: Path | None = None,
                with_models: bool = False) -> dict[str, Any]:
    """Write a backup of the data folder of `settings` to `dest` (absent or empty); returns the manifest."""
    layout = DataLayout.of(settings)
    if settings.store.url:
        schema = pg.schema_version_at(settings.store.url)  # the dump is taken just after: no migration between
    elif not layout.db.is_file():
        raise BelfortError("backup.no_data", f"no Belfort database at {layout.db}",
                           hint="check data_dir (BELFORT_DATA_DIR) of the appliance to back up")
    dest = dest.resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BelfortError("backup.target_not_empty", f"{dest} exists and is not an empty folder",
                           hint="give a new folder, e.g. /backups/belfort-$(date +%F)")
    if dest.is_relative_to(layout.root.resolve()):
        raise BelfortError("backup.inside_data", "the backup folder lies inside the data folder",
                           hint="write backups to another disk")
    started = datetime.now(UTC)
    try:
        with atomic_folder(dest) as tmp:
            tmp.mkdir()
            out = _Writer(tmp)
            extra = _fill(out, settings, config_file, with_models)
            manifest = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "belfort_version": belfort_version(),
                "schema_version": schema if settings.store.url else schema_version_of(tmp / "data" / layout.db.name),
                "store": "postgresql" if settings.store.url else "sqlite",
                "created_at": started.isoformat(timespec="seconds"),
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "source_data_dir": str(layout.root.resolve()), "with_models": with_models,
                **extra, "files": out.files,
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except (OSError, sqlite3.Error) as exc:
        if is_no_space(exc):
            raise no_space_error(dest.parent) from None
        raise
    return manifest
