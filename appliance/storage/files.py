"""Durable file writes: a crash leaves the previous file or the new one, never half of one.

The temp file lies in the target's own folder (so the rename is atomic), hidden and ending in .tmp
(so drop-folder watchers ignore it); it is fsynced before the rename and the folder after it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path(path: Path) -> Path:
    """A fresh hidden name beside `path` for a file (or folder) that is renamed onto it when complete."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


@contextlib.contextmanager
def atomic_path(path: Path, *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temp path for a writer that wants a path; on success it replaces `path`, durably."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Yield a temp folder path for a writer that fills a folder; on success it is published as `path`
    (absent or empty) in one rename, its files fsynced before it: a crash never leaves half a folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        yield tmp
        for entry in sorted(tmp.rglob("*"), reverse=True):  # files before the folder holding them
            if entry.is_dir():
                fsync_dir(entry)
            else:
                with open(entry, "rb") as fh:
                    os.fsync(fh.fileno())
        fsync_dir(tmp)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fsync_dir(path.parent)


@contextlib.contextmanager
def atomic_writer(path: Path, kind: Literal["w", "wb"] = "w") -> Iterator[IO[Any]]:
    """An open file (text: UTF-8) whose content replaces `path` only once the block ends without error."""
    encoding = "utf-8" if kind == "w" else None
    with atomic_path(path) as tmp, open(tmp, kind, encoding=encoding) as fh:
        yield fh
        fh.flush()


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> Path:
    with atomic_path(path, mode=mode) as tmp:
        tmp.write_bytes(data)
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, data: Any, *, indent: int | None = None, ensure_ascii: bool = True) -> Path:
    return atomic_write_text(path, json.dumps(data, ensure_ascii=ensure_ascii, indent=indent))


def unique_destination(folder: Path, name: str) -> Path:
    """`name`, or `name (1)`, `name (2)`, ... so nothing already there is overwritten."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = folder / name, 1
    while candidate.exists() or candidate.with_name(candidate.name + ".reason.json").exists():
        candidate = folder / f"{stem} ({n}){suffix}"
        n += 1
    return candidate


def move_no_overwrite(src: Path, dest: Path) -> None:
    """Link then unlink (refuses to overwrite); a copy across file systems."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)
        with open(dest, "rb") as fh:
            os.fsync(fh.fileno())
    fsync_dir(dest.parent)
    src.unlink()
