"""The web server's access log never holds query strings (searches and questions may name citizens)."""

from __future__ import annotations

import logging

from ops.commands.serve import DropQueryStrings


def test_access_log_line_loses_its_query_string():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/ask/stream?q=rijksregister+Jan+Peeters", "1.1", 200),
                               None)
    assert DropQueryStrings().filter(record)
    line = record.getMessage()
    assert "/ask/stream" in line and "Peeters" not in line and "?" not in line and "200" in line


def test_other_log_records_pass_unchanged():
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "Started %s", ("server",), None)
    assert DropQueryStrings().filter(record)
    assert record.getMessage() == "Started server"
