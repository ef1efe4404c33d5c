"""OCR of untrusted scans in a caged child (ingest/cage.py): the OCR engine loads there, not here."""

from __future__ import annotations

from pathlib import Path

from appliance.errors import BelfortError
from appliance.ocr.engine import OcrResult, ocr_file
from appliance.settings import Settings
from ingest.cage import Limits, run_caged
from ingest.types import IngestError


def ocr_limits(settings: Settings) -> Limits:
    seconds = settings.ocr.cage_seconds
    return Limits(memory_mb=settings.ocr.cage_memory_mb, cpu_seconds=int(seconds), wall_seconds=seconds)


def ocr_caged(settings: Settings, path: Path, *, engine: str, pdfa_out: Path | None = None) -> OcrResult:
    """appliance.ocr.engine.ocr_file in a caged child; `engine` is the appliance's `ocr_engine_name`."""
    try:
        return run_caged(ocr_limits(settings), ocr_file, path, settings, pdfa_out=pdfa_out, engine=engine)
    except IngestError as exc:
        raise BelfortError(exc.code, exc.message, hint=exc.hint, status=422) from None
