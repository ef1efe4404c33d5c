"""Answer audit trail: append-only, hash-chained records (one per answer, one per feedback).

Each record's `hash` is the sha256 of the canonical JSON of all its other columns, `prev_hash`
(the previous record's hash) included. Editing any stored field, or deleting or reordering a
record in the middle, breaks the chain; `verify_chain` finds the first broken record. This module
deliberately offers no update or delete: feedback is a new record that refers to its answer.
(Truncating the newest records is only detectable against an exported head hash; `head()` gives it.)

Erasure (GDPR art. 17, retention): records made since migration 41 hash `content_sha256`, the digest
of their personal content (username, question, answer, payload), instead of that content itself. The
content can then be erased (appliance.audit.erasure) while the record's own hash, and so the chain,
still verifies; the erasure is itself a chained record (kind "erasure") naming the erased ids, so an
erasure nobody recorded is a broken chain. Older records hash their content directly: once erased,
only their links are checked (their hash stays, its preimage is gone).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from appliance.access import Principal
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AnswerRecord
from appliance.errors import BelfortError, NotFound
from appliance.storage.csv_safe import formula_safe

GENESIS = "0" * 64
_HASHED = ("id", "at", "kind", "username", "ref_id", "question", "answer", "status", "model",
           "model_sha256", "payload", "prev_hash")
_CONTENT = ("username", "question", "answer", "payload")
_HASHED_V2 = ("id", "at", "kind", "ref_id", "status", "model", "model_sha256", "prev_hash", "content_sha256")
EXPORT_FIELDS = ("id", "at", "kind", "username", "ref_id", "question", "answer", "status", "model",
                 "model_sha256", "payload", "prev_hash", "content_sha256", "erased_at", "hash")


def canonical(data: Any) -> str:
    """One JSON spelling per value: sorted keys, no spaces, UTF-8 kept (what gets hashed)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_digest(rec: AnswerRecord) -> str:
    body = canonical({k: getattr(rec, k) for k in _CONTENT})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record_hash(rec: AnswerRecord) -> str:
    fields = _HASHED_V2 if rec.content_sha256 else _HASHED
    body = canonical({k: getattr(rec, k) for k in fields})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _append(session: Session, rec: AnswerRecord) -> AnswerRecord:
    """Link `rec` to the newest record and store it. Needs a write session (BEGIN IMMEDIATE), so
    two appenders never read the same predecessor."""
    last = session.exec(select(AnswerRecord).order_by(col(AnswerRecord.id).desc()).limit(1)).first()
    rec.id = (last.id or 0) + 1 if last else 1
    rec.prev_hash = last.hash if last else GENESIS
    rec.content_sha256 = content_digest(rec)
    rec.hash = record_hash(rec)
    session.add(rec)
    session.flush()
    return rec


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def record_answer(
    app: Appliance, who: Principal, *, question: str, answer: str, status: str, model: str = "",
    model_sha256: str = "", details: dict[str, Any] | None = None,
) -> int:
    """Append one answer's record; `details` holds sources, citations, checks, parameters, latency."""
    payload = canonical(details or {})
    with write_session(app.db) as session:
        rec = _append(session, AnswerRecord(
            at=_now(), kind="answer", username=who.username, question=question, answer=answer,
            status=status, model=model, model_sha256=model_sha256, payload=payload,
        ))
        return int(rec.id or 0)


def record_feedback(app: Appliance, who: Principal, answer_id: int, *, helpful: bool,
                    comment: str = "") -> int:
    """Feedback is its own record pointing at the answer: the answer record is never touched."""
    if len(comment) > 4000:
        raise BelfortError("audit.comment_too_long", "the comment is longer than 4000 characters",
                           hint="shorten the comment")
    with write_session(app.db) as session:
        target = session.get(AnswerRecord, answer_id)
        # Only the person who asked (or an admin) may rate an answer; others see "not found".
        if target is None or target.kind != "answer" or (
            target.username != who.username and not who.is_admin
        ):
            raise NotFound("audit.not_found", f"no answer {answer_id}")
        rec = _append(session, AnswerRecord(
            at=_now(), kind="feedback", username=who.username, ref_id=answer_id,
            payload=canonical({"helpful": bool(helpful), "comment": comment}),
        ))
        return int(rec.id or 0)


def _iter_records(session: Session, batch: int = 500) -> Iterator[AnswerRecord]:
    last = 0
    while True:
        rows = session.exec(select(AnswerRecord).where(col(AnswerRecord.id) > last)
                            .order_by(col(AnswerRecord.id)).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = int(rows[-1].id or 0)


def _intact(rec: AnswerRecord, erased: set[int]) -> bool:
    if rec.erased_at:
        if rec.id not in erased:  # content gone without an erasure record: tampering
            return False
        return not rec.content_sha256 or record_hash(rec) == rec.hash  # older records: links only
    if rec.content_sha256 and content_digest(rec) != rec.content_sha256:
        return False
    return record_hash(rec) == rec.hash


def _erased_ids(session: Session) -> set[int]:
    """Ids named by erasure records (whose own hashes the walk checks like any other record's)."""
    out: set[int] = set()
    for rec in session.exec(select(AnswerRecord).where(AnswerRecord.kind == "erasure")).all():
        try:
            out.update(int(i) for i in json.loads(rec.payload or "{}").get("ids", []))
        except (ValueError, TypeError, AttributeError):
            continue
    return out


def verify_chain(app: Appliance) -> tuple[bool, int | None]:
    """(True, None) when every record hashes right and links to its predecessor; else (False, id)
    of the first record that does not."""
    prev = GENESIS
    with read_session(app.db) as session:
        erased = _erased_ids(session)
        for rec in _iter_records(session):
            if rec.prev_hash != prev or not _intact(rec, erased):
                return False, rec.id
            prev = rec.hash
    return True, None


def head(app: Appliance) -> tuple[int, str]:
    """(count, newest hash): keep it outside the appliance to detect truncation later."""
    with read_session(app.db) as session:
        last = session.exec(select(AnswerRecord).order_by(col(AnswerRecord.id).desc()).limit(1)).first()
        return (int(last.id or 0), last.hash) if last else (0, GENESIS)


def get_record(app: Appliance, who: Principal, record_id: int) -> dict[str, Any]:
    with read_session(app.db) as session:
        rec = session.get(AnswerRecord, record_id)
        if rec is None or (rec.username != who.username and not who.is_admin):
            raise NotFound("audit.not_found", f"no audit record {record_id}")
        return _as_dict(rec)


def search_records(app: Appliance, who: Principal, *, text: str = "", username: str = "",
                   kind: str = "", limit: int = 100) -> list[dict[str, Any]]:
    """Admins search the audit trail (newest first); it is theirs to read, nobody's to edit."""
    if not who.is_admin:
        raise BelfortError("audit.admin_only", "only administrators read the audit trail", status=403)
    with read_session(app.db) as session:
        q = select(AnswerRecord).order_by(col(AnswerRecord.id).desc()).limit(max(1, min(limit, 1000)))
        if username:
            q = q.where(AnswerRecord.username == username)
        if kind:
            q = q.where(AnswerRecord.kind == kind)
        if text:
            like = f"%{text}%"
            # ilike: case-insensitive on PostgreSQL too, as SQLite's LIKE is
            q = q.where(col(AnswerRecord.question).ilike(like) | col(AnswerRecord.answer).ilike(like))
        return [_as_dict(r) for r in session.exec(q).all()]


def _as_dict(rec: AnswerRecord) -> dict[str, Any]:
    out = {k: getattr(rec, k) for k in EXPORT_FIELDS}
    out["payload"] = json.loads(rec.payload or "{}")
    return out


def export(app: Appliance, fmt: str = "json") -> str:
    """The whole trail as JSON lines or CSV (payload kept as its canonical JSON text in CSV)."""
    if fmt not in ("json", "csv"):
        raise BelfortError("audit.bad_format", f"unknown export format '{fmt}'", hint="use csv or json")
    buf = io.StringIO()
    with read_session(app.db) as session:
        if fmt == "json":
            for rec in _iter_records(session):
                buf.write(canonical({k: getattr(rec, k) for k in EXPORT_FIELDS}) + "\n")
        else:
            writer = csv.writer(buf)
            writer.writerow(EXPORT_FIELDS)
            for rec in _iter_records(session):
                # Question and answer are anyone's text: no cell may run as a spreadsheet formula.
                # The JSON lines export keeps every value exactly as hashed (verify the chain there).
                writer.writerow([formula_safe("" if getattr(rec, k) is None else str(getattr(rec, k)))
                                 for k in EXPORT_FIELDS])
    return buf.getvalue()
