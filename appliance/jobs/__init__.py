"""The job queue: Huey on SQLite in its own file; tasks are thin calls into the feature packages.

`queue_for(app or settings)` is the one way to get the queue (one per data folder and process, its
tasks registered on first use; nothing happens at import). Each worker process opens the appliance
once (engines load once) and `tracked` records a JobOutcome row per job, so the UI can show the
queue and its progress. Outcome rows carry codes, never file contents.
"""

from appliance.jobs.appliances import use_appliance, worker_appliance
from appliance.jobs.enqueue import (
    RETRAIN_KIND,
    enqueue_ingest,
    enqueue_minutes,
    enqueue_pending_ocr,
    enqueue_recording,
    enqueue_retrain,
    enqueue_transcription,
    enqueue_unfinished_transcriptions,
)
from appliance.jobs.handoff import queue_minutes, queue_recording, request_retrain, upload_enqueue
from appliance.jobs.queue import JobQueue
from appliance.jobs.queues import queue_for
from appliance.jobs.worker import run_worker

__all__ = [
    "RETRAIN_KIND",
    "JobQueue",
    "enqueue_ingest",
    "enqueue_minutes",
    "enqueue_pending_ocr",
    "enqueue_recording",
    "enqueue_retrain",
    "enqueue_transcription",
    "enqueue_unfinished_transcriptions",
    "queue_for",
    "queue_minutes",
    "queue_recording",
    "request_retrain",
    "run_worker",
    "upload_enqueue",
    "use_appliance",
    "worker_appliance",
]
