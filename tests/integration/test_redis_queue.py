"""The job queue on Redis (queue.backend = "redis"): the real ingest task through a real redis-server,
claims that survive a killed worker, periodic jobs once per cluster (also with clocks that differ), a
Redis restart in the middle of a batch, and the doctor's check."""

from __future__ import annotations

import datetime
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from huey.consumer import Scheduler
from sqlmodel import func, select

from appliance.checks import check_queue
from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import Chunk, Document, DocumentVersion, JobOutcome
from appliance.documents.ingest import list_jobs
from appliance.index.sync import ensure_index
from appliance.jobs import enqueue_ingest, queue_for, use_appliance
from appliance.jobs.queue import JobQueue
from appliance.jobs.queues import build_queue
from appliance.settings import Settings
from models.fakes import FakeEmbedder
from tests.backends import fresh_redis_url, needs_redis
from tests.conftest import REPO, make_settings
from tests.integration.redis_queue_support import OwnRedis, start_worker, wait_for, worker_env

pytestmark = needs_redis
NOTE = "De gemeenteraad keurt het reglement op de terrassen goed na bespreking in de commissie. " * 20


def _redis_settings(tmp_path: Path, url: str | None = None, lease: float = 1.0) -> Settings:
    return make_settings(tmp_path, queue={"backend": "redis", "redis_url": url or fresh_redis_url(),
                                          "lease_seconds": lease})


def _app(settings: Settings) -> Appliance:
    return open_appliance(settings, embedder=FakeEmbedder())


def _drop(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _states(app: Appliance) -> list[str]:
    return sorted(j.state for j in list_jobs(app, limit=500))


def _documents(app: Appliance) -> tuple[int, int, int]:
    with read_session(app.db) as s:
        return (s.exec(select(func.count()).select_from(Document)).one(),
                s.exec(select(func.count()).select_from(DocumentVersion)).one(),
                s.exec(select(func.count()).select_from(Chunk)).one())


def test_real_ingest_round_trip_through_redis(tmp_path: Path) -> None:
    app = _app(_redis_settings(tmp_path, lease=30))
    use_appliance(app)
    producer = queue_for(app.settings, immediate=False)
    assert producer.claims and type(producer.storage).__name__ == "ClaimingRedisStorage"
    job_id = enqueue_ingest(app, producer, _drop(tmp_path, "reglement.txt", NOTE), "raad")
    assert producer.pending_count() == 1 and _states(app) == ["queued"]
    worker = build_queue(app.settings)  # another process's queue object on the same Redis
    task = worker.dequeue()
    assert task is not None and worker.pending_count() == 0
    assert worker.storage.claimed_count() == 1  # claimed, not gone: a worker dying now loses nothing
    worker.execute(task)
    assert worker.storage.claimed_count() == 0  # acknowledged
    job = list_jobs(app)[0]
    assert (job.job_id, job.state, job.code) == (job_id, "done", "ingested")
    assert _documents(app)[:2] == (1, 1)
    worker.storage.release()


def test_the_claim_of_a_dead_worker_goes_back_after_its_lease(tmp_path: Path) -> None:
    settings = _redis_settings(tmp_path, lease=0.6)
    producer = build_queue(settings)
    producer.triage_retrain_task("job-a")
    dead = build_queue(settings)
    task = dead.dequeue()
    assert task is not None and producer.pending_count() == 0
    dead.storage._stop.set()  # the process stops renewing: as if killed
    survivor = build_queue(settings)
    assert survivor.storage.reap() == 0  # the lease still runs: nothing is taken from a live worker
    time.sleep(0.8)
    assert survivor.storage.reap() == 1 and survivor.storage.reap() == 0  # once, by one reaper
    again = survivor.dequeue()
    assert again is not None and again.id == task.id and again.args == ("job-a",)
    survivor.storage.release()
    assert survivor.pending_count() == 1  # a clean stop hands its claim back at once


def test_a_reply_lost_in_a_restart_leaves_no_job_behind(tmp_path: Path) -> None:
    """A job moved into a thread's list whose reply never came: the thread's next take returns it."""
    queue = build_queue(_redis_settings(tmp_path, lease=30))
    queue.triage_retrain_task("job-b")
    assert queue.dequeue() is not None
    queue.storage._local.claim = None  # the worker never saw it
    assert queue.dequeue() is not None  # the orphan went back to the queue first, and is taken again
    assert queue.storage.claimed_count() == 1 and queue.pending_count() == 0
    queue.storage.ack()
    assert queue.storage.claimed_count() == 0
    queue.storage.release()


def test_redis_away_at_the_revoke_check_loses_no_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Huey asks Redis whether a job was revoked before it runs it: when Redis is away at that moment,
    the job has not run and its claim stays, so the thread's next take runs it (the CI failure of a
    restart mid-batch: the job was acknowledged unrun and stayed queued for ever)."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    app = _app(_redis_settings(tmp_path, lease=30))
    use_appliance(app)
    queue = build_queue(app.settings)
    job_id = enqueue_ingest(app, queue, _drop(tmp_path, "herstart.txt", NOTE), "raad")
    task = queue.dequeue()

    def away(keys: list[str]) -> dict[str, bytes]:
        raise RedisConnectionError("Connection closed by server.")

    monkeypatch.setattr(queue.storage, "peek_many", away)
    with pytest.raises(RedisConnectionError):
        queue.execute(task)
    assert _states(app) == ["queued"] and queue.storage.claimed_count() == 1  # not run, not acknowledged
    monkeypatch.undo()
    again = queue.dequeue()  # the claim went back to the queue first
    assert again is not None and again.id == task.id
    queue.execute(again)
    job = list_jobs(app)[0]
    assert (job.job_id, job.state) == (job_id, "done") and _documents(app)[:2] == (1, 1)
    assert queue.pending_count() == 0 and queue.storage.claimed_count() == 0
    queue.storage.release()


@pytest.mark.parametrize("skew_s", [0, 25, -50, 130])
def test_periodic_jobs_once_per_cluster_whatever_the_clocks(tmp_path: Path, skew_s: int) -> None:
    """Two workers' schedulers check every 20 s for four minutes, the second's clock `skew_s` off:
    each periodic job is queued once per schedule slot (minute), however many schedulers see it."""
    settings = _redis_settings(tmp_path)
    nodes = [build_queue(settings), build_queue(settings)]
    stop = threading.Event()
    schedulers = [Scheduler(q, stop, interval=1, periodic=True) for q in nodes]
    start = datetime.datetime(2026, 3, 2, 6, 58, 0)  # around 07:00, when the daily reminders are due
    slots = set()
    for step in range(0, 240, 20):
        for node, scheduler in enumerate(schedulers):
            now = start + datetime.timedelta(seconds=step + (skew_s if node else 0))
            slots.add(now.replace(second=0))
            scheduler.enqueue_periodic_tasks(now)
    names = [t.name for t in nodes[0].pending()]
    assert names.count("outbox_deliver") == len(slots)  # every minute: once per minute seen
    assert names.count("triage_reminders") == 1  # daily at 07:00: once


def test_periodic_slot_keys_on_the_schedule_slot_not_the_node(tmp_path: Path) -> None:
    settings = _redis_settings(tmp_path)
    a, b = build_queue(settings), build_queue(settings)
    at = datetime.datetime(2026, 3, 2, 9, 13, 59)  # node a, a second before the next minute
    assert [t.name for t in a.read_periodic(at)] == ["outbox_deliver"]
    assert b.read_periodic(at.replace(second=1)) == []  # node b, its clock 58 s behind: same slot, taken
    assert [t.name for t in b.read_periodic(at + datetime.timedelta(seconds=2))] == ["outbox_deliver"]


def test_worker_killed_during_an_ingest_job_completes_elsewhere(tmp_path: Path) -> None:
    """Two workers wait; the one that takes the job is killed (SIGKILL) while indexing; the other,
    running all along, runs the job again after the lease and leaves the document whole and indexed."""
    settings = _redis_settings(tmp_path, lease=1.0)
    app = _app(settings)
    queue = queue_for(settings, immediate=False)
    env, marker = worker_env(settings), tmp_path / "embedding.marker"
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    workers = {start_worker(env, slow_marker=marker, log=log): log for log in logs}
    try:
        for proc, log in workers.items():
            wait_for(lambda log=log: "consumer started" in log.read_text(), 90, "a worker to start",
                     (proc,), log)
        source = _drop(tmp_path, "terrassen.txt", NOTE)
        job_id = enqueue_ingest(app, queue, source, "raad")
        wait_for(lambda: marker.exists() and bool(marker.read_text()), 90, "a worker to reach indexing",
                 tuple(workers), logs[0])
        [victim] = [p for p in workers if p.pid == int(marker.read_text())]
        victim.send_signal(signal.SIGKILL)  # mid-job: document committed, index not written yet
        victim.wait(10)
        assert _states(app) == ["running"] and source.exists()
        # Nothing half-written: the document with all its chunks is committed (one transaction).
        docs, versions, chunks = _documents(app)
        assert (docs, versions) == (1, 1) and chunks > 0
        [other] = [p for p in workers if p is not victim]
        wait_for(lambda: _states(app) != ["running"], 90, "the job to run again", (other,), workers[other])
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
    with read_session(app.db) as s:
        row = s.exec(select(JobOutcome).where(JobOutcome.job_id == job_id)).one()
    assert row.state == "duplicate" and row.finished_at is not None  # the second run found it stored
    assert _documents(app) == (docs, versions, chunks) and not source.exists()
    report = ensure_index(app)  # the second worker indexed what the first had committed
    assert (report["fts_added"], report["vectors_added"], report["rebuilt"]) == (0, 0, [])
    assert queue.pending_count() == 0 and queue.storage.claimed_count() == 0


def test_redis_restart_mid_batch_loses_no_job(tmp_path: Path) -> None:
    server = OwnRedis(tmp_path)
    server.start()
    try:
        settings = _redis_settings(tmp_path, url=server.url, lease=30.0)
        app = _app(settings)
        queue = queue_for(settings, immediate=False)
        n = 40  # enough that the batch outlasts the poll and the server's shutdown (8 could all finish first)
        for i in range(n):
            enqueue_ingest(app, queue, _drop(tmp_path, f"besluit{i}.txt", f"{NOTE} Besluit nummer {i}."), "raad")
        log = tmp_path / "worker.log"
        worker = start_worker(worker_env(settings), log=log)
        try:
            wait_for(lambda: "done" in _states(app), 90, "the first job", (worker,), log)
            server.stop()  # Redis restarts while the batch runs
            assert _states(app).count("done") < n
            time.sleep(7)  # longer than the client's own reconnect retries: the worker's loop waits it out
            server.start()
            wait_for(lambda: _states(app) == ["done"] * n, 150, "every job", (worker,), log)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
        assert _documents(app)[:2] == (n, n)
        assert queue.pending_count() == 0 and queue.storage.claimed_count() == 0
    finally:
        server.stop()


def test_doctor_says_when_redis_is_down(tmp_path: Path) -> None:
    up = _app(_redis_settings(tmp_path / "up"))
    assert [(c.name, c.ok) for c in check_queue(up)] == [("queue.redis", True)]
    down = _app(_redis_settings(tmp_path / "down", url=f"unix://{tmp_path}/nothing.sock"))
    [check] = check_queue(down)
    assert (check.name, check.ok, check.required) == ("queue.redis", False, True)
    assert "queue.redis_down" in check.message and "redis-server" in check.hint
    box = make_settings(tmp_path / "box", queue={"backend": "sqlite"})
    assert check_queue(_app(box)) == []  # the single box: the queue is a file


def test_worker_refuses_to_start_without_redis(tmp_path: Path) -> None:
    settings = _redis_settings(tmp_path, url=f"unix://{tmp_path}/nothing.sock")
    _app(settings)
    proc = subprocess.run([sys.executable, "-m", "ops.cli", "worker"], env=worker_env(settings),
                          capture_output=True, timeout=120, cwd=REPO, check=False)
    assert proc.returncode != 0 and b"queue.redis_down" in proc.stderr


def test_same_queue_api_on_both_back_ends(tmp_path: Path) -> None:
    box = build_queue(make_settings(tmp_path / "a", queue={"backend": "sqlite"}))
    cluster = build_queue(_redis_settings(tmp_path / "b"))
    for q in (box, cluster):
        assert isinstance(q, JobQueue) and set(q._registry._registry) == set(box._registry._registry)
        q.triage_retrain_task("x")
        assert q.pending_count() == 1
    assert not box.claims and cluster.claims
    cluster.storage.release()


def test_jobs_due_later_move_into_the_queue_in_one_step(tmp_path: Path) -> None:
    """A retry or an eta job waits in the schedule; when due it moves into the queue inside Redis, so a
    scheduler dying between reading and queueing cannot lose it."""
    queue = build_queue(_redis_settings(tmp_path))
    now = datetime.datetime(2026, 3, 2, 12, 0, 0)
    task = queue.triage_retrain_task.s("later")
    task.eta = now + datetime.timedelta(seconds=30)
    queue.add_schedule(task)
    assert queue.read_schedule(now) == [] and (queue.pending_count(), queue.scheduled_count()) == (0, 1)
    assert queue.read_schedule(now + datetime.timedelta(seconds=31)) == []  # nothing left for the scheduler
    assert (queue.pending_count(), queue.scheduled_count()) == (1, 0)
    assert queue.dequeue().id == task.id  # type: ignore[union-attr]
    queue.storage.release()


def test_an_ingest_job_delivered_twice_ends_once(tmp_path: Path) -> None:
    """A claim given back although its worker finished (its acknowledgement lost): the job's second
    run keeps the first outcome instead of reporting the file as missing."""
    app = _app(_redis_settings(tmp_path, lease=30))
    use_appliance(app)
    queue = build_queue(app.settings)
    job_id = enqueue_ingest(app, queue, _drop(tmp_path, "dubbel.txt", NOTE), "raad")
    [message] = queue.storage.enqueued_items()
    queue.storage.enqueue(message)  # the same job once more
    for _ in range(2):
        queue.execute(queue.dequeue())
    job = list_jobs(app)[0]
    assert (job.job_id, job.state, job.code) == (job_id, "done", "ingested") and _documents(app)[:2] == (1, 1)
    assert queue.pending_count() == 0 and queue.storage.claimed_count() == 0
    queue.storage.release()
