"""The appliance's use of the cage (ingest/cage.py): limits from the settings, and the two pieces of
work on untrusted content that run outside the extraction step: PII detection for pseudonymised
collections, and OCR. Each returns what the in-process call would, or raises a named failure."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from appliance.errors import BelfortError
from appliance.settings import Settings
from ingest.cage import FAILURE_CODES, TIMEOUT, Limits, run_caged
from ingest.types import IngestError
from models.base import Entity, ModelError

if TYPE_CHECKING:
    from appliance.context import Appliance
    from appliance.ocr.engine import OcrResult
    from appliance.privacy.pii import PiiSpan

__all__ = ["FAILURE_CODES", "detect_pii_caged", "ingest_limits", "ocr_caged", "ocr_limits", "probe_cage"]


def ingest_limits(settings: Settings) -> Limits:
    s = settings.ingest
    return Limits(memory_mb=s.cage_memory_mb, cpu_seconds=s.cage_cpu_seconds, wall_seconds=s.cage_wall_seconds)


def ocr_limits(settings: Settings) -> Limits:
    seconds = settings.ocr.cage_seconds
    return Limits(memory_mb=settings.ocr.cage_memory_mb, cpu_seconds=int(seconds), wall_seconds=seconds)


def ocr_caged(settings: Settings, path: Path, *, pdfa_out: Path | None = None) -> OcrResult:
    """appliance.ocr.engine.ocr_file in a caged child (the OCR engine loads there, not here)."""
    from appliance.ocr.engine import ocr_file

    try:
        return run_caged(ocr_limits(settings), ocr_file, path, settings, pdfa_out=pdfa_out)
    except IngestError as exc:
        raise BelfortError(exc.code, exc.message, hint=exc.hint, status=422) from None


def detect_pii_caged(app: Appliance, texts: list[str]) -> list[list[PiiSpan]]:
    """detect_pii over each text, as pseudonymisation calls it, in a caged child. The name tagger (Frog)
    is a server process of its own: it tags here and only its entities travel to the child. Its time
    counts against the cage's wall clock: past it, ingest.timeout (the file goes to failed/)."""
    limits = ingest_limits(app.settings)
    started = time.monotonic()
    tags = _tag_all(app, texts, started + limits.wall_seconds if limits.wall_seconds else None)
    if limits.wall_seconds:
        left = limits.wall_seconds - (time.monotonic() - started)
        if left <= 0:
            raise _ner_timeout(limits.wall_seconds)
        limits = replace(limits, wall_seconds=left)
    return run_caged(limits, _detect_all, texts, tags)


def _tag_all(app: Appliance, texts: list[str], deadline: float | None) -> list[list[Entity]] | None:
    ner = app.ner
    if ner is None:
        return None
    tags = []
    for text in texts:
        while True:
            try:
                tags.append(ner.tag(text, deadline=deadline))
                break
            except ModelError as exc:
                # Busy: web requests hold the tagger, each for at most pii.ner_seconds; wait our turn.
                if exc.code == "ner.busy" and (deadline is None or time.monotonic() < deadline):
                    continue
                if exc.code in ("ner.busy", "ner.timeout"):
                    raise _ner_timeout(app.settings.ingest.cage_wall_seconds) from None
                raise
    return tags


def _ner_timeout(seconds: float) -> IngestError:
    return IngestError(TIMEOUT, f"finding person names ran past the {seconds:.0f} s limit",
                       "This may be a damaged or hostile file; check its text, or split it and retry.")


@dataclass
class _Tagged:
    """A NerTagger that answers with entities tagged beforehand."""

    entities: list[Entity] = field(default_factory=list)
    name: str = "precomputed"

    def tag(self, text: str, *, deadline: float | None = None) -> list[Entity]:
        return list(self.entities)


def _detect_all(texts: list[str], tags: list[list[Entity]] | None) -> list[list[PiiSpan]]:
    from appliance.privacy.pii import default_first_names, detect_pii

    names = default_first_names()
    return [detect_pii(text, ner=_Tagged(tags[i]) if tags is not None else None, first_names=names)
            for i, text in enumerate(texts)]


def probe_cage(settings: Settings) -> str:
    """'' when a caged child starts and gets the configured limits, else what went wrong (for the doctor)."""
    limits = ingest_limits(settings)
    try:
        granted = run_caged(Limits(limits.memory_mb, limits.cpu_seconds, 30.0), _granted_limits)
    except Exception as exc:  # noqa: BLE001 - the doctor reports whatever stops the cage
        return f"{type(exc).__name__}: {exc}"
    wanted = (limits.memory_mb << 20 if limits.memory_mb else -1, limits.cpu_seconds or -1)
    return "" if granted == wanted else f"the child got limits {granted}, not {wanted}"


def _granted_limits() -> tuple[int, int]:
    import resource

    return resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_CPU)[0]
