"""`belfort worker`: the Huey consumer of the queue (its file, or the cluster's Redis)."""

from __future__ import annotations

from appliance.jobs.appliances import worker_appliance
from appliance.jobs.enqueue import enqueue_pending_ocr, enqueue_unfinished_transcriptions
from appliance.jobs.queues import queue_for
from appliance.runtime import write_engine_report
from appliance.settings import Settings
from appliance.storage.redis_link import redis_problem


def run_worker(settings: Settings, workers: int = 2) -> None:
    """Threads: SQLite's writer lock makes writes take turns, and a second thread keeps the outbox and
    the mailbox poll going while a long recording is transcribed."""
    queue = queue_for(settings)
    if queue.claims and (down := redis_problem(settings.queue.redis_url)) is not None:
        raise down  # a clear error with its hint, not a traceback per poll
    app = worker_appliance(settings)  # open once and check the index before the first job
    app.engines.on_load = lambda: write_engine_report(app, "worker")  # /metrics shows the worker's models
    write_engine_report(app, "worker")
    if settings.ocr.on_ingest:
        enqueue_pending_ocr(app, queue)  # scans stored before OCR was available, or while it was down
    enqueue_unfinished_transcriptions(app, queue)  # recordings whose job stopped with the last worker
    # periodic: the outbox delivery and the IMAP poll run from this consumer's scheduler (on Redis, every
    # worker's scheduler runs and each periodic job is queued once per cluster)
    consumer = queue.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                     check_worker_health=True)
    try:
        consumer.run()
    finally:
        if queue.claims:  # a clean stop: what this process held goes back to the queue now, not at lease end
            queue.storage.release()
