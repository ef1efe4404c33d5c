"""The job queue object: Huey on SQLite in its own file (`settings.jobs_path`)."""

from __future__ import annotations

from typing import Any

from huey import SqliteHuey

from appliance.settings import Settings


class JobQueue(SqliteHuey):
    """SqliteHuey that knows its settings and carries the registered tasks as attributes.

    Get it with `appliance.jobs.queue_for`; `appliance.jobs.tasks` registers the tasks."""

    settings: Settings
    ingest_path_task: Any
    ocr_document_task: Any
    transcribe_task: Any
    draft_minutes_task: Any
    triage_intake_file_task: Any
    triage_retrain_task: Any
    triage_reminders_task: Any

    def __init__(self, settings: Settings, *, immediate: bool = False) -> None:
        settings.jobs_path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(name="belfort", filename=str(settings.jobs_path), immediate=immediate,
                         results=False, utc=True)
        self.settings = settings
