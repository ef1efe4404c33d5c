"""Bytes from outside (an upload, a mail attachment) land in a staging copy before anything uses them."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from appliance.errors import BelfortError

MIB = 1024 * 1024  # the one byte unit of every size limit in settings (`*_mb`)


@dataclass(frozen=True)
class Staged:
    path: Path
    sha256: str
    size: int


def stage_stream(stream: IO[bytes], target: Path, limit: int, too_large: BelfortError) -> Staged:
    """Stream into `target` (at most `limit` bytes), hashing on the way; `target` is removed on any error.

    Raises `too_large` past the limit and upload.empty for an empty stream.
    """
    digest, size = hashlib.sha256(), 0
    try:
        with target.open("wb") as out:
            while block := stream.read(MIB):
                size += len(block)
                if size > limit:
                    raise too_large
                digest.update(block)
                out.write(block)
        if size == 0:
            raise BelfortError("upload.empty", "the file is empty", hint="choose a file with content")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Staged(target, digest.hexdigest(), size)


@contextlib.contextmanager
def staged_bytes(staging: Path, prefix: str, name: str, data: bytes) -> Iterator[Path]:
    """`data` as `staging/<prefix>-<random>/<name>` for the duration of the block, then removed."""
    folder = staging / f"{prefix}-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    path = folder / name
    try:
        path.write_bytes(data)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
