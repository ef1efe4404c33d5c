"""What the entry points (the JSON API and the pages) hand to the queue: an accepted upload, an
uploaded recording, a minutes draft, a retrain after a correction. The features take these as callbacks or are called
before them, so no feature imports the queue."""

from __future__ import annotations

from pathlib import Path

from appliance.context import Appliance
from appliance.db.tables import Recording
from appliance.documents import Enqueue
from appliance.jobs.enqueue import enqueue_ingest, enqueue_minutes, enqueue_recording, enqueue_retrain
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


def queue_minutes(app: Appliance, recording_id: int, *, agenda: str | int | None = None,
                  attendees: list[str] | tuple[str, ...] = (), title: str = "", meeting_date: str = "",
                  body: str = "", username: str = "system") -> str:
    """Queue the AI draft of a recording's minutes on this appliance's queue (see enqueue_minutes)."""
    return enqueue_minutes(app, queue_for(app), recording_id, agenda=agenda, attendees=attendees, title=title,
                           meeting_date=meeting_date, body=body, username=username)


def request_retrain(app: Appliance) -> str | None:
    """Queue a (debounced) retrain of the triage model after a person's correction."""
    return enqueue_retrain(app, queue_for(app))
