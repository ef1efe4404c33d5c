"""The step chain's lifecycle (safe names and file moves: test_storage.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from appliance.documents.ingest import slugify
from ingest.steps import CheckSize, IngestContext, StageCopy, Step, StopIngest, run_steps
from ingest.types import IngestError


class Recorder(Step):
    def __init__(self, name: str, log: list[str], *, able: bool = True, raise_: Exception | None = None):
        self.name, self.log, self.able, self.raise_ = name, log, able, raise_

    def able_to_run(self, ctx: IngestContext) -> bool:
        return self.able

    def run(self, ctx: IngestContext) -> None:
        self.log.append(f"run {self.name}")
        if self.raise_ is not None:
            raise self.raise_

    def cleanup(self, ctx: IngestContext) -> None:
        self.log.append(f"cleanup {self.name}")


def test_steps_run_in_order_and_clean_up_in_reverse(tmp_path: Path) -> None:
    log: list[str] = []
    ctx = IngestContext(path=tmp_path / "x", source_name="x")
    assert run_steps([Recorder("a", log), Recorder("b", log, able=False), Recorder("c", log)], ctx) is None
    assert log == ["run a", "run c", "cleanup c", "cleanup a"]


def test_stop_ingest_ends_the_chain_with_its_state(tmp_path: Path) -> None:
    log: list[str] = []
    ctx = IngestContext(path=tmp_path / "x", source_name="x")
    state = run_steps([Recorder("a", log, raise_=StopIngest("duplicate")), Recorder("b", log)], ctx)
    assert state == "duplicate"
    assert log == ["run a", "cleanup a"]


def test_an_error_propagates_after_cleanup(tmp_path: Path) -> None:
    log: list[str] = []
    ctx = IngestContext(path=tmp_path / "x", source_name="x")
    with pytest.raises(IngestError):
        run_steps([Recorder("a", log), Recorder("b", log, raise_=IngestError("ingest.x", "boom"))], ctx)
    assert log == ["run a", "run b", "cleanup b", "cleanup a"]


def test_check_size_refuses_empty_and_too_large_without_reading(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.touch()
    with pytest.raises(IngestError) as err:
        CheckSize().run(IngestContext(path=empty, source_name="empty.txt"))
    assert err.value.code == "ingest.empty"
    big = tmp_path / "big.pdf"
    with open(big, "wb") as fh:
        fh.truncate(300 * 1024 * 1024)  # sparse: nothing is written
    with pytest.raises(IngestError) as err:
        CheckSize().run(IngestContext(path=big, source_name="big.pdf", max_bytes=250 * 1024 * 1024))
    assert err.value.code == "ingest.too_large" and "250" in err.value.message


def test_stage_copy_hashes_and_cleans_up(tmp_path: Path) -> None:
    import hashlib

    src = tmp_path / "a.txt"
    src.write_bytes(b"hallo wereld")
    ctx = IngestContext(path=src, source_name="sub/a.txt", staging_dir=tmp_path / "staging")
    step = StageCopy()
    step.run(ctx)
    assert ctx.content_hash == hashlib.sha256(b"hallo wereld").hexdigest()
    assert ctx.staged is not None and ctx.staged.read_bytes() == b"hallo wereld"
    assert ctx.staged.name == "a.txt"
    step.cleanup(ctx)
    assert not ctx.staged.exists() and list((tmp_path / "staging").iterdir()) == []
    assert src.exists()


def test_slugify_folder_names() -> None:
    assert slugify("Raad & Notulen") == "raad-notulen"
    assert slugify("Éducation") == "education"
    assert slugify("!!!") == "unsorted"


def test_stage_copy_stops_as_busy_when_the_file_is_still_being_written(tmp_path: Path) -> None:
    import threading

    src = tmp_path / "scan.pdf"
    src.write_bytes(b"x" * (16 << 20))
    stop = threading.Event()

    def writer() -> None:  # a copy job still busy with the file (touching it; its size stays put)
        n = 1
        while not stop.is_set():
            os.utime(src, ns=(n * 1_000_000, n * 1_000_000))
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        ctx = IngestContext(path=src, source_name="scan.pdf", staging_dir=tmp_path / "staging")
        assert run_steps([StageCopy()], ctx) == "busy"
    finally:
        stop.set()
        thread.join()
    assert ctx.content_hash == "" and list((tmp_path / "staging").iterdir()) == []  # cleaned up


def test_clean_staging_removes_only_old_leftovers(appliance) -> None:  # type: ignore[no-untyped-def]
    from appliance.documents.ingest import clean_staging

    staging = appliance.settings.data_dir / "staging"
    old, fresh = staging / "old", staging / "fresh"
    for d in (old, fresh):
        d.mkdir(parents=True)
        (d / "file.txt").write_text("x")
    os.utime(old, (0, 0))
    assert clean_staging(appliance) == 1
    assert not old.exists() and fresh.exists()
