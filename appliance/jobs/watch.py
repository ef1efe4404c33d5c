"""The drop folder <data>/inbox/: a watcher that queues each stable file for the worker, and the
one-shot drain (`belfort watch --oneshot`) that hands everything over synchronously. Where a file
goes is `appliance.documents.drop.drop_target`: the same for both."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from appliance.context import Appliance
from appliance.documents import drop_target, ingest_dropped, waiting_files
from appliance.jobs.enqueue import enqueue_ingest
from appliance.jobs.queue import JobQueue
from ingest.watch import DropFolderWatcher

log = logging.getLogger(__name__)


def queueing_watcher(app: Appliance, queue: JobQueue) -> DropFolderWatcher:
    """A drop-folder watcher that queues each stable file for the worker."""
    settings = app.settings

    def enqueue(path: Path, folder: str) -> None:
        # The watcher reports a file once per (size, mtime); the task is idempotent anyway.
        target = drop_target(settings, path, folder)
        if target.triage:
            queue.triage_intake_file_task(str(path))
        else:
            enqueue_ingest(app, queue, path, target.collection, source_name=target.source_name, keep_source=False)

    return DropFolderWatcher(app.layout.inbox, enqueue, stable_seconds=settings.ingest.stable_seconds,
                             ignore_patterns=settings.ingest.ignore_patterns)


def drain_drop_folder(app: Appliance) -> dict[str, int]:
    """Ingest what lies in the drop folder now, synchronously, until nothing is left to hand over
    (or files never become stable). Returns how many files ended in which state."""
    from appliance.triage import receive_file

    settings = app.settings
    inbox = app.layout.inbox
    counts: dict[str, int] = {}

    def process(path: Path, folder: str) -> None:
        target = drop_target(settings, path, folder)
        if target.triage:
            state = "triage" if receive_file(app, path) is not None else "failed"
        else:
            state = ingest_dropped(app, path, target).state
        counts[state] = counts.get(state, 0) + 1

    watcher = DropFolderWatcher(inbox, process, stable_seconds=settings.ingest.stable_seconds,
                                ignore_patterns=settings.ingest.ignore_patterns)
    patience = max(settings.ingest.stable_seconds * 3, 5.0) + 30.0
    last_progress = time.monotonic()
    while True:
        if watcher.scan_once():
            last_progress = time.monotonic()
        waiting = waiting_files(inbox, watcher.is_ignored)
        if not waiting:
            break
        if time.monotonic() - last_progress > patience:
            log.warning("oneshot: %d files never became stable; left in the drop folder", len(waiting))
            break
        time.sleep(max(0.05, min(settings.ingest.poll_seconds, settings.ingest.stable_seconds or 0.05)))
    return counts
