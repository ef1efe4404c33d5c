"""The one way to get the job queue: `queue_for(app or settings)`, one per data folder per process."""

from __future__ import annotations

import threading

from appliance.context import Appliance
from appliance.jobs.appliances import use_appliance
from appliance.jobs.queue import JobQueue
from appliance.jobs.tasks import register_tasks
from appliance.settings import Settings

_queues: dict[str, JobQueue] = {}
_lock = threading.Lock()


def queue_for(target: Appliance | Settings, *, immediate: bool | None = None) -> JobQueue:
    """The queue of this process for this data folder, built with its tasks on first use.

    `immediate=True` (tests) replaces it by one that runs each task where it is queued, on this
    appliance; `immediate=False` by a queue file one again. Given an appliance, an immediate queue's
    tasks work on that appliance (its engines), not on one they open themselves."""
    settings = target.settings if isinstance(target, Appliance) else target
    key = str(settings.data_dir.resolve())
    with _lock:
        queue = _queues.get(key)
        if queue is None or (immediate is not None and queue.immediate != immediate):
            queue = build_queue(settings, immediate=bool(immediate))
            _queues[key] = queue
    if queue.immediate and isinstance(target, Appliance):
        use_appliance(target)
    return queue


def build_queue(settings: Settings, *, immediate: bool = False) -> JobQueue:
    """A new queue object with every task registered. Processes use `queue_for`; a test builds a
    second one to play another process on the same queue file."""
    queue = JobQueue(settings, immediate=immediate)
    register_tasks(queue)
    return queue
