"""File names from outside (uploads, mail attachments, drop folders) made safe to create on disk.

The one sanitiser below both `ingest` (mail attachments) and `appliance.storage` (uploads, stored
names): a name keeps what people can read (Unicode, spaces) and loses every way to name a path.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Control characters and separators always go; `portable` also drops what Windows refuses in names.
_UNSAFE = {
    False: re.compile(r"[\x00-\x1f\x7f/\\:]+"),
    True: re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+"),
}


def last_component(name: str) -> str:
    """NFC, and only what follows the last `/` or `\\` (browsers on Windows send full paths)."""
    return unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]


def bare_name(name: str, *, portable: bool = True) -> str:
    """One path component (may be empty): unsafe runs become `_`, no leading dot (not hidden).

    portable: also the characters Windows forbids, surrounding whitespace trimmed; otherwise
    (mail attachments) only the separators, and spaces and dots trimmed at both ends.
    """
    part = _UNSAFE[portable].sub("_", last_component(name))
    return part.strip().lstrip(".").strip() if portable else part.strip(" .")


def truncate_utf8(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, keeping a short suffix (`.pdf`) so the type stays recognisable."""
    if len(text.encode("utf-8")) <= limit:
        return text
    suffix = Path(text).suffix if len(Path(text).suffix) <= 16 else ""
    stem = text[: len(text) - len(suffix)]
    while len((stem + suffix).encode("utf-8")) > limit:
        stem = stem[:-1]
    return stem + suffix
