"""What the fuzz suite asserts everywhere: named failures only, within a time budget, no hang.

The known codes are the cage's failure codes (ingest.cage.FAILURE_CODES) plus the codes extraction
has always raised; `ingest.internal` (an exception nobody named) is never a known code.
"""

from __future__ import annotations

import faulthandler
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

EXTRACT_CODES = frozenset({
    "ingest.empty", "ingest.corrupt", "ingest.encrypted", "ingest.unsupported_type", "ingest.encoding",
    "ingest.too_large", "ingest.too_deep", "ingest.too_complex", "ingest.unreadable",
})
OCR_CODES = frozenset({"ocr.image_too_large", "ocr.corrupt_image", "ocr.corrupt", "ocr.encrypted", "ocr.failed"})
AUDIO_CODES = frozenset({"asr.empty_audio", "asr.corrupt_audio", "asr.no_audio_track", "upload.empty",
                         "upload.too_large", "recording.bad_type"})
UNNAMED = "ingest.internal"


def known_codes() -> frozenset[str]:
    """Every stable failure code a hostile file may end in: ours, and the cage's (ingest.cage)."""
    from ingest.cage import FAILURE_CODES

    return frozenset((EXTRACT_CODES | OCR_CODES | AUDIO_CODES | FAILURE_CODES) - {UNNAMED})


@contextmanager
def hang_guard(seconds: float) -> Iterator[dict[str, float]]:
    """Measure the block; if it runs far past its budget, dump every thread's stack and end the run.

    A hang inside C code (a regex, a decoder) holds the GIL, so no Python-level timeout could stop
    it; faulthandler's watchdog thread can, and CI then fails with the stack instead of idling.
    `seconds` is CPU time (this process and the children it waited for, e.g. a caged parser), so a
    busy shared machine does not fail a bound that the code itself meets; `wall` is kept beside it.
    """
    took: dict[str, float] = {}
    faulthandler.dump_traceback_later(max(30.0, seconds * 4), exit=True)
    start, cpu = time.perf_counter(), _cpu()
    try:
        yield took
    finally:
        faulthandler.cancel_dump_traceback_later()
        took["seconds"] = _cpu() - cpu
        took["wall"] = time.perf_counter() - start


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
