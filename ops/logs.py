"""Logging of the long-running commands (serve, worker, watch): text lines, or with ops.log_format =
"json" one JSON object per line for a log collector.

JSON lines carry time, level, logger, message and the exception's type, never a traceback's text or a
client address; e-mail addresses, IBANs and national numbers in a message are masked as a last line
of defence (the code itself logs codes and ids, not personal data).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from appliance.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MASKS = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"), "[iban]"),
    (re.compile(r"\b\d{2}[.\s]?\d{2}[.\s]?\d{2}[-\s]?\d{3}[.\s]?\d{2}\b"), "[national-number]"),
)


def mask(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            _addr, method, path, _version, status = record.args  # the client's address stays out
            message = f"{method} {str(path).split('?', 1)[0]} {status}"
            extra = {"method": method, "path": str(path).split("?", 1)[0], "status": status}
        else:
            message, extra = record.getMessage(), {}
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": mask(message), **extra}
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False, default=str)


def setup_logging(settings: Settings, *, loggers: tuple[str, ...] = ()) -> None:
    """The root logger's format and level; `loggers` (uvicorn's, configured by uvicorn) get the same
    formatter on their handlers."""
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    json_lines = settings.ops.log_format == "json"
    formatter: logging.Formatter = JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    root.setLevel(level)
    for handler in root.handlers:
        handler.setFormatter(formatter)
    if json_lines:
        for name in loggers:
            for handler in logging.getLogger(name).handlers:
                handler.setFormatter(formatter)
