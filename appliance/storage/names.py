"""Safe names for the files Belfort creates: one sanitiser (ingest.names) behind every name we store."""

from __future__ import annotations

import unicodedata

from ingest.names import CONTROL, bare_name, truncate_utf8

MAX_NAME_BYTES = 200


def safe_relative_name(name: str) -> str:
    """A relative name with no traversal: `../x` -> `x`, `a\\..\\b` -> `a/b`, NFC, no control chars."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/")
    parts = []
    for part in name.split("/"):
        part = CONTROL.sub("", part).strip()
        if part in ("", ".", ".."):
            continue
        parts.append(truncate_utf8(part, MAX_NAME_BYTES))
    return "/".join(parts) or "unnamed"


def safe_file_name(name: str) -> str:
    """One path component, safe to create in our own folders (no leading dot: not hidden)."""
    base = safe_relative_name(name).rsplit("/", 1)[-1].lstrip(".")
    return base or "unnamed"


def display_name(filename: str) -> str:
    """The file name people see (no folder, no control characters); may be empty."""
    return bare_name(filename)[:MAX_NAME_BYTES]


def upload_name(name: str) -> str:
    """A readable upload name (Unicode, spaces) but never a path; "" when nothing usable is left."""
    name = bare_name(name)
    if len(name.encode()) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        keep = ext[:16] if dot else ""
        name = stem.encode()[:180].decode("utf-8", "ignore") + (f".{keep}" if keep else "")
    return "" if set(name) <= {"_", " "} else name
