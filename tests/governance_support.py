"""Items of every kind, written with the dates a test chooses (the clock is the test's `now`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from appliance.audit.log import _append, canonical
from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import AnswerRecord, Document, OutboxMessage, Recording, Ticket, TranscriptSegment
from appliance.documents.ingest import ensure_collection, ingest_file
from tests.filefactory import make_text
from tests.unit.triage_items import add_item

NOW = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def document(app: Appliance, tmp: Path, name: str, text: str, *, collection: str = "brieven",
             age_days: float = 0) -> int:
    ensure_collection(app, collection, groups=("iedereen",))
    outcome = ingest_file(app, make_text(tmp / "src" / f"{name}.txt", text), collection)
    assert outcome.document_id
    with write_session(app.db) as s:
        doc = s.get(Document, outcome.document_id)
        assert doc is not None
        doc.created_at = doc.updated_at = ago(age_days)
        s.add(doc)
    return outcome.document_id


def triage_item(app: Appliance, subject: str, text: str, *, age_days: float = 0, category: str = "afval",
                sender: str = "burger@example.org", sender_name: str = "") -> int:
    return add_item(app, subject, text, suggested=category, category=category, received_at=ago(age_days),
                    sender=sender, sender_name=sender_name)


def mail(app: Appliance, target: str, subject: str, body: str, *, age_days: float = 0) -> int:
    with write_session(app.db) as s:
        m = OutboxMessage(target=target, subject=subject, body=body, created_at=ago(age_days), state="sent")
        s.add(m)
        s.flush()
        return int(m.id or 0)


def transcript(app: Appliance, lines: list[str], *, age_days: float = 0) -> int:
    with write_session(app.db) as s:
        rec = Recording(sha256=f"{len(lines)}{age_days}", source_name="raad.wav", state="done",
                        created_at=ago(age_days), finished_at=ago(age_days))
        s.add(rec)
        s.flush()
        for i, line in enumerate(lines):
            s.add(TranscriptSegment(recording_id=rec.id, start=i * 5.0, end=i * 5.0 + 4, text=line, speaker="S1"))
        return int(rec.id or 0)


def answer(app: Appliance, question: str, answer_text: str = "Zie het reglement [1].", *,
           age_days: float = 0, user: str = "alice") -> int:
    """An answer record appended to the chain with the test's time (the time is hashed, so it is set
    before appending rather than changed after)."""
    with write_session(app.db) as s:
        rec = _append(s, AnswerRecord(at=ago(age_days).isoformat(timespec="microseconds"), kind="answer",
                                      username=user, question=question, answer=answer_text, status="answered",
                                      model="m", payload=canonical({"sources": []})))
        return int(rec.id or 0)


def ticket(app: Appliance, question: str, *, asker: str = "alice", age_days: float = 0) -> int:
    with write_session(app.db) as s:
        t = Ticket(answer_id=0, asker=asker, question=question, answer="...", created_at=ago(age_days),
                   updated_at=ago(age_days))
        s.add(t)
        s.flush()
        return int(t.id or 0)
