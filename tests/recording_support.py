"""Long recordings for tests without the disk or time they would take: sparse WAV files."""

from __future__ import annotations

import struct
from pathlib import Path


def sparse_wav(path: Path, seconds: int, rate: int = 8000) -> Path:
    """A valid 16-bit mono WAV of `seconds` of silence without writing them: a sparse file."""
    data = seconds * rate * 2
    header = b"RIFF" + struct.pack("<I", 36 + data) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", data)
    with path.open("wb") as fh:
        fh.write(header)
        fh.truncate(len(header) + data)
    return path
