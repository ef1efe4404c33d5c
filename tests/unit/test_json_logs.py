"""ops.log_format = "json": one JSON object per line, without client addresses or personal data."""

from __future__ import annotations

import json
import logging

from appliance.settings import load_settings
from ops.logs import JsonFormatter, mask, setup_logging


def _record(name: str, msg: str, args: object = (), exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("jan.peeters@example.org could not be parsed")
        except ValueError:
            import sys

            exc_info = sys.exc_info()
    return logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, exc_info)  # type: ignore[arg-type]


def test_a_line_is_json_and_masks_personal_data() -> None:
    line = JsonFormatter().format(_record("belfort.mail", "bounce for %s, IBAN %s, rrn %s",
                                          ("jan.peeters@example.org", "BE68 5390 0754 7034", "85.07.30-033.61"),
                                          exc=True))
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["logger"] == "belfort.mail" and data["time"].endswith("+00:00")
    assert data["message"] == "bounce for [email], IBAN [iban], rrn [national-number]"
    assert data["exception"] == "ValueError" and "example.org" not in line  # the exception's text stays out


def test_access_lines_leave_out_the_client_and_the_query() -> None:
    data = json.loads(JsonFormatter().format(_record(
        "uvicorn.access", '%s - "%s %s HTTP/%s" %d', ("192.0.2.7:5123", "GET", "/?q=Jan+Peeters", "1.1", 200))))
    assert data["message"] == "GET / 200" and data["path"] == "/" and data["status"] == 200
    assert "192.0.2.7" not in json.dumps(data)


def test_mask_keeps_ordinary_text() -> None:
    assert mask("job 12 of kind ingest took 3.5 s (code asr.bad_audio)") == \
        "job 12 of kind ingest took 3.5 s (code asr.bad_audio)"


def test_setup_logging_follows_the_setting() -> None:
    root = logging.getLogger()
    saved = [(h, h.formatter) for h in root.handlers], root.level
    try:
        setup_logging(load_settings(environ={"BELFORT_OPS__LOG_FORMAT": "json", "BELFORT_LOG_LEVEL": "WARNING"}))
        assert root.level == logging.WARNING
        assert root.handlers and all(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
        setup_logging(load_settings(environ={}))
        assert not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
    finally:
        for handler, formatter in saved[0]:
            handler.setFormatter(formatter)
        root.setLevel(saved[1])
