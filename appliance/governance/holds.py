"""Legal holds: while one is active, nothing it covers is deleted or anonymised, by retention or on
request. A hold covers a document (and its attachments), a collection, a meeting (its transcript and
audio) or a person's items (every item whose text names them, by name, national number or e-mail).
Placing and releasing a hold are audit events."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Collection, Document, LegalHold, Recording, utcnow
from appliance.errors import BelfortError, NotFound
from appliance.governance.items import Item, text_of
from appliance.governance.matching import Subject, matches, numbers_in, rrn_hash, subject

HOLD_KINDS = ("document", "collection", "meeting", "person")


def _check_target(app: Appliance, kind: str, ref: str) -> None:
    if kind not in HOLD_KINDS:
        raise BelfortError("hold.bad_kind", f"unknown hold kind '{kind[:20]}'", hint=", ".join(HOLD_KINDS))
    with read_session(app.db) as s:
        if kind == "collection":
            found = s.exec(select(Collection).where(Collection.name == ref)).first() is not None
        elif kind in ("document", "meeting"):
            table = Document if kind == "document" else Recording
            found = ref.isdigit() and s.get(table, int(ref)) is not None
        else:
            found = True
    if not found:
        raise NotFound("hold.not_found", f"no {kind} '{ref[:60]}'", hint="check the number or name")


def place_hold(app: Appliance, actor: str, kind: str, ref: str, *, reason: str, rrn: str = "",
               email: str = "") -> LegalHold:
    ref = " ".join(ref.split())
    if not reason.strip():
        raise BelfortError("hold.reason", "a legal hold needs a reason", hint="e.g. the case or court reference")
    _check_target(app, kind, ref)
    digest = ""
    if kind == "person":
        who = subject(ref, rrn, email)  # refuses one-letter names and invalid numbers
        digest, email = (rrn_hash(who.rrn) if who.rrn else ""), who.email
    with write_session(app.db) as s:
        hold = LegalHold(kind=kind, ref=ref, rrn_sha256=digest, email=email, reason=reason[:500],
                         created_by=actor)
        s.add(hold)
        s.flush()
        target = f"hold:{hold.id}"
        shown = "person" if kind == "person" else f"{kind}:{ref}"
        s.add(AuditEvent(actor=actor, action="hold.placed", target=target,
                         detail={"covers": shown, "reason": reason[:500]}))
        return hold


def release_hold(app: Appliance, actor: str, hold_id: int, *, reason: str = "") -> None:
    with write_session(app.db) as s:
        hold = s.get(LegalHold, hold_id)
        if hold is None or hold.released_at is not None:
            raise NotFound("hold.not_found", f"no active legal hold {hold_id}")
        hold.released_at, hold.released_by = utcnow(), actor
        s.add(hold)
        s.add(AuditEvent(actor=actor, action="hold.released", target=f"hold:{hold_id}",
                         detail={"reason": reason[:500]}))


def active_holds(app: Appliance) -> list[LegalHold]:
    with read_session(app.db) as s:
        return list(s.exec(select(LegalHold).where(col(LegalHold.released_at).is_(None))
                           .order_by(col(LegalHold.id))).all())


@dataclass
class HoldCheck:
    """The active holds, read once for one run; `hold_of(item)` says which one covers an item."""

    app: Appliance
    keys: dict[str, int]
    people: list[tuple[int, Subject, str]]  # hold id, the person, their number's hash

    def hold_of(self, item: Item) -> int | None:
        for key in (item.ref, *item.holds):
            if key in self.keys:
                return self.keys[key]
        if not self.people or item.kind == "recording":
            return None
        text = text_of(self.app, item)
        numbers = None
        for hold_id, who, digest in self.people:
            if matches(who, text):
                return hold_id
            if digest:
                numbers = numbers if numbers is not None else {rrn_hash(n) for n in numbers_in(text)}
                if digest in numbers:
                    return hold_id
        return None


def hold_check(app: Appliance) -> HoldCheck:
    keys: dict[str, int] = {}
    people: list[tuple[int, Subject, str]] = []
    for h in active_holds(app):
        if h.kind == "person":
            people.append((int(h.id or 0), subject(h.ref, email=h.email), h.rrn_sha256))
        else:
            keys.setdefault(f"{h.kind}:{h.ref}", int(h.id or 0))
    return HoldCheck(app, keys, people)
