"""`belfort ingest PATH`, `belfort watch [--oneshot]`, `belfort worker`: thin over documents and jobs."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ops.commands._common import appliance_from, settings_from

if TYPE_CHECKING:
    from appliance.context import Appliance
    from appliance.settings import Settings

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


def _setup_logging(settings: Settings) -> None:
    from ops.logs import setup_logging

    setup_logging(settings)


def cmd_ingest(args: argparse.Namespace) -> int:
    from appliance.documents import ingest_in_place

    app = appliance_from(args)
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    counts: dict[str, int] = {}
    for name, outcome in ingest_in_place(app, args.path, args.collection, title=args.title, groups=groups):
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


def cmd_watch(args: argparse.Namespace) -> int:
    from appliance.documents import prepare_ingest

    app = appliance_from(args)
    _setup_logging(app.settings)
    prepare_ingest(app)
    return watch_oneshot(app) if args.oneshot else watch_forever(app)


def watch_oneshot(app: Appliance) -> int:
    """Ingest what lies in the drop folder now, synchronously; exit when nothing is left to hand over."""
    from appliance.jobs.watch import drain_drop_folder

    counts = drain_drop_folder(app)
    print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no files")
    return 1 if counts.get("failed") else 0


def watch_forever(app: Appliance) -> int:
    """Watch the drop folder and queue each stable file for `belfort worker`, until SIGTERM or Ctrl-C."""
    from appliance.jobs import queue_for
    from appliance.jobs.watch import queueing_watcher

    watcher = queueing_watcher(app, queue_for(app))
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

    settings = settings_from(args)
    _setup_logging(settings)
    run_worker(settings, workers=args.workers)
    return 0
