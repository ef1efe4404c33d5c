"""One home for user-facing text: flat JSON catalogues per language (nl default, fr, en).

A language's catalogue is `<lang>.json` merged with one file per feature area, `<area>.<lang>.json`
(ask, minutes, triage, ...): areas keep their texts together, and a key defined twice is an error
rather than a silent override. Pages (`webui`) and the texts the core writes itself (mails, exported
documents, notices) read the same catalogues through this module; the files sit in `webui/i18n/`
beside the templates that use most of them, read as data (appliance never imports webui).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("nl", "fr", "en")
CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "webui" / "i18n"


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


def texts(lang: str, prefix: str) -> dict[str, str]:
    """Every text under `prefix` ("minutes_export." -> {"draft": ..., ...}), unformatted: for code
    that fills in its placeholders itself. An unknown language reads Dutch, like `t`."""
    found = catalogue(lang if lang in LANGUAGES else "nl")
    return {key[len(prefix):]: text for key, text in found.items() if key.startswith(prefix)}
