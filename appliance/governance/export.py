"""Art. 15: what was found for a person as one zip archive: index.json (the request, every item and the
file that holds it), one JSON file per item and the stored originals (the scanned PDF, the mail)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import (
    AnswerRecord,
    AuditEvent,
    Document,
    DocumentVersion,
    Minutes,
    MinutesItem,
    OutboxMessage,
    Recording,
    Ticket,
    TranscriptSegment,
    TriageItem,
)
from appliance.governance.items import text_of
from appliance.governance.matching import subject
from appliance.governance.subject import Found, find
from appliance.privacy import pseudonym_maps


def _row(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(row, f) for f in fields}


def _content(app: Appliance, f: Found) -> tuple[dict[str, Any], list[Path]]:
    """The item as JSON-able data, and the stored files that belong to it."""
    item, files = f.item, []
    data: dict[str, Any] = {**item.as_dict(), "matched": f.matched}
    with read_session(app.db) as s:
        if item.kind == "document":
            doc = s.get(Document, item.id)
            data["text"] = text_of(app, item)
            if doc and doc.current_version_id:
                v = s.get(DocumentVersion, doc.current_version_id)
                if v and v.stored_path:
                    files.append(app.layout.stored(v.stored_path))
        elif item.kind == "triage":
            t = s.get(TriageItem, item.id)
            if t:
                data |= _row(t, ("sender", "sender_name", "subject", "text", "received_at", "category", "state"))
                files += [Path(t.original_path)] if t.original_path else []
        elif item.kind == "mail":
            m = s.get(OutboxMessage, item.id)
            data |= _row(m, ("target", "subject", "body", "state", "created_at", "sent_at")) if m else {}
        elif item.kind == "transcript":
            segs = s.exec(select(TranscriptSegment).where(TranscriptSegment.recording_id == item.id)
                          .order_by(col(TranscriptSegment.start))).all()
            data["segments"] = [_row(g, ("start", "end", "speaker", "text")) for g in segs]
            rec = s.get(Recording, item.id)
            data["recorded_at"] = rec.created_at if rec else None
        elif item.kind == "minutes":
            mi = s.get(Minutes, item.id)
            data |= _row(mi, ("title", "body", "meeting_date", "attendees", "state")) if mi else {}
            rows = s.exec(select(MinutesItem).where(MinutesItem.minutes_id == item.id)).all()
            data["items"] = [_row(i, ("kind", "agenda_title", "text", "owner", "deadline", "state")) for i in rows]
        elif item.kind == "ticket":
            t2 = s.get(Ticket, item.id)
            data |= _row(t2, ("asker", "question", "answer", "note", "reply", "state", "created_at")) if t2 else {}
        elif item.kind == "answer":
            a = s.get(AnswerRecord, item.id)
            data |= _row(a, ("at", "kind", "username", "question", "answer", "status", "model", "payload", "hash")) \
                if a else {}
    if item.kind == "pseudonym_map":
        mapping = next((m for i, _, m in pseudonym_maps(app) if i == item.id), {})
        data["entries"] = {k: mapping[k] for k in f.keys if k in mapping}
    return data, [p for p in files if p.is_file()]


def export_zip(app: Appliance, actor: str, name: str, *, rrn: str = "", email: str = "",
               refs: list[str] | None = None, now: datetime | None = None) -> bytes:
    """The archive for the person (only `refs` when given); the export is an audit event."""
    who = subject(name, rrn, email)
    found = [f for f in find(app, who, now) if refs is None or f.item.ref in refs]
    buf = io.BytesIO()
    index: list[dict[str, Any]] = []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, f in enumerate(found, 1):
            data, files = _content(app, f)
            base = f"{n:04d}-{f.item.kind}-{f.item.id}"
            zf.writestr(f"items/{base}.json", json.dumps(data, ensure_ascii=False, indent=1, default=str))
            originals = []
            for path in files:
                arc = f"originals/{base}{''.join(path.suffixes[-1:]) or '.bin'}"
                zf.write(path, arc)
                originals.append(arc)
            index.append({**f.as_dict(), "file": f"items/{base}.json", "originals": originals})
        head = {"request": {"name": who.name, "rrn": bool(who.rrn), "email": who.email},
                "made_at": (now or datetime.now(UTC)).isoformat(), "made_by": actor, "count": len(index),
                "items": index}
        zf.writestr("index.json", json.dumps(head, ensure_ascii=False, indent=1, default=str))
    with write_session(app.db) as s:
        s.add(AuditEvent(actor=actor, action="subject.exported", target="subject",
                         detail={**who.describe(), "items": [f.item.ref for f in found]}))
    return buf.getvalue()
