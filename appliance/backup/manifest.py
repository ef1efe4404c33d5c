"""What a backup folder holds and how it is checked: `backup.json` lists every file with its sha256 and
size, the Belfort version and the database schema version it was taken at.

Layout of a backup folder:
  backup.json          the manifest (written last: a folder without it is no backup)
  data/...             the data folder: databases (copied with SQLite's online backup API), originals,
                       recordings, triage files, keys; derived data (vector index files, caches) left out
  models.json          the model catalogue and which models were provisioned, with their sha256
  models/<name>/...    the model files themselves (only with --with-models)
  settings/belfort.toml  the configuration file in use, when there is one
"""

from __future__ import annotations

import errno
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from appliance.db.engine import MIGRATIONS
from appliance.errors import BelfortError

MANIFEST = "backup.json"
FORMAT = "belfort-backup"
FORMAT_VERSION = 1
CHUNK = 1 << 20

# Folders of the data folder that are derived or transient: rebuilt after a restore, never backed up.
# The vector index is rebuilt from SQLite (only its manifest is kept, to say which embedder made it).
SKIPPED_DIRS = frozenset({"staging", "cache", "insight", "test-models"})
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def belfort_version() -> str:
    try:
        return version("belfort")
    except PackageNotFoundError:
        return "0+unknown"


def latest_schema() -> int:
    """The highest migration number this Belfort knows."""
    return max(m[0] for m in MIGRATIONS)


def sha256_file(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def schema_version_of(db: Path) -> int:
    """The schema version recorded in a Belfort database (0: none applied yet), read-only."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        found = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
        if not found:
            return 0
        return int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])
    finally:
        conn.close()


def is_no_space(exc: BaseException) -> bool:
    """A write failed because the disk (or the file-size limit) is full."""
    if isinstance(exc, OSError) and exc.errno in NO_SPACE:
        return True
    return isinstance(exc, sqlite3.Error) and "full" in str(exc).lower()


def no_space_error(folder: Path) -> BelfortError:
    return BelfortError("backup.no_space", f"the disk holding {folder} is full: the backup was not written",
                        hint="free space there or choose another folder; nothing half-written was left behind",
                        status=507)


@dataclass(frozen=True)
class BackupManifest:
    data: dict[str, Any]

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return dict(self.data.get("files") or {})

    @property
    def schema_version(self) -> int:
        return int(self.data.get("schema_version", 0))


def read_manifest(folder: Path) -> BackupManifest:
    """The manifest of a backup folder, refused when it is missing, of another format or too new."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise BelfortError("backup.not_a_backup", f"{folder} holds no {MANIFEST}: it is no (complete) Belfort backup",
                           hint="give the folder `belfort backup` wrote") from None
    except (OSError, ValueError) as exc:
        raise BelfortError("backup.corrupt", f"{path} cannot be read: {exc}",
                           hint="use another backup") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BelfortError("backup.not_a_backup", f"{path} is not a Belfort backup manifest",
                           hint="give the folder `belfort backup` wrote")
    manifest = BackupManifest(data)
    if int(data.get("format_version", 0)) > FORMAT_VERSION or manifest.schema_version > latest_schema():
        raise BelfortError(
            "backup.newer_version",
            f"this backup was made by a newer Belfort ({data.get('belfort_version', '?')}, database schema "
            f"{manifest.schema_version}); this Belfort ({belfort_version()}) knows schema {latest_schema()}",
            hint="upgrade Belfort first, then restore", status=409)
    return manifest


def verify_files(folder: Path, manifest: BackupManifest) -> int:
    """Check every file's size and sha256 against the manifest; returns the bytes checked."""
    total = 0
    for rel, meta in sorted(manifest.files.items()):
        path = folder / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise BelfortError("backup.corrupt", f"the manifest names a path outside the backup: {rel!r}",
                               hint="use another backup")
        try:
            digest, size = sha256_file(path)
        except FileNotFoundError:
            raise BelfortError("backup.corrupt", f"{rel} is missing from the backup",
                               hint="use another backup") from None
        if digest != meta.get("sha256") or size != meta.get("size"):
            raise BelfortError("backup.corrupt", f"{rel} does not match its checksum in {MANIFEST}",
                               hint="the backup was damaged after it was written: use another backup")
        total += size
    return total
