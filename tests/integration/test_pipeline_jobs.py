"""The job queue (Huey on SQLite), job outcomes, and the `ingest`, `watch`, `worker` commands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import Collection, CollectionGroup, Document, Group, JobOutcome
from appliance.documents.ingest import list_failed, list_jobs
from appliance.jobs import enqueue_ingest, queue_for, use_appliance
from appliance.jobs.queues import build_queue
from ops.cli import main
from tests.conftest import REPO

NOTE = "Het schepencollege keurt de subsidie voor de jeugdbeweging goed. " * 30


def test_immediate_queue_records_outcomes(appliance: Appliance, tmp_path: Path) -> None:
    use_appliance(appliance)
    huey = queue_for(appliance.settings, immediate=True)
    good = tmp_path / "besluit.txt"
    good.write_text(NOTE, encoding="utf-8")
    copy = tmp_path / "kopie.txt"
    copy.write_text(NOTE, encoding="utf-8")
    empty = tmp_path / "leeg.txt"
    empty.touch()
    ids = [enqueue_ingest(appliance, huey, p, "raad") for p in (good, copy, empty)]
    jobs = {j.job_id: j for j in list_jobs(appliance)}
    assert [jobs[i].state for i in ids] == ["done", "duplicate", "failed"]
    assert jobs[ids[2]].code == "ingest.empty" and jobs[ids[0]].code == "ingested"
    assert all(jobs[i].finished_at and jobs[i].progress == 1.0 for i in ids)
    assert jobs[ids[0]].target == "besluit.txt" and jobs[ids[0]].collection == "raad"
    assert not good.exists() and not copy.exists() and not empty.exists()  # queue jobs are drop-folder jobs
    # A job whose file is already gone (queued twice before a restart) ends quietly.
    gone = enqueue_ingest(appliance, huey, good, "raad")
    assert {j.job_id: j for j in list_jobs(appliance)}[gone].code == "ingest.missing"
    assert len(list_failed(appliance)) == 1


def test_queue_round_trip_through_sqlite(appliance: Appliance, tmp_path: Path) -> None:
    """What the watcher queues, a separately built queue (the worker's) can run."""
    use_appliance(appliance)
    producer = queue_for(appliance.settings, immediate=False)
    src = tmp_path / "a.txt"
    src.write_text(NOTE, encoding="utf-8")
    job_id = enqueue_ingest(appliance, producer, src, "raad", source_name="map/a.txt")
    assert [j.state for j in list_jobs(appliance)] == ["queued"]
    assert producer.claims or appliance.layout.jobs_db.exists()  # the queue file; on Redis the server's list
    consumer = build_queue(appliance.settings)  # another process: its own queue object on the same file
    task = consumer.dequeue()
    assert task is not None
    consumer.execute(task)
    job = list_jobs(appliance)[0]
    assert job.job_id == job_id and job.state == "done"
    with read_session(appliance.db) as s:
        assert s.exec(select(Document.source_path)).all() == ["map/a.txt"]


def test_cli_ingest_file_and_folder(appliance: Appliance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    _env(monkeypatch, appliance)
    folder = tmp_path / "stukken"
    (folder / "2026").mkdir(parents=True)
    (folder / "a.txt").write_text(NOTE, encoding="utf-8")
    (folder / "2026" / "b.txt").write_text(NOTE + " tweede", encoding="utf-8")
    (folder / ".verborgen.txt").write_text("skip", encoding="utf-8")
    (folder / "leeg.txt").touch()
    rc = main(["ingest", str(folder), "--collection", "raad", "--groups", "raad,iedereen", "--json"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rc == 1  # one file failed
    assert {(x["file"], x["state"]) for x in lines} == {("a.txt", "ingested"), ("2026/b.txt", "ingested"),
                                                       ("leeg.txt", "failed")}
    assert (folder / "a.txt").exists() and (folder / "leeg.txt").exists()  # the CLI keeps its sources
    with read_session(appliance.db) as s:
        coll = s.exec(select(Collection).where(Collection.name == "raad")).one()
        groups = s.exec(select(Group.name).join(CollectionGroup, CollectionGroup.group_id == Group.id)  # type: ignore[arg-type]
                        .where(CollectionGroup.collection_id == coll.id)).all()
    assert sorted(groups) == ["iedereen", "raad"]
    assert main(["ingest", str(folder / "a.txt"), "--collection", "raad"]) == 0
    assert "duplicate" in capsys.readouterr().out
    assert main(["ingest", str(folder / "a.txt"), "--collection", "Bad Name"]) == 2
    assert "collection.invalid_name" in capsys.readouterr().err


def test_cli_watch_oneshot(appliance: Appliance, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    _env(monkeypatch, appliance)
    inbox = appliance.layout.inbox
    (inbox / "Raad Notulen" / "2026").mkdir(parents=True)
    (inbox / "Raad Notulen" / "2026" / "maart.txt").write_text(NOTE, encoding="utf-8")
    (inbox / "Raad Notulen" / "~$maart.docx").write_text("lock file", encoding="utf-8")
    (inbox / "Raad Notulen" / "bezig.part").write_text("half", encoding="utf-8")
    (inbox / "los.txt").write_text(NOTE + " los", encoding="utf-8")  # no collection folder: left alone
    assert main(["watch", "--oneshot"]) == 0
    assert "ingested: 1" in capsys.readouterr().out
    with read_session(appliance.db) as s:
        rows = s.exec(select(Document.source_path, Collection.name)
                      .join(Collection, Collection.id == Document.collection_id)).all()  # type: ignore[arg-type]
    assert rows == [("2026/maart.txt", "raad-notulen")]
    assert not (inbox / "Raad Notulen" / "2026" / "maart.txt").exists()
    assert (inbox / "Raad Notulen" / "~$maart.docx").exists() and (inbox / "Raad Notulen" / "bezig.part").exists()
    assert (inbox / "los.txt").exists()


def _env(monkeypatch: pytest.MonkeyPatch, app: Appliance) -> dict[str, str]:
    s = app.settings
    env = {"BELFORT_DATA_DIR": str(s.data_dir), "BELFORT_MODELS_DIR": str(s.models_dir),
           "BELFORT_PROFILE": "test", "BELFORT_SEARCH__EMBEDDER": "fake", "BELFORT_LLM__ENGINE": "none",
           "BELFORT_INGEST__STABLE_SECONDS": "0", "BELFORT_INGEST__POLL_SECONDS": "0.05"}
    if s.store.url:  # the worker process works on the test's store
        env["BELFORT_STORE__URL"] = s.store.url
    if s.queue.backend == "redis":  # the processes share the test's Redis database
        env |= {"BELFORT_QUEUE__BACKEND": "redis", "BELFORT_QUEUE__REDIS_URL": s.queue.redis_url}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("BELFORT_CONFIG", raising=False)
    monkeypatch.chdir(app.settings.data_dir)  # no stray ./belfort.toml
    return env


def test_worker_process_runs_queued_jobs(appliance: Appliance, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BELFORT_")}, **_env(monkeypatch, appliance)}
    huey = queue_for(appliance.settings, immediate=False)
    for n in range(3):
        src = tmp_path / f"stuk{n}.txt"
        src.write_text(NOTE + f" nummer {n}", encoding="utf-8")
        enqueue_ingest(appliance, huey, src, "raad")
    script = Path(sys.executable).parent / "belfort"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "ops.cli"]
    proc = subprocess.Popen(cmd + ["worker"], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(j.state == "done" for j in list_jobs(appliance)):
                break
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            time.sleep(0.1)
        assert [j.state for j in list_jobs(appliance)] == ["done"] * 3
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    with read_session(appliance.db) as s:
        assert len(s.exec(select(JobOutcome)).all()) == 3


def test_watcher_queues_each_stable_file_once(appliance: Appliance) -> None:
    from appliance.jobs.watch import queueing_watcher

    huey = queue_for(appliance.settings, immediate=False)  # a real queue: jobs wait for a worker
    folder = appliance.layout.inbox / "raad"
    folder.mkdir()
    (folder / "a.txt").write_text(NOTE, encoding="utf-8")
    watcher = queueing_watcher(appliance, huey)
    assert len(watcher.scan_once()) == 1
    assert watcher.scan_once() == []  # still waiting for the worker: not queued again
    assert [(j.state, j.collection, j.target) for j in list_jobs(appliance)] == [("queued", "raad", "a.txt")]
    assert huey.pending_count() == 1
    use_appliance(appliance)
    huey.execute(huey.dequeue())  # type: ignore[arg-type]
    assert list_jobs(appliance)[0].state == "done" and not (folder / "a.txt").exists()
