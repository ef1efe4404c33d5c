"""Error texts for pages: a BelfortError is translated by its stable code.

The catalogues and `t` live in appliance.i18n (the core writes user-facing text too).
"""

from __future__ import annotations

from appliance.i18n import has, t


def error_text(lang: str, code: str, fallback: str) -> str:
    """Errors are translated by their stable code; an unknown code keeps the service's own message."""
    key = f"error.{code}"
    return t(lang, key) if has(lang, key) else fallback


def hint_text(lang: str, code: str, fallback: str) -> str:
    key = f"hint.{code}"
    return t(lang, key) if has(lang, key) else fallback
