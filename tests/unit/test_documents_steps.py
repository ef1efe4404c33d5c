"""The step chain's lifecycle, safe names and the no-overwrite file moves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from appliance.documents.ingest import slugify
from appliance.documents.steps import (
    move_no_overwrite,
    publish_original,
    safe_file_name,
    safe_relative_name,
    unique_destination,
)
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


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../x.pdf", "x.pdf"),
        ("../../etc/passwd", "etc/passwd"),
        ("a\\..\\b.txt", "a/b.txt"),
        ("/abs/path.txt", "abs/path.txt"),
        ("  verslag  raad.pdf ", "verslag  raad.pdf"),
        ("e\u0301te\u0301.txt", "\u00e9t\u00e9.txt"),  # NFD (macOS) becomes NFC
        ("bad\x00name\x1f.txt", "badname.txt"),
        ("..", "unnamed"),
        ("", "unnamed"),
    ],
)
def test_safe_relative_name(raw: str, safe: str) -> None:
    assert safe_relative_name(raw) == safe


def test_safe_file_name_is_one_visible_component() -> None:
    assert safe_file_name("mail.eml/../.hidden.pdf") == "hidden.pdf"
    long = "ä" * 300 + ".pdf"
    assert len(safe_file_name(long).encode()) <= 200 and safe_file_name(long).endswith(".pdf")


def test_slugify_folder_names() -> None:
    assert slugify("Raad & Notulen") == "raad-notulen"
    assert slugify("Éducation") == "education"
    assert slugify("!!!") == "unsorted"


def test_unique_destination_and_move_never_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "failed"
    folder.mkdir()
    (folder / "a.pdf").write_text("first")
    (folder / "a (1).pdf.reason.json").write_text("{}")
    dest = unique_destination(folder, "a.pdf")
    assert dest.name == "a (2).pdf"
    src = tmp_path / "a.pdf"
    src.write_text("second")
    move_no_overwrite(src, dest)
    assert not src.exists() and dest.read_text() == "second" and (folder / "a.pdf").read_text() == "first"


def test_publish_original_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    staged = tmp_path / "s"
    staged.write_bytes(b"abc")
    h = "ab" + "0" * 62
    dest = publish_original(staged, tmp_path / "originals", h)
    assert dest == tmp_path / "originals" / "ab" / h and dest.read_bytes() == b"abc"
    staged2 = tmp_path / "s2"
    staged2.write_bytes(b"abc")
    assert publish_original(staged2, tmp_path / "originals", h) == dest
    assert staged2.exists()  # the existing original was kept; the caller's cleanup removes the copy
    assert os.listdir(dest.parent) == [h]


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
