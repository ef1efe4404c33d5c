"""Data-subject requests (GDPR art. 15 and 17): find a person across everything Belfort keeps, and
erase or anonymise what was found where no legal hold or duty to keep forbids it.

Searched: documents (every chunk, so the OCR text of scans too, and their titles), pseudonym maps,
incoming mail and triage items, outgoing mail, transcripts, tickets and answer records. Searching is
itself an audit event (without the name: a hash of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import AuditEvent
from appliance.errors import BelfortError
from appliance.governance.actions import ACTIONS, carry_out
from appliance.governance.holds import hold_check
from appliance.governance.items import Item, collections, fill_document_texts, items_of, text_of
from appliance.governance.matching import Subject, fold, matches, subject
from appliance.governance.removal import masker
from appliance.governance.retention import duty_of
from appliance.privacy import forget_pseudonyms, pseudonym_maps

SEARCHED = ("document", "triage", "mail", "transcript", "minutes", "ticket", "answer")


@dataclass
class Found:
    item: Item
    matched: list[str]
    hold: int | None = None
    duty: int | None = None
    keys: tuple[str, ...] = ()  # pseudonym maps: the normalised values that are this person

    def as_dict(self) -> dict[str, Any]:
        return {**self.item.as_dict(), "matched": self.matched, "hold": self.hold, "duty": self.duty,
                "erasable": self.hold is None and self.duty is None,
                **({"pseudonyms": len(self.keys)} if self.keys else {})}


def _map_keys(who: Subject, mapping: dict[str, str]) -> tuple[str, ...]:
    hits = []
    for key in mapping:
        kind, _, value = key.partition(":")
        if kind in ("BE_NATIONAL_NUMBER", "BE_BIS_NUMBER"):
            if who.rrn and value == who.rrn:
                hits.append(key)
        elif kind == "EMAIL_ADDRESS":
            if who.email and value == who.email:
                hits.append(key)
        elif kind == "PERSON" and fold(value) in who.phrases():
            hits.append(key)
    return tuple(hits)


def find(app: Appliance, who: Subject, now: datetime | None = None) -> list[Found]:
    holds, out = hold_check(app), []
    names = {f"collection:{c.id}": c.name for c in collections(app)}
    for kind in SEARCHED:
        items = items_of(app, kind)
        if kind == "document":
            fill_document_texts(app, items)
        for item in items:
            hit = matches(who, text_of(app, item))
            if hit:
                duty = duty_of(app, item, now)
                out.append(Found(item, hit, holds.hold_of(item), duty.id if duty else None))
    for row_id, scope, mapping in pseudonym_maps(app):
        keys = _map_keys(who, mapping)
        if keys:
            kinds = sorted({"rrn" if k.startswith("BE_") else k.split(":")[0].lower() for k in keys})
            item = Item("pseudonym_map", row_id, scope, scope, holds=(f"collection:{names.get(scope, '')}",))
            out.append(Found(item, kinds, holds.hold_of(item), None, keys))
    return out


def search(app: Appliance, actor: str, name: str, *, rrn: str = "", email: str = "",
           now: datetime | None = None) -> list[Found]:
    """Everything that names the person; refuses a name of one letter."""
    who = subject(name, rrn, email)
    found = find(app, who, now)
    with write_session(app.db) as s:
        s.add(AuditEvent(actor=actor, action="subject.searched", target="subject",
                         detail={**who.describe(), "found": len(found)}))
    return found


def erase(app: Appliance, actor: str, name: str, refs: list[str], *, action: str, reason: str,
          rrn: str = "", email: str = "", now: datetime | None = None) -> dict[str, Any]:
    """Delete or anonymise the selected items found for the person (art. 17), with the reason recorded.
    Items under a legal hold or a duty to keep are refused, and said why; refs not found are refused."""
    if action not in ACTIONS:
        raise BelfortError("subject.bad_action", f"unknown action '{action[:20]}'", hint="delete or anonymise")
    if not reason.strip():
        raise BelfortError("subject.reason", "an erasure needs a reason", hint="e.g. the request's date and number")
    who = subject(name, rrn, email)
    found = {f.item.ref: f for f in find(app, who, now)}
    mask, done, refused = masker(who), [], []
    for ref in dict.fromkeys(refs):
        f = found.get(ref)
        if f is None or f.hold is not None or f.duty is not None:
            why = "not_found" if f is None else ("hold" if f.hold is not None else "duty")
            refused.append({"ref": ref, "why": why, "hold": f and f.hold, "duty": f and f.duty})
            continue
        detail = {"reason": reason[:500], "request": who.describe(), "matched": f.matched}
        if f.item.kind == "pseudonym_map":
            forget_pseudonyms(app, f.item.title, set(f.keys))
            with write_session(app.db) as s:
                s.add(AuditEvent(actor=actor, action="request.deleted", target=ref, detail=detail))
        else:
            carry_out(app, actor, f.item, action, mask, basis="request", detail=detail)
        done.append(ref)
    with write_session(app.db) as s:
        s.add(AuditEvent(actor=actor, action="subject.erased", target="subject",
                         detail={**who.describe(), "reason": reason[:500], "action": action,
                                 "done": done, "refused": refused}))
    return {"done": done, "refused": refused}
