"""`belfort restore DIR`: a backup into an empty data folder, then the derived data rebuilt.

Nothing is written before the whole backup is checked (manifest, version, every checksum); the files go
into a hidden temp folder beside the data folder that is renamed onto it once complete. The vector
index is not in a backup: `finish_restore` migrates the database (a backup from an older Belfort) and
rebuilds the keyword and vector indices from SQLite.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.backup import pg
from appliance.backup.manifest import is_no_space, read_manifest, verify_files
from appliance.errors import BelfortError
from appliance.settings import Settings
from appliance.storage.files import atomic_folder
from appliance.storage.layout import DataLayout

if TYPE_CHECKING:
    from appliance.context import Appliance


def _require_empty(root: Path) -> None:
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise BelfortError("restore.not_empty", f"the data folder {root} is not empty",
                           hint="restore into a new, empty folder (set BELFORT_DATA_DIR to it); "
                           "Belfort never overwrites a data folder", status=409)


def _require_same_store(settings: Settings, databases: list[str]) -> None:
    on_postgres = pg.DUMP in databases
    if on_postgres != bool(settings.store.url):
        raise BelfortError("restore.other_store", "the backup holds a " + ("PostgreSQL" if on_postgres else "SQLite")
                           + " store; these settings use " + ("PostgreSQL" if settings.store.url else "SQLite"),
                           hint="set store.url as on the appliance that was backed up (empty for SQLite); moving "
                                "between the two stores is not a restore", status=409)


def restore_files(settings: Settings, source: Path, *, with_models: bool = True) -> dict[str, Any]:
    """Check the backup in `source` and copy its data folder to `settings.data_dir` (absent or empty).
    Model files in the backup go to models_dir where that model's folder is missing."""
    manifest = read_manifest(source)
    root = DataLayout.of(settings).root.resolve()
    _require_empty(root)
    _require_same_store(settings, manifest.data.get("databases") or [])
    checked = verify_files(source, manifest)
    data_files = sorted(rel for rel in manifest.files if rel.startswith("data/"))
    try:
        with atomic_folder(root) as tmp:
            tmp.mkdir()
            for rel in data_files:
                if rel.startswith("data/index/"):
                    continue  # rebuilt from SQLite by finish_restore
                dest = tmp / rel[len("data/"):]
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / rel, dest)
    except OSError as exc:
        if is_no_space(exc):
            raise BelfortError("restore.no_space", f"the disk holding {root} is full",
                               hint="free space; the data folder was left as it was", status=507) from None
        raise
    models = _restore_models(settings, source, manifest.files) if with_models else []
    return {"data_dir": str(root), "files": len(data_files), "bytes_checked": checked,
            "schema_version": manifest.schema_version, "belfort_version": manifest.data.get("belfort_version"),
            "created_at": manifest.data.get("created_at"), "models_restored": models,
            "settings_file": str(source / "settings" / "belfort.toml")
            if "settings/belfort.toml" in manifest.files else ""}


def _restore_models(settings: Settings, source: Path, files: dict[str, Any]) -> list[str]:
    by_model: dict[str, list[str]] = {}
    for rel in files:
        parts = Path(rel).parts
        if parts[0] == "models" and len(parts) > 2:
            by_model.setdefault(parts[1], []).append(rel)
    restored = []
    for name, rels in sorted(by_model.items()):
        folder = settings.models_dir / name
        if folder.exists():
            continue  # a provisioned model is kept as it is
        with atomic_folder(folder) as tmp:
            for rel in rels:
                dest = tmp / Path(*Path(rel).parts[2:])
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / rel, dest)
        restored.append(name)
    return restored


def finish_restore(app: Appliance) -> dict[str, Any]:
    """Load a PostgreSQL dump into the (empty) store, migrate the restored database to this Belfort's
    schema and rebuild the indices from it. `app` is not migrated before (open it with Appliance())."""
    from appliance.index.sync import reindex

    dump = app.layout.root / pg.DUMP
    if app.settings.store.url and dump.is_file():  # before anything creates a table there
        pg.restore_dump(app.settings.store.url, dump)
        dump.unlink()
    version = app.migrate()
    return {"schema_version": version, "reindex": reindex(app)}
