"""What a process reports about itself for monitoring, through the data folder: the worker writes its
engines (which are loaded, how long loading took) whenever one loads, and the web process's /metrics
reads the report, so the worker's models show beside the web process's own."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.storage.files import atomic_write_json

if TYPE_CHECKING:
    from appliance.context import Appliance

log = logging.getLogger(__name__)


def report_path(app: Appliance, process: str) -> Path:
    return Path(app.settings.data_dir) / "run" / f"{process}-engines.json"


def write_engine_report(app: Appliance, process: str) -> None:
    """Write this process's engines (never fails the caller: monitoring is not worth a failed job)."""
    try:
        path = report_path(app, process)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_json(path, {"pid": os.getpid(), "at": time.time(),
                                 "engines": [st.as_dict() for st in app.engine_status()]})
    except OSError:
        log.warning("could not write the %s engine report", process, exc_info=True)


def read_engine_report(app: Appliance, process: str) -> dict[str, Any] | None:
    """The report of `process`, or None when it never wrote one (or it is unreadable)."""
    try:
        data = json.loads(report_path(app, process).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("engines"), list) else None
