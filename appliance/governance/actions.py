"""One entry for deleting or anonymising an item, whatever its kind, and recording it as an audit event."""

from __future__ import annotations

from typing import Any

from appliance.audit import erase_answer_records
from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import AuditEvent
from appliance.governance import removal
from appliance.governance.items import Item
from appliance.governance.removal import Mask

ACTIONS = ("delete", "anonymise")


def carry_out(app: Appliance, actor: str, item: Item, action: str, mask: Mask, *, basis: str,
              detail: dict[str, Any]) -> None:
    """Delete or anonymise `item`; `basis` is "retention" or "request" (the audit action's prefix).
    The audit detail never holds the item's text or title (they may name a person)."""
    anonymise = action == "anonymise"
    reason = str(detail.get("reason") or basis)
    if item.kind == "document":
        (removal.anonymise_document if anonymise else removal.delete_document)(app, item.id, mask)
    elif item.kind == "triage":
        (removal.anonymise_triage if anonymise else removal.delete_triage)(app, item.id, mask)
    elif item.kind == "mail":
        removal.remove_mail(app, item.id, mask, anonymise)
    elif item.kind == "transcript":
        removal.remove_transcript(app, item.id, mask, anonymise)
    elif item.kind == "minutes":
        removal.remove_minutes(app, item.id, mask, anonymise)
    elif item.kind == "recording":
        removal.delete_audio(app, item.id)
    elif item.kind == "ticket":
        removal.remove_ticket(app, item.id, mask, anonymise)
    elif item.kind == "answer":
        erase_answer_records(app, actor, [item.id], reason=reason, mode=action, mask=mask, basis=basis)
    verb = "anonymised" if anonymise and item.kind != "recording" else "deleted"
    with write_session(app.db) as s:
        s.add(AuditEvent(actor=actor, action=f"{basis}.{verb}", target=item.ref, detail=detail))
