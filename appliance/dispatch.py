"""How the web entry points (JSON API and pages) hand work to the job queue: the upload enqueue the
web app is built with, transcriptions, and a triage retrain. Feature functions take these as
callbacks, so the features never import the queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.datastructures import State

from appliance.context import Appliance
from appliance.db.tables import Recording
from appliance.documents.uploads import Enqueue


def queue_enqueue(app: Appliance, huey: Any | None = None) -> Enqueue:
    """Uploads go to the Huey queue; in immediate mode (tests) the task runs here, on this appliance."""
    from appliance import jobs

    queue = huey if huey is not None else jobs.make_huey(app.settings)
    if queue.immediate:
        jobs.use_appliance(app)

    def enqueue(appliance: Appliance, path: Path, collection: str, source_name: str, actor: str) -> str:
        return jobs.enqueue_ingest(
            appliance, queue, path, collection, source_name=source_name, keep_source=False
        )

    return enqueue


def transcription_queue(state: State) -> Any:
    """The queue of this web app (immediate mode in tests), opened once on first use."""
    from appliance import jobs

    if state.get("huey") is None:
        state["huey"] = jobs.make_huey(state["appliance"].settings)
    queue = state["huey"]
    if queue.immediate:
        jobs.use_appliance(state["appliance"])
    return queue


def queue_transcription(state: State, appliance: Appliance, rec: Recording) -> str:
    from appliance import jobs

    assert rec.id is not None
    return jobs.enqueue_transcription(appliance, transcription_queue(state), Path(rec.source_path),
                                      recording_id=rec.id)


def request_retrain(app: Appliance) -> str | None:
    """Queue a (debounced) retrain of the triage model after a person's correction."""
    from appliance import jobs

    return jobs.enqueue_retrain(app, jobs.queue_for(app.settings))
