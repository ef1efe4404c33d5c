"""What a meeting records for publication, completed by the secretary: the governing body, planned
and actual times, location, chair, secretary and who was present; per agenda item whether it is
public, its type and who arrived or left; per decision its texts and the details of its vote.

Every value is checked on the way in: people come from the meeting body's mandatarissen, a meeting
cannot end before it starts, a vote's counts add up to those present, named voters match the counts
and a secret vote names nobody. The record changes only while the minutes are not yet approved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from appliance.access import Principal
from appliance.db.engine import read_session, write_session
from appliance.db.tables import (
    AgendaItemRecord,
    AuditEvent,
    DecisionRecord,
    MeetingRecord,
    Minutes,
    MinutesItem,
)
from appliance.errors import BelfortError, NotFound
from appliance.mandates.service import Body, Person, body_of

if TYPE_CHECKING:
    from appliance.context import Appliance

MAX_TEXT = 20000
MEETING_FIELDS = ("body_uri", "planned_start", "planned_end", "started_at", "ended_at", "location",
                  "chair_uri", "secretary_uri", "present_at_start")
TIME_FIELDS = ("planned_start", "planned_end", "started_at", "ended_at")
# besluit:Agendapunt.type: the concepts LBLOD's Gelinkt Notuleren publishes agenda items with
# (lblod/notulen-prepublish-service: KIND_GEPLAND_UUID, KIND_AANVULLENDE_UUID, KIND_SPOEDEISENDE_UUID).
AGENDA_ITEM_TYPES = {
    "gepland": "http://lblod.data.gift/concepts/bdf68a65-ce15-42c8-ae1b-19eeb39e20d0",
    "aanvullend": "http://lblod.data.gift/concepts/b122db75-fd93-4f03-b57a-2a9269289782",
    "spoedeisend": "http://lblod.data.gift/concepts/8c143571-175c-4d13-acaa-9f471180a8c9",
}


@dataclass
class Record:
    """One meeting's minutes with everything publication reads, detached from the session."""

    minutes: Minutes
    items: list[MinutesItem]  # accepted items, reading order
    meeting: MeetingRecord
    agenda: dict[int, AgendaItemRecord] = field(default_factory=dict)
    decisions: dict[int, DecisionRecord] = field(default_factory=dict)  # by MinutesItem id
    body: Body | None = None

    @property
    def people(self) -> dict[str, Person]:
        return {p.uri: p for p in (self.body.people if self.body else [])}

    def agenda_numbers(self) -> list[int]:
        numbers = {int(a.get("number", 0) or 0) for a in self.minutes.agenda or []}
        numbers |= {i.agenda_number for i in self.items}
        return sorted(n for n in numbers if n > 0) + ([0] if 0 in numbers else [])

    def agenda_title(self, number: int) -> str:
        for a in self.minutes.agenda or []:
            if int(a.get("number", 0) or 0) == number and a.get("title"):
                return str(a["title"])
        return next((i.agenda_title for i in self.items if i.agenda_number == number and i.agenda_title), "")

    def item_record(self, number: int) -> AgendaItemRecord:
        return self.agenda.get(number) or AgendaItemRecord(minutes_id=self.minutes.id or 0, agenda_number=number)

    def decision_record(self, item: MinutesItem) -> DecisionRecord:
        return self.decisions.get(item.id or 0) or DecisionRecord(item_id=item.id or 0)

    def attendees(self, number: int) -> list[str]:
        """Who was present at the treatment of agenda item `number`: present at the start, then who
        arrived or left at each item up to and including this one."""
        present = list(self.meeting.present_at_start or [])
        for n in self.agenda_numbers():
            rec = self.agenda.get(n)
            if rec is not None:
                present += [u for u in rec.arrived or [] if u not in present]
                present = [u for u in present if u not in (rec.left or [])]
            if n == number:
                break
        return present

    def decisions_of(self, number: int) -> list[MinutesItem]:
        return [i for i in self.items if i.kind == "decision" and i.agenda_number == number]


def load_record(app: Appliance, minutes_id: int) -> Record:
    with read_session(app.db) as s:
        minutes = s.get(Minutes, minutes_id)
        if minutes is None:
            raise NotFound("minutes.not_found", f"no minutes {minutes_id}")
        items = [i for i in s.exec(select(MinutesItem).where(MinutesItem.minutes_id == minutes_id)).all()
                 if i.state == "accepted"]
        items.sort(key=lambda i: (i.agenda_number == 0, i.agenda_number, i.ordinal, i.id or 0))
        meeting = s.exec(select(MeetingRecord).where(MeetingRecord.minutes_id == minutes_id)).first()
        agenda = {a.agenda_number: a for a in s.exec(select(AgendaItemRecord)
                                                    .where(AgendaItemRecord.minutes_id == minutes_id)).all()}
        ids = [i.id for i in items]
        decisions = {d.item_id: d for d in s.exec(select(DecisionRecord)).all() if d.item_id in ids}
    meeting = meeting or MeetingRecord(minutes_id=minutes_id)
    record = Record(minutes, items, meeting, agenda, decisions)
    record.body = body_of(app, meeting.body_uri) if meeting.body_uri else None
    return record


def _open(s: Session, minutes_id: int) -> Minutes:
    minutes = s.get(Minutes, minutes_id)
    if minutes is None:
        raise NotFound("minutes.not_found", f"no minutes {minutes_id}")
    if minutes.state == "approved":
        raise BelfortError("lblod.approved", "approved minutes no longer change", status=409,
                           hint="complete the meeting's record before the minutes are approved")
    return minutes


def parse_time(value: str, name: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise BelfortError("lblod.bad_time", f"{name}: not a date and time ({value[:40]})",
                           hint="use YYYY-MM-DDTHH:MM, e.g. 2026-03-02T19:30") from exc


def _check_times(values: dict[str, Any]) -> None:
    times = {k: parse_time(str(values.get(k, "")), k) for k in TIME_FIELDS}
    for start, end in (("planned_start", "planned_end"), ("started_at", "ended_at")):
        if times[start] and times[end] and times[end] < times[start]:  # type: ignore[operator]
            raise BelfortError("lblod.ends_before_start", f"{end} ({values[end]}) is before {start} ({values[start]})",
                               hint="a meeting ends after it starts")
    for k, v in times.items():
        values[k] = v.isoformat(timespec="minutes") if v else ""


def _check_people(body: Body | None, uris: list[str], what: str) -> None:
    known = {p.uri for p in body.people} if body else set()
    unknown = [u for u in uris if u and u not in known]
    if unknown:
        raise BelfortError("lblod.not_a_member", f"{what}: {', '.join(unknown[:3])} is not a mandataris of the "
                           "meeting's body", hint="pick people from the governing body's mandatarissen")


def save_meeting(app: Appliance, who: Principal, minutes_id: int, **values: Any) -> MeetingRecord:
    unknown = set(values) - set(MEETING_FIELDS)
    if unknown:
        raise BelfortError("lblod.bad_field", f"unknown field(s): {', '.join(sorted(unknown))}")
    body = body_of(app, values.get("body_uri", "")) if values.get("body_uri") else None
    if values.get("body_uri") and body is None:
        raise BelfortError("lblod.unknown_body", "no governing body with that URI",
                           hint="import the Mandatendatabank export: belfort mandates import FILE")
    _check_times(values)
    values["location"] = " ".join(str(values.get("location", "")).split())[:500]
    values["present_at_start"] = list(dict.fromkeys(values.get("present_at_start") or []))
    _check_people(body, values["present_at_start"] + [values.get("chair_uri", ""),
                                                      values.get("secretary_uri", "")], "attendee")
    with write_session(app.db) as s:
        _open(s, minutes_id)
        row = s.exec(select(MeetingRecord).where(MeetingRecord.minutes_id == minutes_id)).first()
        row = row or MeetingRecord(minutes_id=minutes_id)
        for key in MEETING_FIELDS:
            setattr(row, key, values.get(key, "" if key != "present_at_start" else []))
        s.add(row)
        s.add(AuditEvent(actor=who.username, action="lblod.meeting", target=f"minutes:{minutes_id}",
                         detail={k: values.get(k) for k in MEETING_FIELDS if k != "present_at_start"}))
        return row


def save_agenda_item(app: Appliance, who: Principal, minutes_id: int, number: int, *, public: bool,
                     item_type: str = "", arrived: list[str] | None = None,
                     left: list[str] | None = None) -> AgendaItemRecord:
    record = load_record(app, minutes_id)
    if number not in record.agenda_numbers():
        raise BelfortError("lblod.no_agenda_item", f"the minutes have no agenda item {number}")
    arrived, left = list(dict.fromkeys(arrived or [])), list(dict.fromkeys(left or []))
    _check_people(record.body, arrived + left, "arriving or leaving")
    if item_type and item_type not in AGENDA_ITEM_TYPES.values() and item_type != record.item_record(number).item_type:
        raise BelfortError("lblod.bad_type", "the agenda item type is one of the LBLOD agendapunt types",
                           hint=f"one of: {', '.join(AGENDA_ITEM_TYPES)}")
    with write_session(app.db) as s:
        _open(s, minutes_id)
        row = s.exec(select(AgendaItemRecord).where(AgendaItemRecord.minutes_id == minutes_id,
                                                    AgendaItemRecord.agenda_number == number)).first()
        row = row or AgendaItemRecord(minutes_id=minutes_id, agenda_number=number)
        row.public, row.item_type, row.arrived, row.left = public, item_type, arrived, left
        s.add(row)
        s.add(AuditEvent(actor=who.username, action="lblod.agenda_item", target=f"minutes:{minutes_id}",
                         detail={"number": number, "public": public}))
        return row


def _text(value: str, name: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise BelfortError("lblod.text_too_long", f"{name} holds at most {MAX_TEXT} characters")
    return value


def check_vote(vote: dict[str, Any], attendees: list[str], *, secret: bool,
               named: dict[str, list[str]]) -> None:
    """A vote's counts add up to those present; named voters (public votes only) match the counts."""
    counts = {k: int(vote.get(k, 0) or 0) for k in ("for", "against", "abstain")}
    if attendees and any(k in vote for k in counts) and sum(counts.values()) != len(attendees):
        raise BelfortError("lblod.vote_count", f"{sum(counts.values())} votes cast but {len(attendees)} present",
                           hint="the votes for, against and abstaining add up to the attendees of the item")
    voters = [u for names in named.values() for u in names]
    if secret and voters:
        raise BelfortError("lblod.secret_named", "a secret vote names no voters")
    if not voters:
        return
    if len(set(voters)) != len(voters):
        raise BelfortError("lblod.voted_twice", "someone is named twice in one vote")
    for key, names in named.items():
        if len(names) != counts[key]:
            raise BelfortError("lblod.voters_mismatch", f"{len(names)} named voters '{key}' but the count is "
                               f"{counts[key]}", hint="name every voter, or none")
    absent = [u for u in voters if attendees and u not in attendees]
    if absent:
        raise BelfortError("lblod.voter_absent", "a named voter was not present at this agenda item")


def save_decision(app: Appliance, who: Principal, item_id: int, **values: Any) -> DecisionRecord:
    with read_session(app.db) as s:
        item = s.get(MinutesItem, item_id)
    if item is None or item.kind != "decision":
        raise NotFound("minutes.item_not_found", f"no decision {item_id}")
    record = load_record(app, item.minutes_id)
    named = {k: list(values.get(f"voters_{k}") or []) for k in ("for", "against", "abstain")}
    attendees = record.attendees(item.agenda_number)
    _check_people(record.body, [u for v in named.values() for u in v], "voter")
    check_vote(item.vote or {}, attendees, secret=bool(values.get("secret")), named=named)
    with write_session(app.db) as s:
        _open(s, item.minutes_id)
        row = s.exec(select(DecisionRecord).where(DecisionRecord.item_id == item_id)).first()
        row = row or DecisionRecord(item_id=item_id)
        for key in ("title", "description", "motivation", "legal_text", "outcome"):
            setattr(row, key, _text(str(values.get(key, "")), key))
        row.secret = bool(values.get("secret"))
        row.voters_for, row.voters_against, row.voters_abstain = named["for"], named["against"], named["abstain"]
        s.add(row)
        s.add(AuditEvent(actor=who.username, action="lblod.decision", target=f"minutes:{item.minutes_id}",
                         detail={"item": item_id, "secret": row.secret}))
        return row
