"""A tiny translation helper: flat JSON catalogues per language (nl default, fr, en).

A language's catalogue is `i18n/<lang>.json` merged with one file per feature area,
`i18n/<area>.<lang>.json` (ask, minutes, triage, ...): areas keep their texts together, and a key
defined twice is an error rather than a silent override.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("nl", "fr", "en")
CATALOGUE_DIR = Path(__file__).parent / "i18n"


@cache
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = json.loads((CATALOGUE_DIR / f"{lang}.json").read_text("utf-8"))
    for path in sorted(CATALOGUE_DIR.glob(f"*.{lang}.json")):
        area = json.loads(path.read_text("utf-8"))
        twice = sorted(set(area) & set(merged))
        if twice:
            raise ValueError(f"{path.name} defines keys that another catalogue has: {twice[:5]}")
        merged.update(area)
    return merged


def t(lang: str, key: str, **values: object) -> str:
    """The text for `key` in `lang`; English, then the key itself, when a catalogue lacks it."""
    text = catalogue(lang if lang in LANGUAGES else "nl").get(key) or catalogue("en").get(key) or key
    return text.format(**values) if values else text


def has(lang: str, key: str) -> bool:
    return key in catalogue(lang if lang in LANGUAGES else "nl")


def error_text(lang: str, code: str, fallback: str) -> str:
    """Errors are translated by their stable code; an unknown code keeps the service's own message."""
    key = f"error.{code}"
    return t(lang, key) if has(lang, key) else fallback


def hint_text(lang: str, code: str, fallback: str) -> str:
    key = f"hint.{code}"
    return t(lang, key) if has(lang, key) else fallback
