"""The items governance acts on, read the same way for retention, legal holds and subject requests.

An Item names one thing (a document, a triage item, an outgoing mail, a meeting's transcript or its
audio, a ticket, an answer record, a pseudonym map), its dates (for retention rules), where it lives
(collection or category, for rule scopes) and the hold keys that cover it ("document:12",
"collection:brieven", "meeting:3"). Its text, for matching a person, is read on demand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import (
    AnswerRecord,
    Chunk,
    Collection,
    Document,
    Minutes,
    MinutesItem,
    OutboxMessage,
    Recording,
    Ticket,
    TranscriptSegment,
    TriageItem,
)

# Retention targets -> (item kind, date fields a rule may count from; the first is the default).
TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "documents": ("document", ("created_at", "updated_at")),
    "triage": ("triage", ("received_at", "routed_at")),
    "answers": ("answer", ("at",)),
    "tickets": ("ticket", ("created_at", "closed_at", "updated_at")),
    "transcripts": ("transcript", ("created_at", "finished_at")),
    "recordings": ("recording", ("created_at", "finished_at")),
}
KINDS = ("document", "pseudonym_map", "triage", "mail", "transcript", "minutes", "recording", "ticket", "answer")


def aware(dt: datetime | str | None) -> datetime | None:
    if dt is None or dt == "":
        return None
    if isinstance(dt, str):
        dt = datetime.fromisoformat(dt)
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


@dataclass
class Item:
    kind: str
    id: int
    title: str = ""
    where: str = ""
    dates: dict[str, datetime | None] = field(default_factory=dict)
    holds: tuple[str, ...] = ()
    text: str | None = None  # None: not read yet (documents: their chunks)
    settled: bool = False  # already anonymised (or its transcript deleted): retention leaves it be

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"

    def as_dict(self) -> dict[str, object]:
        first = next((d for d in self.dates.values() if d is not None), None)
        return {"kind": self.kind, "id": self.id, "ref": self.ref, "title": self.title, "where": self.where,
                "date": first.isoformat() if first else None}


def _documents(s: Session) -> Iterator[Item]:
    names = {c.id: c.name for c in s.exec(select(Collection)).all()}
    for d in s.exec(select(Document).order_by(col(Document.id))).all():
        holds = [f"document:{d.id}", f"collection:{names.get(d.collection_id, '')}"]
        if d.parent_id:
            holds.append(f"document:{d.parent_id}")
        yield Item("document", int(d.id or 0), d.title or d.source_path, names.get(d.collection_id, ""),
                   {"created_at": aware(d.created_at), "updated_at": aware(d.updated_at)}, tuple(holds),
                   settled=bool((d.meta or {}).get("anonymised")))


def _triage(s: Session) -> Iterator[Item]:
    names = {c.id: c.name for c in s.exec(select(Collection)).all()}
    where = {d.id: names.get(d.collection_id, "") for d in s.exec(select(Document)).all()}
    for t in s.exec(select(TriageItem).order_by(col(TriageItem.id))).all():
        attached = [int(i) for i in (t.attachment_document_ids or [])]  # their holds cover the mail too
        holds = tuple([f"document:{i}" for i in attached] + [f"collection:{where[i]}" for i in attached if i in where])
        text = f"{t.sender}\n{t.sender_name}\n{t.subject}\n{t.text}"
        yield Item("triage", int(t.id or 0), t.subject, t.category or t.suggested,
                   {"received_at": aware(t.received_at), "routed_at": aware(t.routed_at)}, holds, text,
                   settled=bool((t.meta or {}).get("anonymised")))


def _mails(s: Session) -> Iterator[Item]:
    for m in s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all():
        yield Item("mail", int(m.id or 0), m.subject, m.ref, {"created_at": aware(m.created_at)}, (),
                   f"{m.target}\n{m.subject}\n{m.body}", settled=not m.target)


def _own_audio(folder: Path, r: Recording) -> bool:
    """Belfort deletes only audio it stored itself (not a file transcribed in place: a person's own)."""
    try:
        return bool(r.source_path) and Path(r.source_path).resolve().is_relative_to(folder)
    except (OSError, RuntimeError):
        return False


def _recordings(s: Session, kind: str, folder: Path) -> Iterator[Item]:
    for r in s.exec(select(Recording).order_by(col(Recording.id))).all():
        if kind == "recording" and (r.audio_deleted_at is not None or not _own_audio(folder, r)):
            continue
        dates = {"created_at": aware(r.created_at), "finished_at": aware(r.finished_at)}
        yield Item(kind, int(r.id or 0), r.source_name, str(r.collection_id or ""), dates, (f"meeting:{r.id}",),
                   None if kind == "transcript" else r.source_name,
                   settled=kind == "transcript" and r.source_name == f"recording-{r.id}")


def _minutes(s: Session) -> Iterator[Item]:
    for m in s.exec(select(Minutes).order_by(col(Minutes.id))).all():
        rows = s.exec(select(MinutesItem).where(MinutesItem.minutes_id == m.id)).all()
        text = "\n".join([m.title, *m.attendees, *(f"{i.text} {i.owner}" for i in rows)])
        holds = (f"meeting:{m.recording_id}",) if m.recording_id else ()
        yield Item("minutes", int(m.id or 0), m.title, m.body, {"created_at": aware(m.created_at)}, holds, text)


def _tickets(s: Session) -> Iterator[Item]:
    for t in s.exec(select(Ticket).order_by(col(Ticket.id))).all():
        text = f"{t.asker}\n{t.question}\n{t.answer}\n{t.note}\n{t.reply}"
        dates = {"created_at": aware(t.created_at), "closed_at": aware(t.closed_at),
                 "updated_at": aware(t.updated_at)}
        yield Item("ticket", int(t.id or 0), t.question[:80], t.collection, dates, (), text,
                   settled=not t.asker and not t.forwarded_by)


def _answers(s: Session) -> Iterator[Item]:
    rows = s.exec(select(AnswerRecord).where(col(AnswerRecord.kind) != "erasure",
                                             AnswerRecord.erased_at == "").order_by(col(AnswerRecord.id))).all()
    for a in rows:
        text = f"{a.username}\n{a.question}\n{a.answer}\n{_payload_text(a.payload)}"
        ref = (f"answer:{a.ref_id}",) if a.ref_id else ()
        yield Item("answer", int(a.id or 0), a.question[:80] or a.kind, a.kind, {"at": aware(a.at)}, ref, text)


def _payload_text(payload: str) -> str:
    try:
        data = json.loads(payload or "{}")
    except ValueError:
        return ""
    return str(data.get("comment", "")) if isinstance(data, dict) else ""


def collections(app: Appliance) -> list[Collection]:
    with read_session(app.db) as s:
        return list(s.exec(select(Collection)).all())


def items_of(app: Appliance, kind: str) -> list[Item]:
    """Every item of one kind (pseudonym maps excepted: see subject.search)."""
    with read_session(app.db) as s:
        if kind == "document":
            return list(_documents(s))
        if kind == "triage":
            return list(_triage(s))
        if kind == "mail":
            return list(_mails(s))
        if kind in ("transcript", "recording"):
            return list(_recordings(s, kind, app.layout.recordings.resolve()))
        if kind == "ticket":
            return list(_tickets(s))
        if kind == "minutes":
            return list(_minutes(s))
        if kind == "answer":
            return list(_answers(s))
    return []


def fill_document_texts(app: Appliance, items: list[Item]) -> None:
    """Read the text of many documents in one pass over the chunks (a subject search reads them all)."""
    parts: dict[int, list[str]] = {}
    with read_session(app.db) as s:
        heads = {int(d.id or 0): f"{d.title}\n{d.source_path}" for d in s.exec(select(Document)).all()}
        for doc_id, text in s.exec(select(Chunk.document_id, Chunk.text).order_by(col(Chunk.id))).all():
            parts.setdefault(int(doc_id), []).append(text)
    for item in items:
        if item.kind == "document" and item.text is None:
            item.text = "\n".join([heads.get(item.id, ""), *parts.get(item.id, [])])


def text_of(app: Appliance, item: Item) -> str:
    """The item's text, read now for documents (every chunk, OCR text included) and transcripts."""
    if item.text is not None:
        return item.text
    with read_session(app.db) as s:
        if item.kind == "document":
            doc = s.get(Document, item.id)
            chunks = s.exec(select(Chunk.text).where(Chunk.document_id == item.id).order_by(col(Chunk.id))).all()
            head = f"{doc.title}\n{doc.source_path}\n" if doc else ""
            item.text = head + "\n".join(chunks)
        elif item.kind == "transcript":
            segs = s.exec(select(TranscriptSegment).where(TranscriptSegment.recording_id == item.id)
                          .order_by(col(TranscriptSegment.start))).all()
            item.text = "\n".join(f"{g.speaker} {g.text}" for g in segs)
        else:
            item.text = ""
    return item.text
