"""What themes are made of: the entries one person may read, with their department and place.

Reads are permission-checked here, before anything is clustered, counted or labelled: triage items
for the group `triage` and administrators; Ask questions and thumbs-down comments (only where the
settings include them) for the person who asked and administrators. A theme is built from readable
entries only, so neither its examples, its counts nor its label's words come from an entry the viewer
may not read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import col, select

from appliance import privacy
from appliance.access import Principal
from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import AnswerRecord, TriageItem
from appliance.triage import Taxonomy, may_triage

MAX_TEXT = 2000  # characters of an entry that are embedded and counted for labels
_NUMBER = re.compile(r"[\s,]*\d+\s*[a-zA-Z]?(?:\s*(?:bus|b)\s*\d+)?$")
_POSTCODE = re.compile(r"^(?:B-)?[1-9]\d{3}\s+(.+)$")
_POSTCODE_LAST = re.compile(r"^(.+?)\s+[1-9]\d{3}$")  # "Brussel 1000"
_STREET_PART = re.compile(r"[^\d\n]*\d+\s*[a-zA-Z]?(?:\s*(?:bus|b)\s*\d+)?")


@dataclass(frozen=True)
class Entry:
    kind: str  # item | question | feedback
    id: int
    at: datetime  # aware UTC
    text: str
    title: str  # what a reader sees as the example (subject, question)
    department: str = ""
    category: str = ""
    street: str = ""
    district: str = ""  # deelgemeente (postcode area) or a configured district name

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def place_of(text: str, districts: Iterable[str] = ()) -> tuple[str, str]:
    """(street, deelgemeente) named in `text`, '' where none: the address rules of the PII detector, so
    a street is only taken with a house number, a deelgemeente after its postcode or by a configured name."""
    street = district = ""
    for span in sorted(privacy.street_addresses(text), key=lambda s: (s.start, s.score)):
        # the street part: up to its house number (a full address's place comes from `places`)
        part = _STREET_PART.match(text, span.start)
        street = _NUMBER.sub("", part.group(0) if part else text[span.start:span.end]).strip()
        break
    for span in sorted(privacy.places(text), key=lambda s: s.start):
        found = text[span.start:span.end].strip()
        m = _POSTCODE.match(found) or _POSTCODE_LAST.match(found)
        if m:
            district = m.group(1).strip()
            break
    if not district:
        lowered = text.lower()
        for name in districts:
            if name and re.search(r"(?<!\w)" + re.escape(name.lower()) + r"(?!\w)", lowered):
                district = name
                break
    return street[:80], district[:60]


def _item_entries(app: Appliance, since: datetime, until: datetime, taxonomy: Taxonomy | None,
                  districts: list[str]) -> list[Entry]:
    with read_session(app.db) as s:
        items = s.exec(select(TriageItem).where(col(TriageItem.received_at) >= since,
                                                col(TriageItem.received_at) < until)
                       .order_by(col(TriageItem.id))).all()
    out = []
    for i in items:
        category = i.category or i.suggested
        dept = i.department
        if not dept and taxonomy is not None and (cat := taxonomy.get(category)) is not None:
            dept = cat.department
        text = f"{i.subject}\n{i.text}".strip()[:MAX_TEXT]
        street, district = place_of(text, districts)
        out.append(Entry("item", int(i.id or 0), _aware(i.received_at), text, i.subject or text[:80],
                         dept, category, street, district))
    return out


def _ask_entries(app: Appliance, who: Principal, since: datetime, until: datetime, *, questions: bool,
                 feedback: bool, districts: list[str]) -> list[Entry]:
    kinds = [k for k, on in (("answer", questions), ("feedback", feedback)) if on]
    if not kinds:
        return []
    with read_session(app.db) as s:
        query = select(AnswerRecord).where(col(AnswerRecord.kind).in_(kinds),
                                           col(AnswerRecord.at) >= since.isoformat(),
                                           col(AnswerRecord.at) < until.isoformat())
        if not who.is_admin:  # the asker's own records only, as everywhere Ask records are read
            query = query.where(AnswerRecord.username == who.username)
        rows = s.exec(query.order_by(col(AnswerRecord.id))).all()
    out = []
    for r in rows:
        at = _aware(datetime.fromisoformat(r.at))
        if r.kind == "answer":
            text = r.question.strip()[:MAX_TEXT]
            kind = "question"
        else:
            data = json.loads(r.payload or "{}")
            if data.get("helpful", True) or not str(data.get("comment") or "").strip():
                continue  # only thumbs-down with a comment say something about a theme
            text, kind = str(data["comment"]).strip()[:MAX_TEXT], "feedback"
        if text:
            street, district = place_of(text, districts)
            out.append(Entry(kind, int(r.id or 0), at, text, text[:120], "", "", street, district))
    return out


def readable_entries(app: Appliance, who: Principal, since: datetime, until: datetime,
                     taxonomy: Taxonomy | None) -> list[Entry]:
    """The entries of [since, until) that `who` may read, oldest first (ties by kind and id)."""
    cfg = app.settings.insight
    districts = list(cfg.districts)
    out: list[Entry] = []
    if may_triage(app, who):
        out += _item_entries(app, since, until, taxonomy, districts)
    out += _ask_entries(app, who, since, until, questions=cfg.include_questions,
                        feedback=cfg.include_feedback, districts=districts)
    out.sort(key=lambda e: (e.at, e.kind, e.id))
    return out
