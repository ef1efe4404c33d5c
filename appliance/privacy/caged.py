"""PII detection for pseudonymised collections in a caged child (ingest/cage.py).

The name tagger (Frog) is a server process of its own: it tags here and only its entities travel
to the child. Its time counts against the cage's wall clock: past it, ingest.timeout (the file goes
to failed/)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from appliance.cage import ingest_limits
from appliance.privacy.pii import PiiSpan, default_first_names, detect_pii
from ingest.cage import TIMEOUT, run_caged
from ingest.types import IngestError
from models.base import Entity, ModelError

if TYPE_CHECKING:
    from appliance.context import Appliance


def detect_pii_caged(app: Appliance, texts: list[str]) -> list[list[PiiSpan]]:
    """detect_pii over each text, as pseudonymisation calls it, in a caged child."""
    limits = ingest_limits(app.settings)
    started = time.monotonic()
    tags = _tag_all(app, texts, started + limits.wall_seconds if limits.wall_seconds else None)
    if limits.wall_seconds:
        left = limits.wall_seconds - (time.monotonic() - started)
        if left <= 0:
            raise _ner_timeout(limits.wall_seconds)
        limits = replace(limits, wall_seconds=left)
    return run_caged(limits, _detect_all, texts, tags)


def _tag_all(app: Appliance, texts: list[str], deadline: float | None) -> list[list[Entity]] | None:
    ner = app.ner
    if ner is None:
        return None
    tags = []
    for text in texts:
        while True:
            try:
                tags.append(ner.tag(text, deadline=deadline))
                break
            except ModelError as exc:
                # Busy: web requests hold the tagger, each for at most pii.ner_seconds; wait our turn.
                if exc.code == "ner.busy" and (deadline is None or time.monotonic() < deadline):
                    continue
                if exc.code in ("ner.busy", "ner.timeout"):
                    raise _ner_timeout(app.settings.ingest.cage_wall_seconds) from None
                raise
    return tags


def _ner_timeout(seconds: float) -> IngestError:
    return IngestError(TIMEOUT, f"finding person names ran past the {seconds:.0f} s limit",
                       "This may be a damaged or hostile file; check its text, or split it and retry.")


@dataclass
class _Tagged:
    """A NerTagger that answers with entities tagged beforehand."""

    entities: list[Entity] = field(default_factory=list)
    name: str = "precomputed"

    def tag(self, text: str, *, deadline: float | None = None) -> list[Entity]:
        return list(self.entities)


def _detect_all(texts: list[str], tags: list[list[Entity]] | None) -> list[list[PiiSpan]]:
    names = default_first_names()
    return [detect_pii(text, ner=_Tagged(tags[i]) if tags is not None else None, first_names=names)
            for i, text in enumerate(texts)]
