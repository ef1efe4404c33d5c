"""The job queue object: Huey on SQLite in its own file (`DataLayout.jobs_db`, one box), or on Redis
(`queue.backend = "redis"`: several workers on several hosts) with reliable claims
(`appliance.jobs.claims`) and periodic jobs once per cluster. Callers see the same `JobQueue` on both."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from huey import Huey
from huey.storage import SqliteStorage  # type: ignore[import-untyped]

from appliance.settings import Settings
from appliance.storage.layout import DataLayout

log = logging.getLogger(__name__)

QUEUE_NAME = "belfort"
PERIODIC_LOCK_SECONDS = 3600  # longer than any clock difference between nodes could be


class JobQueue(Huey):
    """Huey that knows its settings and carries the registered tasks as attributes.

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
        self.settings = settings
        if settings.queue.backend == "redis":
            from appliance.jobs.claims import ClaimingRedisStorage
            from appliance.storage.redis_link import redis_pool

            super().__init__(name=QUEUE_NAME, immediate=immediate, results=False, utc=True,
                             storage_class=ClaimingRedisStorage, connection_pool=redis_pool(settings.queue.redis_url),
                             lease_seconds=settings.queue.lease_seconds)
            return
        jobs_db = DataLayout.of(settings).jobs_db
        jobs_db.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(name=QUEUE_NAME, immediate=immediate, results=False, utc=True,
                         storage_class=SqliteStorage, filename=str(jobs_db))

    @property
    def claims(self) -> bool:
        """Whether jobs are claimed with a lease (Redis) and must be acknowledged."""
        return hasattr(self.storage, "ack")

    def execute(self, task: Any, timestamp: datetime.datetime | None = None) -> Any:
        """Run a job; on Redis its claim is acknowledged however the job ended.

        Huey asks Redis around the job too (whether it was revoked, before; the revoke flag, after).
        When Redis is away then, the claim is kept: the thread's next take returns it to the queue, so
        a job that never started runs, and one that ended does not run twice (`tracking.tracked`)."""
        if not self.claims:
            return super().execute(task, timestamp)
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        keep = False
        try:
            return super().execute(task, timestamp)
        except (RedisConnectionError, RedisTimeoutError):
            keep = True
            log.warning("Redis away around job %s: its claim goes back to the queue", task.id)
            raise
        finally:
            if not keep:
                self.storage.ack()

    def read_periodic(self, timestamp: datetime.datetime | None) -> list[Any]:
        """The periodic jobs due now. On Redis each (job, minute slot) is taken by one scheduler of the
        cluster only (SET NX EX): the schedulers of all workers run, each job is queued once, also when
        the nodes' clocks differ by less than PERIODIC_LOCK_SECONDS."""
        if timestamp is None:
            timestamp = self._get_timestamp()
        due = super().read_periodic(timestamp)
        if not self.claims or not due:
            return due  # type: ignore[no-any-return]
        from redis.exceptions import RedisError

        slot = timestamp.strftime("%Y%m%dT%H%M")
        taken = []
        try:
            for task in due:
                key = f"huey.periodic.{self.storage.name}.{task.name}.{slot}"
                if self.storage.conn.set(key, self.storage.owner, nx=True, ex=PERIODIC_LOCK_SECONDS):
                    taken.append(task)
        except RedisError as exc:  # Redis away: skip this minute rather than stop the scheduler thread
            log.warning("periodic jobs of %s skipped: %s", slot, type(exc).__name__)
        return taken
