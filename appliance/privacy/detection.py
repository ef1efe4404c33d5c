"""PII detection for one request (the API's /pii routes): the entity names checked before any work,
one name-tagging budget for the whole request (pii.ner_seconds; 503 past it), a per-user rate limit
and a bound on the text sent."""

from __future__ import annotations

import functools
from collections.abc import Callable

from appliance.access import Principal, check_pii
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.privacy.pii import PiiSpan, budgeted_ner, default_first_names, detect_pii

MAX_PII_TEXT = 200_000

Detector = Callable[..., list[PiiSpan]]


def detector(app: Appliance, entities: list[str] | None) -> Detector:
    """detect_pii for one request: its name tagging shares one budget (pii.ner_seconds; 503 past it)."""
    try:
        if entities:
            detect_pii("", entities=entities)  # validates the names before any work
        return functools.partial(detect_pii, ner=budgeted_ner(app), entities=entities,
                                 first_names=default_first_names())
    except ValueError as exc:
        raise BelfortError("pii.unknown_entity", str(exc), hint="see belfort pii --help for the types") from None


def find_in_text(app: Appliance, who: Principal, text: str, *, language: str = "nl",
                 entities: list[str] | None = None) -> list[PiiSpan]:
    """Personal data in a text sent for checking; nothing is stored."""
    if len(text) > MAX_PII_TEXT:
        raise BelfortError("pii.text_too_long", f"the text is longer than {MAX_PII_TEXT} characters",
                           hint="send a document instead, or split the text", status=413)
    check_pii(app, who)  # 429 pii.rate_limited: the name tagger is one engine for everyone
    return detector(app, entities)(text, language=language)
