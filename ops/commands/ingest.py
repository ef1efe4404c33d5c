"""`belfort ingest PATH`, `belfort watch [--oneshot]`, `belfort worker`: thin over services and jobs."""

from __future__ import annotations

import argparse
import fnmatch
import json
import logging
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ops.commands._common import appliance_from

if TYPE_CHECKING:
    from appliance.context import Appliance
    from appliance.jobs import BelfortHuey
    from ingest.watch import DropFolderWatcher

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="ingest a file or a folder (kept in place) into a collection")
    p.add_argument("path", type=Path, help="a file, or a folder whose files are ingested recursively")
    p.add_argument("--collection", required=True, help="collection name (created when missing)")
    p.add_argument("--groups", default="", help="comma-separated groups that may read the collection")
    p.add_argument("--title", default="", help="collection title (when it is created)")
    p.add_argument("--json", action="store_true", help="print one JSON object per file")
    p.set_defaults(func=cmd_ingest)

    w = sub.add_parser("watch", help="watch the drop folder <data>/inbox/<collection>/ and queue new files")
    w.add_argument("--oneshot", action="store_true",
                   help="ingest what is in the drop folder now, synchronously, then exit")
    w.set_defaults(func=cmd_watch)

    k = sub.add_parser("worker", help="run the job queue consumer (ingest jobs)")
    k.add_argument("--workers", type=int, default=2,
                   help="worker threads (default 2: outbox delivery and mail polling go on during a long "
                        "transcription; writes still take turns)")
    k.set_defaults(func=cmd_worker)


def _setup_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _files_under(root: Path, ignore: list[str]) -> list[Path]:
    def ignored(p: Path) -> bool:
        return any(fnmatch.fnmatch(part, pat) for part in p.relative_to(root).parts for pat in ignore)

    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and not ignored(p))


def cmd_ingest(args: argparse.Namespace) -> int:
    from appliance.errors import BelfortError
    from appliance.documents.ingest import ensure_collection, ingest_file, prepare_ingest

    app = appliance_from(args)
    path: Path = args.path
    if not path.exists():
        raise BelfortError("ingest.no_path", f"{path} does not exist", hint="check the path")
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    coll = ensure_collection(app, args.collection, title=args.title, groups=groups)
    prepare_ingest(app)
    if path.is_dir():
        items = [(p, p.relative_to(path).as_posix()) for p in _files_under(path, app.settings.ingest.ignore_patterns)]
    else:
        items = [(path, path.name)]
    counts: dict[str, int] = {}
    for file, name in items:
        outcome = ingest_file(app, file, coll, source_name=name, actor="cli", keep_source=True)
        counts[outcome.state] = counts.get(outcome.state, 0) + 1
        for child in outcome.children:
            counts[f"attachment_{child.state}"] = counts.get(f"attachment_{child.state}", 0) + 1
        if args.json:
            print(json.dumps({"file": name, "state": outcome.state, "document_id": outcome.document_id,
                              "code": outcome.code, "message": outcome.message, "hint": outcome.hint},
                             ensure_ascii=False))
        else:
            line = f"{outcome.state:<12} {name}"
            if outcome.state == "failed":
                line += f"  [{outcome.code}] {outcome.message}" + (f" (hint: {outcome.hint})" if outcome.hint else "")
            print(line)
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no files"
    print(summary, file=sys.stderr if args.json else sys.stdout)
    return 1 if counts.get("failed") else 0


def inbox_target(inbox: Path, path: Path, folder: str) -> tuple[str, str]:
    """(collection, source name) of a drop-folder file inbox/<folder>/<name...>."""
    from appliance.documents.ingest import slugify

    parts = path.relative_to(inbox).parts
    return slugify(folder), "/".join(parts[1:])


def cmd_watch(args: argparse.Namespace) -> int:
    from appliance.documents.ingest import prepare_ingest

    app = appliance_from(args)
    _setup_logging(app.settings.log_level)
    prepare_ingest(app)
    return watch_oneshot(app) if args.oneshot else watch_forever(app)


def watch_oneshot(app: Appliance) -> int:
    """Ingest what lies in the drop folder now, synchronously; exit when nothing is left to hand over."""
    from appliance.documents.ingest import ingest_file
    from ingest.watch import DropFolderWatcher

    settings = app.settings
    inbox = app.layout.inbox
    counts: dict[str, int] = {}

    def process(path: Path, folder: str) -> None:
        if folder == settings.intake.drop_folder:  # inbox/_triage/: mail for triage, not a collection
            from appliance.triage.intake import receive_file

            state = "triage" if receive_file(app, path) is not None else "failed"
            counts[state] = counts.get(state, 0) + 1
            return
        collection, name = inbox_target(inbox, path, folder)
        outcome = ingest_file(app, path, collection, source_name=name, keep_source=False)
        counts[outcome.state] = counts.get(outcome.state, 0) + 1

    watcher = DropFolderWatcher(inbox, process, stable_seconds=settings.ingest.stable_seconds,
                                ignore_patterns=settings.ingest.ignore_patterns)
    patience = max(settings.ingest.stable_seconds * 3, 5.0) + 30.0
    last_progress = time.monotonic()
    while True:
        if watcher.scan_once():
            last_progress = time.monotonic()
        waiting = _waiting_files(watcher, inbox)
        if not waiting:
            break
        if time.monotonic() - last_progress > patience:
            log.warning("oneshot: %d files never became stable; left in the drop folder", len(waiting))
            break
        time.sleep(max(0.05, min(settings.ingest.poll_seconds, settings.ingest.stable_seconds or 0.05)))
    print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no files")
    return 1 if counts.get("failed") else 0


def _waiting_files(watcher: DropFolderWatcher, inbox: Path) -> list[Path]:
    """Files in collection folders that are still there and not handed over in their present form."""
    waiting = []
    for folder in (p for p in inbox.iterdir() if p.is_dir() and not watcher.is_ignored(p.name)):
        for path in folder.rglob("*"):
            rel = path.relative_to(folder).parts
            if path.is_file() and not path.is_symlink() and not any(watcher.is_ignored(x) for x in rel):
                waiting.append(path)
    return waiting


def queueing_watcher(app: Appliance, huey: BelfortHuey) -> DropFolderWatcher:
    """A drop-folder watcher that queues each stable file for the worker."""
    from appliance.jobs import enqueue_ingest
    from ingest.watch import DropFolderWatcher

    settings = app.settings

    def enqueue(path: Path, folder: str) -> None:
        # The watcher reports a file once per (size, mtime); the task is idempotent anyway.
        if folder == settings.intake.drop_folder:  # inbox/_triage/: mail for triage, not a collection
            huey.triage_intake_file_task(str(path))
            return
        collection, name = inbox_target(app.layout.inbox, path, folder)
        enqueue_ingest(app, huey, path, collection, source_name=name, keep_source=False)

    return DropFolderWatcher(app.layout.inbox, enqueue, stable_seconds=settings.ingest.stable_seconds,
                             ignore_patterns=settings.ingest.ignore_patterns)


def watch_forever(app: Appliance) -> int:
    """Watch the drop folder and queue each stable file for `belfort worker`, until SIGTERM or Ctrl-C."""
    from appliance.jobs import make_huey

    watcher = queueing_watcher(app, make_huey(app.settings))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    log.info("watching the drop folder")
    try:
        watcher.run(stop, app.settings.ingest.poll_seconds)
    except KeyboardInterrupt:
        stop.set()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from appliance.jobs import run_worker
    from appliance.settings import load_settings

    settings = load_settings(Path(args.config) if getattr(args, "config", None) else None)
    _setup_logging(settings.log_level)
    run_worker(settings, workers=args.workers)
    return 0
