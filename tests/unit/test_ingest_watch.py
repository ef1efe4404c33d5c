"""The drop folder: only stable files, only inside a collection folder, ignore patterns, any name."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from ingest.watch import DropFolderWatcher

IGNORE = [".*", "~$*", "*.tmp", "*.part", "*.crdownload", "Thumbs.db"]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[Path, str]] = []

    def __call__(self, path: Path, collection: str) -> None:
        self.calls.append((path, collection))


def _watcher(inbox: Path, stable: float = 10.0) -> tuple[DropFolderWatcher, Recorder]:
    recorder = Recorder()
    return DropFolderWatcher(inbox, recorder, stable_seconds=stable, ignore_patterns=IGNORE), recorder


def test_file_still_being_written_is_not_picked_up_until_stable(tmp_path: Path) -> None:
    watcher, seen = _watcher(tmp_path)
    target = tmp_path / "raad" / "notulen.pdf"
    target.parent.mkdir()
    with open(target, "wb") as fh:
        fh.write(b"%PDF-1.4 part one")
        fh.flush()
        assert watcher.scan_once(now=0.0) == []
        fh.write(b" part two" * 100)
        fh.flush()
        os.utime(target, ns=(time.time_ns(), time.time_ns() + 5_000_000))  # writes move mtime on
        assert watcher.scan_once(now=8.0) == []  # changed since the first look: clock restarts
        assert watcher.scan_once(now=17.0) == []  # 9 s unchanged: not yet
    assert watcher.scan_once(now=18.0) == [target]
    assert seen.calls == [(target, "raad")]
    assert watcher.scan_once(now=100.0) == []  # reported once


def test_changed_file_is_reported_again_after_it_settles(tmp_path: Path) -> None:
    watcher, seen = _watcher(tmp_path, stable=1.0)
    target = tmp_path / "raad" / "a.txt"
    target.parent.mkdir()
    target.write_text("eerste versie")
    watcher.scan_once(now=0.0)
    assert watcher.scan_once(now=1.0) == [target]
    target.write_text("tweede versie, langer")
    assert watcher.scan_once(now=2.0) == []
    assert watcher.scan_once(now=3.5) == [target]
    assert len(seen.calls) == 2


def test_ignore_patterns_root_files_and_nested_folders(tmp_path: Path) -> None:
    watcher, seen = _watcher(tmp_path, stable=0.0)
    (tmp_path / "in de root.pdf").write_bytes(b"x")  # no collection: left alone
    (tmp_path / "raad" / "2024" / "mei").mkdir(parents=True)
    (tmp_path / ".verborgen").mkdir()
    (tmp_path / ".verborgen" / "a.pdf").write_bytes(b"x")
    for name in (".DS_Store", "~$notulen.docx", "upload.tmp", "film.part", "x.crdownload", "Thumbs.db"):
        (tmp_path / "raad" / name).write_bytes(b"x")
    (tmp_path / "raad" / ".git").mkdir()
    (tmp_path / "raad" / ".git" / "config").write_bytes(b"x")
    keep = tmp_path / "raad" / "2024" / "mei" / "besluit.pdf"
    keep.write_bytes(b"%PDF")
    assert watcher.scan_once(now=0.0) == [keep]
    assert seen.calls == [(keep, "raad")]


def test_unusual_unicode_names_and_collections(tmp_path: Path) -> None:
    watcher, seen = _watcher(tmp_path, stable=0.0)
    folder = tmp_path / "Cultuur & Évènementen"
    folder.mkdir()
    name = "Notulen – Café Zoe\u0301 ☕ 東京 (kopie 1).pdf"
    (folder / name).write_bytes(b"%PDF")
    reported = watcher.scan_once(now=0.0)
    assert [p.name for p in reported] == [name]
    assert seen.calls[0][1] == "Cultuur & Évènementen"
    assert reported[0].exists()


def test_vanished_files_are_forgotten_and_handler_errors_do_not_stop_the_scan(tmp_path: Path) -> None:
    calls: list[str] = []

    def flaky(path: Path, collection: str) -> None:
        calls.append(path.name)
        if path.name == "a.txt":
            raise RuntimeError("pipeline hiccup")

    watcher = DropFolderWatcher(tmp_path, flaky, stable_seconds=0.0, ignore_patterns=IGNORE)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("a")
    (tmp_path / "c" / "b.txt").write_text("b")
    assert [p.name for p in watcher.scan_once(now=0.0)] == ["b.txt"]
    assert calls == ["a.txt", "b.txt"]
    (tmp_path / "c" / "b.txt").unlink()
    watcher.scan_once(now=1.0)
    (tmp_path / "c" / "b.txt").write_text("b")  # dropped again after the pipeline removed it
    assert [p.name for p in watcher.scan_once(now=2.0)] == ["b.txt"]


def test_missing_inbox_is_not_an_error(tmp_path: Path) -> None:
    watcher, _ = _watcher(tmp_path / "bestaat niet", stable=0.0)
    assert watcher.scan_once() == []


def test_watcher_never_moves_or_deletes(tmp_path: Path) -> None:
    watcher, _ = _watcher(tmp_path, stable=0.0)
    (tmp_path / "c").mkdir()
    target = tmp_path / "c" / "x.txt"
    target.write_text("blijft")
    watcher.scan_once(now=0.0)
    assert target.read_text() == "blijft"


def test_run_loop_stops_on_event(tmp_path: Path) -> None:
    watcher, seen = _watcher(tmp_path, stable=0.0)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x.txt").write_text("x")
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop, 0.01))
    thread.start()
    deadline = time.monotonic() + 5
    while not seen.calls and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert [c[1] for c in seen.calls] == ["c"]
