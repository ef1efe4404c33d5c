"""`belfort backup DIR [--with-models]`, `belfort restore DIR`, `belfort migrate [--check]`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from appliance.backup import finish_restore, migration_plan, restore_files, take_backup
from appliance.context import Appliance, open_appliance
from appliance.storage.layout import DataLayout
from ops.commands._common import settings_from


def _config_file(args: argparse.Namespace) -> Path | None:
    """The belfort.toml in use (the same search as load_settings), to keep beside the data."""
    if getattr(args, "config", None):
        return Path(args.config)
    if os.environ.get("BELFORT_CONFIG"):
        return Path(os.environ["BELFORT_CONFIG"])
    return Path("belfort.toml") if Path("belfort.toml").is_file() else None


def _backup(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    manifest = take_backup(settings, Path(args.dir), config_file=_config_file(args), with_models=args.with_models)
    files = manifest["files"]
    size = sum(int(f["size"]) for f in files.values())
    if args.json:
        print(json.dumps({k: v for k, v in manifest.items() if k != "files"} | {"file_count": len(files),
                                                                                "bytes": size}))
        return 0
    print(f"backup written to {Path(args.dir).resolve()}: {len(files)} files, {size / 1e6:.1f} MB, "
          f"database schema {manifest['schema_version']}, Belfort {manifest['belfort_version']}")
    if manifest["vanished"]:
        print(f"{len(manifest['vanished'])} file(s) were removed while the backup ran (not included)")
    return 0


def _restore(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    report = restore_files(settings, Path(args.dir), with_models=not args.no_models)
    print(f"restored {report['files']} files into {report['data_dir']} (backup of {report['created_at']}, "
          f"schema {report['schema_version']}); rebuilding the indices ...", file=sys.stderr)
    report |= finish_restore(Appliance(settings))  # migrated there, after a PostgreSQL dump is loaded
    if args.json:
        print(json.dumps(report))
        return 0
    r = report["reindex"]
    print(f"schema version {report['schema_version']}; indexed {r['chunks']} passages in "
          f"{r['collections']} collection(s), vectors: {r.get('vectors', 0)} ({r.get('embedder')})")
    if report["settings_file"]:
        print(f"the backup's configuration file is {report['settings_file']}: put it back where "
              "BELFORT_CONFIG points (check its data_dir)")
    for name in report["models_restored"]:
        print(f"model restored: {name}")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    plan = migration_plan(settings.store.url or DataLayout.of(settings).db)
    if args.check:
        if args.json:
            print(json.dumps(plan))
            return 0
        where = plan["database"] if plan["exists"] else f"{plan['database']} (new: created on first start)"
        print(f"database {where}: schema {plan['schema_version']}, this Belfort: {plan['latest']}")
        if not plan["pending"]:
            print("nothing to change")
        for m in plan["pending"]:
            print(f"would apply {m['version']}: {m['name']}")
        return 0
    version = open_appliance(settings).migrate()
    applied = [m for m in plan["pending"] if m["version"] <= version]
    if args.json:
        print(json.dumps({"schema_version": version, "applied": applied}))
        return 0
    for m in applied:
        print(f"applied {m['version']}: {m['name']}")
    print(f"database schema {version}" + ("" if applied else " (already current)"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="consistent online backup of the data folder into a new folder",
                       description="Back up a running appliance: both SQLite databases through the online "
                       "backup API (on PostgreSQL, store.url: pg_dump), the originals, recordings, triage files and keys, the models manifest, "
                       "the configuration file and the index manifest, with sha256 checksums in backup.json. "
                       "The folder appears only once complete.")
    p.add_argument("dir", help="new (or empty) folder to write, e.g. /backups/belfort-$(date +%%F)")
    p.add_argument("--with-models", action="store_true", help="also copy the provisioned model files")
    p.add_argument("--json", action="store_true", help="print the manifest summary as JSON")
    p.set_defaults(func=_backup)

    p = sub.add_parser("restore", help="restore a backup into an empty data folder and rebuild the index",
                       description="Restore into the (empty or absent) data folder of the settings "
                       "(BELFORT_DATA_DIR): checks every checksum first, refuses a non-empty folder and a "
                       "backup from a newer Belfort (on PostgreSQL: pg_restore into an empty database), then migrates and rebuilds the search indices.")
    p.add_argument("dir", help="a folder written by `belfort backup`")
    p.add_argument("--no-models", action="store_true", help="leave model files in the backup where they are")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_restore)

    p = sub.add_parser("migrate", help="apply pending database migrations (--check: only say which)")
    p.add_argument("--check", action="store_true", help="list what an upgrade would change, change nothing")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_migrate)
