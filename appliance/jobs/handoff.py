"""What the entry points (the JSON API and the pages) hand to the queue: an accepted upload, an
uploaded recording, a retrain after a correction. The features take these as callbacks or are called
before them, so no feature imports the queue."""

from __future__ import annotations

from pathlib import Path

from appliance.context import Appliance
from appliance.db.tables import Recording
from appliance.documents import Enqueue
from appliance.jobs.enqueue import enqueue_ingest, enqueue_recording, enqueue_retrain
from appliance.jobs.queues import queue_for


def upload_enqueue() -> Enqueue:
    """Uploads go to the appliance's job queue; in immediate mode (tests) the task runs here."""

    def enqueue(appliance: Appliance, path: Path, collection: str, source_name: str, actor: str) -> str:
        return enqueue_ingest(appliance, queue_for(appliance), path, collection, source_name=source_name,
                              keep_source=False)

    return enqueue


def queue_recording(app: Appliance, rec: Recording) -> str:
    """Queue an uploaded recording's transcription on this appliance's queue."""
    return enqueue_recording(app, queue_for(app), rec)


def request_retrain(app: Appliance) -> str | None:
    """Queue a (debounced) retrain of the triage model after a person's correction."""
    return enqueue_retrain(app, queue_for(app))
