"""The job queue object: Huey on SQLite in its own file (`DataLayout.jobs_db`)."""

from __future__ import annotations

from typing import Any

from huey import SqliteHuey

from appliance.settings import Settings
from appliance.storage.layout import DataLayout


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
        jobs_db = DataLayout.of(settings).jobs_db
        jobs_db.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(name="belfort", filename=str(jobs_db), immediate=immediate,
                         results=False, utc=True)
        self.settings = settings
