"""A real `belfort watch --oneshot` process killed (SIGKILL) in the middle of a batch, then restarted:
nothing is lost and nothing is duplicated."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from appliance.context import open_appliance
from models.fakes import FakeEmbedder
from tests.conftest import REPO, make_settings

WORDS = ["gemeente", "raad", "besluit", "marktplein", "heraanleg", "bewoners", "college", "schepen", "burgemeester", "begroting", "subsidie", "vergunning", "conseil", "communal", "budget", "rue"]


def _env(data: Path, models: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELFORT_")}
    env.update(BELFORT_DATA_DIR=str(data), BELFORT_MODELS_DIR=str(models), BELFORT_PROFILE="test",
               BELFORT_SEARCH__EMBEDDER="fake", BELFORT_INGEST__STABLE_SECONDS="0",
               BELFORT_INGEST__POLL_SECONDS="0.05", BELFORT_LLM__ENGINE="none", BELFORT_LOG_LEVEL="WARNING")
    return env


def _command() -> list[str]:
    script = Path(sys.executable).parent / "belfort"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ops.cli"]


def _documents(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM document").fetchone()[0])
    except sqlite3.Error:
        return 0


def _run_and_kill(env: dict[str, str], db: Path, after_documents: int, timeout: float = 60.0) -> bool:
    """Start a oneshot run and SIGKILL it once `after_documents` are in; False if it finished first."""
    proc = subprocess.Popen(_command() + ["watch", "--oneshot"], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            if _documents(db) >= after_documents:
                time.sleep(random.uniform(0, 0.3))  # land anywhere inside the next file's steps
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.005)
        pytest.fail("the ingest process made no progress")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return False


def _snapshot(data: Path) -> dict[str, int]:
    with sqlite3.connect(data / "belfort.sqlite3") as conn:
        one = lambda q: int(conn.execute(q).fetchone()[0])
        return {
            "documents": one("SELECT COUNT(*) FROM document"),
            "versions": one("SELECT COUNT(*) FROM documentversion"),
            "hashes": one("SELECT COUNT(DISTINCT content_hash) FROM documentversion"),
            "active": one("SELECT COUNT(*) FROM chunk WHERE active = TRUE"),
            "fts": one("SELECT COUNT(*) FROM chunk_fts"),
            "orphans": one("SELECT COUNT(*) FROM chunk WHERE version_id NOT IN (SELECT id FROM documentversion)"),
        }


def _stored_hashes(data: Path) -> set[str]:
    with sqlite3.connect(data / "belfort.sqlite3") as conn:
        return {r[0] for r in conn.execute("SELECT content_hash FROM documentversion")}


def _assert_nothing_lost(data: Path, contents: dict[str, bytes]) -> None:
    """Every good file is in the inbox or stored (original on disk, hash in the DB)."""
    stored = _stored_hashes(data)
    waiting = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (data / "inbox").rglob("*") if p.is_file()}
    for digest, body in contents.items():
        original = data / "originals" / digest[:2] / digest
        if digest in stored:
            assert original.read_bytes() == body  # committed rows imply the original is there, whole
        else:
            assert digest in waiting, "a file vanished before it was stored"


def test_killed_ingest_batch_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    data, models = tmp_path / "data", tmp_path / "models"
    inbox = data / "inbox" / "raad"
    inbox.mkdir(parents=True)
    rng = random.Random(7)
    contents: dict[str, bytes] = {}
    for i in range(28):
        body = (" ".join(rng.choice(WORDS) for _ in range(2000)) + f" uniek{i}").encode()
        name = f"verslag {i:02d} – é.txt"
        (inbox / name).write_bytes(body)
        contents[hashlib.sha256(body).hexdigest()] = body
    (inbox / "kopie van verslag 03.txt").write_bytes((inbox / "verslag 03 – é.txt").read_bytes())  # duplicate
    (inbox / "leeg.txt").touch()  # fails on its own
    env = _env(data, models)
    db = data / "belfort.sqlite3"

    kills = 0
    for target in (4, 14):
        if _run_and_kill(env, db, target):
            kills += 1
            _assert_nothing_lost(data, contents)
            snap = _snapshot(data)
            assert snap["versions"] == snap["hashes"] == snap["documents"] and snap["orphans"] == 0
    assert kills >= 1, "the batch finished before it could be killed"

    done = subprocess.run(_command() + ["watch", "--oneshot"], check=False, env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert [p for p in (data / "inbox").rglob("*") if p.is_file()] == []
    _assert_nothing_lost(data, contents)
    snap = _snapshot(data)
    assert set(contents) <= _stored_hashes(data)
    assert snap["documents"] == snap["versions"] == snap["hashes"] == len(contents)  # no duplicates
    assert snap["orphans"] == 0 and snap["fts"] == snap["active"] > 0
    failed = [p for p in (data / "failed" / "raad").iterdir() if not p.name.endswith(".reason.json")]
    assert failed and all(p.stat().st_size == 0 for p in failed)  # only the empty file failed

    # The vector index holds exactly the active chunks too.
    app = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder())
    with sqlite3.connect(db) as conn:
        active = {r[0] for r in conn.execute("SELECT id FROM chunk WHERE active = TRUE")}
        coll = conn.execute("SELECT id FROM collection WHERE name = 'raad'").fetchone()[0]
    assert app.index.ids(coll) == active
