"""Reading the audit trails in the admin console: answer records (hash-chained) and AuditEvents.

Read-only by design: this module searches and shows; nothing here (nor anywhere in the product)
edits or deletes an AnswerRecord or an AuditEvent. Administrators only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement
from sqlmodel import col, func, select

from appliance.access import Principal
from appliance.audit.log import EXPORT_FIELDS, export, head, verify_chain
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AnswerRecord, AuditEvent, Chunk, Document, SignInAttempt, Ticket
from appliance.errors import BelfortError, Forbidden, NotFound

if TYPE_CHECKING:
    from appliance.context import Appliance

PAGE_SIZE = 50
KINDS = ("answer", "feedback", "erasure")
STATUSES = ("answered", "extractive", "dont_know", "escalated", "refused")
MAX_FILTER_CHARS = 200
# verify_chain hashes every record (about 0.1 ms each on a 2-core CPU): the page checks the chain
# by itself up to this many records, and on request above it.
AUTO_VERIFY_MAX = 20_000


def require_admin(who: Principal) -> None:
    if not who.is_admin:
        raise Forbidden("audit.admin_only", "only administrators read the audit trail",
                        hint="ask an administrator")


@dataclass
class Page:
    rows: list[dict[str, Any]]
    page: int
    has_next: bool
    total: int


@dataclass
class RecordFilter:
    text: str = ""
    username: str = ""
    status: str = ""
    kind: str = ""
    date_from: str = ""  # ISO date, inclusive
    date_to: str = ""  # ISO date, inclusive


def _day(value: str, code: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BelfortError(code, f"'{value[:20]}' is not a date", hint="use YYYY-MM-DD") from None


def _record_dict(rec: AnswerRecord) -> dict[str, Any]:
    out = {k: getattr(rec, k) for k in EXPORT_FIELDS}
    out["payload"] = json.loads(rec.payload or "{}")
    return out


def search_records(app: Appliance, who: Principal, f: RecordFilter, *, page: int = 1,
                   page_size: int = PAGE_SIZE) -> Page:
    """Answer and feedback records, newest first, filtered by text, user, status, kind and dates."""
    require_admin(who)
    if f.status and f.status not in STATUSES:
        raise BelfortError("audit.bad_status", f"unknown status '{f.status[:20]}'", hint=", ".join(STATUSES))
    if f.kind and f.kind not in KINDS:
        raise BelfortError("audit.bad_kind", f"unknown kind '{f.kind[:20]}'", hint=", ".join(KINDS))
    start, end = _day(f.date_from, "audit.bad_date"), _day(f.date_to, "audit.bad_date")
    conditions: list[ColumnElement[bool]] = []
    if f.text.strip():
        like = f"%{f.text.strip()[:MAX_FILTER_CHARS]}%"
        # ilike: case-insensitive on PostgreSQL too, as SQLite's LIKE is
        conditions.append(col(AnswerRecord.question).ilike(like) | col(AnswerRecord.answer).ilike(like))
    if f.username.strip():
        conditions.append(col(AnswerRecord.username) == f.username.strip())
    if f.status:
        conditions.append(col(AnswerRecord.status) == f.status)
    if f.kind:
        conditions.append(col(AnswerRecord.kind) == f.kind)
    # `at` is ISO 8601 UTC text, so day bounds compare as strings.
    if start:
        conditions.append(col(AnswerRecord.at) >= start.isoformat())
    if end:
        conditions.append(col(AnswerRecord.at) < (end + timedelta(days=1)).isoformat())
    page = max(1, page)
    with read_session(app.db) as session:
        total = session.exec(select(func.count()).select_from(AnswerRecord).where(*conditions)).one()
        rows = session.exec(select(AnswerRecord).where(*conditions).order_by(col(AnswerRecord.id).desc())
                            .offset((page - 1) * page_size).limit(page_size + 1)).all()
        return Page([_record_dict(r) for r in rows[:page_size]], page, len(rows) > page_size, int(total))


@dataclass
class RecordDetail:
    record: dict[str, Any]
    sources: list[dict[str, Any]]  # payload sources with today's title and page
    feedback: list[dict[str, Any]]  # feedback records about this answer
    answer: dict[str, Any] | None  # for a feedback record: the answer it is about
    tickets: list[dict[str, Any]]  # tickets forwarded from this answer (id, state, collection)


def record_detail(app: Appliance, who: Principal, record_id: int) -> RecordDetail:
    require_admin(who)
    with read_session(app.db) as session:
        rec = session.get(AnswerRecord, record_id)
        if rec is None:
            raise NotFound("audit.not_found", f"no audit record {record_id}")
        data = _record_dict(rec)
        sources = []
        for s in data["payload"].get("sources") or []:
            doc = session.get(Document, int(s.get("document_id") or 0))
            chunk = session.get(Chunk, int(s.get("chunk_id") or 0))
            sources.append({"number": 0, "chunk_id": 0, "collection": "", "relevance": None,
                            "similarity": None, **s, "title": (doc.title or doc.source_path) if doc else "",
                            "page": chunk.page if chunk else None, "exists": doc is not None})
        feedback = [_record_dict(r) for r in session.exec(
            select(AnswerRecord).where(AnswerRecord.kind == "feedback", AnswerRecord.ref_id == record_id)
            .order_by(col(AnswerRecord.id))).all()]
        target = session.get(AnswerRecord, rec.ref_id) if rec.kind == "feedback" and rec.ref_id else None
        tickets = [{"id": t.id, "state": t.state, "collection": t.collection} for t in session.exec(
            select(Ticket).where(Ticket.answer_id == record_id).order_by(col(Ticket.id))).all()]
        return RecordDetail(data, sources, feedback, _record_dict(target) if target else None, tickets)


@dataclass
class ChainStatus:
    checked: bool  # False: too many records to check on every page view (see AUTO_VERIFY_MAX)
    ok: bool
    first_bad_id: int | None
    records: int
    head_hash: str


def chain_status(app: Appliance, who: Principal, *, force: bool = False) -> ChainStatus:
    require_admin(who)
    count, last = head(app)
    if not force and count > AUTO_VERIFY_MAX:
        return ChainStatus(False, True, None, count, last)
    ok, bad = verify_chain(app)
    return ChainStatus(True, ok, bad, count, last)


SIGN_IN_ACTIONS = ("auth.sign_in", "auth.sign_in_failed")  # SignInAttempt rows, shown as events


def _matches(name: str, action: str) -> bool:
    return name.startswith(action) if action.endswith(".") else name == action


def search_events(app: Appliance, who: Principal, *, action: str = "", actor: str = "", page: int = 1,
                  page_size: int = PAGE_SIZE) -> Page:
    """Who did what, newest first: the AuditEvent log (users, approvals, redactions, exports, tickets)
    merged with the sign-in attempts. `action` is a whole action or a prefix ending in '.'
    ("ticket." for every ticket change); `actor` is a username."""
    require_admin(who)
    action, actor = action.strip()[:MAX_FILTER_CHARS], actor.strip()[:MAX_FILTER_CHARS]
    page = max(1, page)
    wanted = (page - 1) * page_size + page_size + 1  # newest rows of each source that can reach this page
    include_events = action not in SIGN_IN_ACTIONS
    ev_conditions: list[ColumnElement[bool]] = [] if not action else [
        col(AuditEvent.action).startswith(action) if action.endswith(".") else col(AuditEvent.action) == action]
    ev_conditions += [col(AuditEvent.actor) == actor] if actor else []
    signin_ok = [a == SIGN_IN_ACTIONS[0] for a in SIGN_IN_ACTIONS if not action or _matches(a, action)]
    si_conditions: list[ColumnElement[bool]] = [col(SignInAttempt.ok).in_(signin_ok)]
    si_conditions += [col(SignInAttempt.username) == actor] if actor else []
    with read_session(app.db) as session:
        total = 0
        rows: list[dict[str, Any]] = []
        if include_events:
            total += session.exec(select(func.count()).select_from(AuditEvent).where(*ev_conditions)).one()
            rows += [{"at": e.at, "actor": e.actor, "action": e.action, "target": e.target,
                      "detail": e.detail or {}}
                     for e in session.exec(select(AuditEvent).where(*ev_conditions)
                                           .order_by(col(AuditEvent.id).desc()).limit(wanted)).all()]
        if signin_ok:
            total += session.exec(select(func.count()).select_from(SignInAttempt).where(*si_conditions)).one()
            rows += [{"at": a.at, "actor": a.username, "action": SIGN_IN_ACTIONS[0 if a.ok else 1],
                      "target": "", "detail": {}}
                     for a in session.exec(select(SignInAttempt).where(*si_conditions)
                                           .order_by(col(SignInAttempt.id).desc()).limit(wanted)).all()]
    rows.sort(key=lambda r: r["at"], reverse=True)
    start = (page - 1) * page_size
    return Page(rows[start:start + page_size], page, len(rows) > start + page_size, int(total))


def event_actions(app: Appliance, who: Principal) -> list[str]:
    """Distinct actions for the filter's picker."""
    require_admin(who)
    with read_session(app.db) as session:
        found = {a for a in session.exec(select(AuditEvent.action).distinct()).all() if a}
        outcomes = session.exec(select(SignInAttempt.ok).distinct()).all()
        found |= {SIGN_IN_ACTIONS[0 if ok else 1] for ok in outcomes}
        return sorted(found)


def record_exported(app: Appliance, who: Principal, fmt: str) -> None:
    """Who downloaded the trail, and when (the export itself is audit.export)."""
    require_admin(who)
    count, last = head(app)
    with write_session(app.db) as session:
        session.add(AuditEvent(actor=who.username, action="audit.exported", target="answer_records",
                               detail={"format": fmt, "records": count, "head": last}))


EXPORT_FORMATS = ("csv", "json")


def download_trail(app: Appliance, who: Principal, fmt: str) -> str:
    """The whole trail for an administrator to download (appliance.audit.log.export); the download is
    itself recorded (audit.exported)."""
    require_admin(who)
    if fmt not in EXPORT_FORMATS:
        raise BelfortError("audit.bad_format", f"unknown export format '{fmt[:20]}'", hint="csv or json")
    body = export(app, fmt)
    record_exported(app, who, fmt)
    return body
