"""The appliance's use of the cage (ingest/cage.py): limits from the settings and the doctor's probe.
The features run their work on untrusted content caged themselves (appliance/ocr/caged.py,
appliance/privacy/caged.py), returning what the in-process call would or raising a named failure."""

from __future__ import annotations

from appliance.settings import Settings
from ingest.cage import FAILURE_CODES, Limits, run_caged

__all__ = ["FAILURE_CODES", "ingest_limits", "probe_cage"]


def ingest_limits(settings: Settings) -> Limits:
    s = settings.ingest
    return Limits(memory_mb=s.cage_memory_mb, cpu_seconds=s.cage_cpu_seconds, wall_seconds=s.cage_wall_seconds)


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
