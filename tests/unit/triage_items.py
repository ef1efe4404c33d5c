"""Triage items written straight into the database, for tests of the queue, learning and KPIs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import TriageItem
from appliance.triage.store import import_taxonomy

_counter = iter(range(1, 10**6))


def use_taxonomy(app: Appliance, yaml_text: str, tmp: Path) -> None:
    path = tmp / "taxonomy.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    import_taxonomy(app.settings, path)


def add_item(app: Appliance, subject: str, text: str = "", *, suggested: str = "", confidence: float = 0.4,
             reason: str = "below_threshold", state: str = "queued", received_at: datetime | None = None,
             **extra: Any) -> int:
    item = TriageItem(source="api", external_id=f"test-{next(_counter)}", subject=subject, text=text,
                      sender=extra.pop("sender", "burger@example.org"), suggested=suggested,
                      confidence=confidence, reason=reason, state=state, model_version="test", **extra)
    if received_at is not None:
        item.received_at = received_at
    with write_session(app.db) as s:
        s.add(item)
        s.flush()
        return int(item.id or 0)
