"""The human review of drafted minutes: accept, reject or edit each item, add items, approve.

Minutes are AI-made until a person approves them, and approval needs a decision on every item
(none left `proposed`). Every change is an AuditEvent; approved minutes no longer change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from appliance.access import Principal
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Minutes, MinutesItem, TranscriptSegment, utcnow
from appliance.errors import BelfortError, NotFound
from appliance.minutes.verify import clean_vote, parse_deadline

ITEM_STATES = ("proposed", "accepted", "rejected")
ITEM_KINDS = ("summary", "decision", "action")
MAX_ITEM_CHARS = 4000
MAX_OWNER_CHARS = 200

_UNSET: Any = object()


def get_minutes(app: Appliance, minutes_id: int) -> tuple[Minutes, list[MinutesItem]]:
    """The minutes and their items in reading order (agenda item, then ordinal)."""
    with read_session(app.db) as s:
        minutes = s.get(Minutes, minutes_id)
        if minutes is None:
            raise NotFound("minutes.not_found", f"no minutes {minutes_id}")
        items = s.exec(select(MinutesItem).where(MinutesItem.minutes_id == minutes_id)
                       .order_by(col(MinutesItem.ordinal), col(MinutesItem.id))).all()
        return minutes, list(items)


def list_minutes(app: Appliance, *, recording_id: int | None = None, limit: int = 100) -> list[Minutes]:
    """Newest first; optionally those of one recording."""
    with read_session(app.db) as s:
        q = select(Minutes).order_by(col(Minutes.id).desc()).limit(max(1, min(limit, 1000)))
        if recording_id is not None:
            q = q.where(Minutes.recording_id == recording_id)
        return list(s.exec(q).all())


def _open_minutes(s: Session, minutes_id: int) -> Minutes:
    minutes = s.get(Minutes, minutes_id)
    if minutes is None:
        raise NotFound("minutes.not_found", f"no minutes {minutes_id}")
    if minutes.state == "approved":
        raise BelfortError("minutes.already_approved", "these minutes are approved and can no longer change",
                           hint="draft new minutes from the transcript to start over", status=409)
    if minutes.state == "drafting":
        raise BelfortError("minutes.still_drafting", "the draft is still being written",
                           hint="wait until drafting has finished", status=409)
    return minutes


def _item(s: Session, item_id: int) -> tuple[MinutesItem, Minutes]:
    item = s.get(MinutesItem, item_id)
    if item is None:
        raise NotFound("minutes.item_not_found", f"no minutes item {item_id}")
    return item, _open_minutes(s, item.minutes_id)


def _event(s: Session, who: Principal, action: str, minutes_id: int, **detail: Any) -> None:
    s.add(AuditEvent(actor=who.username, action=action, target=f"minutes:{minutes_id}", detail=detail))


def _text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise BelfortError("minutes.empty_text", "an item needs a text", hint="type the item's text")
    if len(text) > MAX_ITEM_CHARS:
        raise BelfortError("minutes.text_too_long", f"an item holds at most {MAX_ITEM_CHARS} characters")
    return text


def _deadline(value: str, meeting_date: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    found = parse_deadline(value, meeting_date)
    if not found:
        raise BelfortError("minutes.bad_deadline", f"'{value[:40]}' is not a date",
                           hint="write the deadline as YYYY-MM-DD")
    return found


def _vote(vote: Any) -> dict[str, int]:
    try:
        return clean_vote(vote)
    except (TypeError, ValueError) as exc:
        raise BelfortError("minutes.bad_vote", str(exc), hint="give whole numbers for, against, abstain") from exc


def set_item_state(app: Appliance, who: Principal, item_id: int, state: str) -> MinutesItem:
    """accepted | rejected | proposed (undo a decision)."""
    if state not in ITEM_STATES:
        raise BelfortError("minutes.bad_state", f"unknown item state '{state}'",
                           hint="one of: " + ", ".join(ITEM_STATES))
    with write_session(app.db) as s:
        item, minutes = _item(s, item_id)
        previous, item.state = item.state, state
        s.add(item)
        _event(s, who, "minutes.item_state", minutes.id or 0, item=item_id, kind=item.kind,
               source=item.source, supported=item.supported, previous=previous, state=state)
        return item


def edit_item(app: Appliance, who: Principal, item_id: int, *, text: str = _UNSET, owner: str = _UNSET,
              deadline: str = _UNSET, vote: dict[str, Any] | None = _UNSET,
              kind: str = _UNSET) -> MinutesItem:
    """Change what a person corrects; only the fields given change. The item is marked edited.

    A person may name any owner (also someone not in the attendee list); deadlines must be dates.
    """
    with write_session(app.db) as s:
        item, minutes = _item(s, item_id)
        changed: list[str] = []
        if text is not _UNSET:
            new = _text(text)
            if new != item.text:
                item.text, item.edited = new, True
                changed.append("text")
        if owner is not _UNSET:
            new_owner = " ".join((owner or "").split())[:MAX_OWNER_CHARS]
            if new_owner != item.owner:
                item.owner = new_owner
                changed.append("owner")
        if deadline is not _UNSET:
            new_deadline = _deadline(deadline, minutes.meeting_date)
            if new_deadline != item.deadline:
                item.deadline = new_deadline
                changed.append("deadline")
        if vote is not _UNSET:
            new_vote = _vote(vote)
            if new_vote != (item.vote or {}):
                item.vote = new_vote
                changed.append("vote")
        if kind is not _UNSET and kind != item.kind:
            if kind not in ITEM_KINDS:
                raise BelfortError("minutes.bad_kind", f"unknown item kind '{kind}'",
                                   hint="one of: " + ", ".join(ITEM_KINDS))
            item.kind = kind
            changed.append("kind")
        if changed:
            item.edited = True
            s.add(item)
            _event(s, who, "minutes.item_edited", minutes.id or 0, item=item_id, fields=changed)
        return item


def add_item(app: Appliance, who: Principal, minutes_id: int, kind: str, text: str, *,
             agenda_number: int = 0, agenda_title: str = "", owner: str = "", deadline: str = "",
             vote: dict[str, Any] | None = None, segment_ids: Sequence[int] = ()) -> MinutesItem:
    """An item a person adds (source human, accepted by its author); may cite transcript segments."""
    if kind not in ITEM_KINDS:
        raise BelfortError("minutes.bad_kind", f"unknown item kind '{kind}'", hint="one of: " + ", ".join(ITEM_KINDS))
    clean = _text(text)
    with write_session(app.db) as s:
        minutes = _open_minutes(s, minutes_id)
        segs = _segments(s, minutes, segment_ids)
        last = s.exec(select(MinutesItem.ordinal).where(MinutesItem.minutes_id == minutes_id)
                      .order_by(col(MinutesItem.ordinal).desc()).limit(1)).first()
        title = agenda_title or next((a.get("title", "") for a in minutes.agenda
                                      if a.get("number") == agenda_number), "")
        item = MinutesItem(minutes_id=minutes_id, ordinal=(last or 0) + 1, kind=kind,
                           agenda_number=agenda_number, agenda_title=str(title)[:500], text=clean,
                           vote=_vote(vote), owner=" ".join(owner.split())[:MAX_OWNER_CHARS],
                           deadline=_deadline(deadline, minutes.meeting_date),
                           segment_ids=[seg.id for seg in segs if seg.id is not None],
                           start=min((seg.start for seg in segs), default=0.0),
                           end=max((seg.end for seg in segs), default=0.0),
                           support=1.0, supported=True, state="accepted", source="human")
        s.add(item)
        s.flush()
        _event(s, who, "minutes.item_added", minutes_id, item=item.id, kind=kind)
        return item


def _segments(s: Session, minutes: Minutes, segment_ids: Sequence[int]) -> list[TranscriptSegment]:
    if not segment_ids:
        return []
    rows = s.exec(select(TranscriptSegment).where(col(TranscriptSegment.id).in_(list(segment_ids)))).all()
    if len(rows) != len(set(segment_ids)) or any(r.recording_id != minutes.recording_id for r in rows):
        raise BelfortError("minutes.bad_segments", "a cited segment is not part of this meeting's transcript",
                           hint="cite segments of this recording")
    return list(rows)


def approve(app: Appliance, who: Principal, minutes_id: int) -> Minutes:
    """Approve the minutes: only when every item has been accepted or rejected."""
    with write_session(app.db) as s:
        minutes = _open_minutes(s, minutes_id)
        if minutes.state != "draft":
            raise BelfortError("minutes.not_a_draft", f"minutes in state '{minutes.state}' cannot be approved",
                               hint="draft the minutes again", status=409)
        items = s.exec(select(MinutesItem).where(MinutesItem.minutes_id == minutes_id)).all()
        pending = [i for i in items if i.state == "proposed"]
        if pending:
            raise BelfortError("minutes.items_pending",
                               f"{len(pending)} item(s) still await a decision",
                               hint="accept or reject every item before approving", status=409)
        minutes.state, minutes.approved_by, minutes.approved_at = "approved", who.username, utcnow()
        s.add(minutes)
        _event(s, who, "minutes.approved", minutes_id, recording_id=minutes.recording_id,
               model=minutes.model, model_sha256=minutes.model_sha256, prompt_version=minutes.prompt_version,
               accepted=sum(i.state == "accepted" for i in items),
               rejected=sum(i.state == "rejected" for i in items),
               edited=sum(i.edited for i in items), added=sum(i.source == "human" for i in items),
               unsupported_accepted=sum(i.state == "accepted" and not i.supported for i in items))
        return minutes
