"""Escalation tickets: "stuur door naar een collega" (forward an answer to a colleague).

A ticket is made from one answer's audit record by the person who asked it (or an admin for
them). It copies the question, the answer and the sources the asker could read, and takes its
route from the answer's escalation route, else the first readable collection with a route.

Who handles a ticket: administrators, and the members of the group named in the route
collection's `settings_json["route_group"]` (a group name, or a list of names; none set: admins
only). The ticket carries the answer, which may quote the sources: a ticket takes a route whose
handler groups may read every source it carries (else admins handle it), and whoever reads a
ticket (or its mail) sees only the sources they may read, and the answer only when they may read
every passage it was built from (issue 19, finding 5). The asker sees
their own tickets and the reply; anybody else gets "not found". States: open -> answered ->
closed (open -> closed too: withdrawn or handled elsewhere). Every change is an AuditEvent
(never the question, note or reply text). A route with a mailbox also gets the ticket by mail,
through the outbox (delivered by the worker, retried with backoff).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, or_, select

from appliance.access import SYSTEM, Principal, principal_for, readable_collection_ids, readable_document_ids
from appliance.ai_label import AI_HEADER, ai_label, mail_footer
from appliance.ask.routes import route_groups
from appliance.db.engine import read_session, write_session
from appliance.db.tables import (
    AnswerRecord,
    AuditEvent,
    Chunk,
    Collection,
    Document,
    Group,
    Ticket,
    User,
    utcnow,
)
from appliance.errors import BelfortError, NotFound
from appliance.i18n import texts

if TYPE_CHECKING:
    from appliance.context import Appliance

log = logging.getLogger("belfort.tickets")
STATES = ("open", "answered", "closed")
MAX_NOTE_CHARS = 2000
MAX_REPLY_CHARS = 8000
SUBJECT_WORDS = 6
LIST_LIMIT = 200


@dataclass(frozen=True)
class TicketInfo:
    ticket: Ticket
    mine: bool  # `who` asked the question
    may_handle: bool  # `who` may reply (admin or a member of the route group)
    # What `who` may read of it today: the sources in collections they read, and the answer only
    # when they read every passage it was built from (issue 19, finding 5).
    sources: tuple[dict[str, Any], ...] = ()
    answer_hidden: bool = False

    @property
    def may_close(self) -> bool:
        return self.ticket.state != "closed" and (self.mine or self.may_handle)

    @property
    def answer(self) -> str:
        return "" if self.answer_hidden else self.ticket.answer


def _reader_view(session: Session, who: Principal, ticket: Ticket) -> tuple[tuple[dict[str, Any], ...], bool]:
    """(sources `who` may read, whether the answer text is hidden from `who`), checked at read time."""
    from appliance.ask.records import answer_text_visible

    readable = readable_collection_ids(session, who)
    docs = readable_document_ids(session, who, [int(s.get("document_id") or 0) for s in ticket.sources])
    shown = []
    for s in ticket.sources:
        doc = session.get(Document, int(s.get("document_id") or 0))
        if doc is not None and doc.collection_id in readable and doc.id in docs:
            shown.append(dict(s))
    rec = session.get(AnswerRecord, ticket.answer_id)
    hidden = len(shown) < len(ticket.sources) if rec is None else not answer_text_visible(session, who, rec)
    return tuple(shown), hidden


def _info(session: Session, who: Principal, ticket: Ticket, may_handle: bool) -> TicketInfo:
    sources, hidden = _reader_view(session, who, ticket)
    return TicketInfo(ticket, ticket.asker == who.username, may_handle, sources, hidden)


def _group_names(session: Session, who: Principal) -> set[str]:
    if not who.group_ids:
        return set()
    rows = session.exec(select(Group.name).where(col(Group.id).in_(who.group_ids))).all()
    return set(rows)


def _handled_collections(session: Session, who: Principal) -> set[str]:
    """Names of the collections whose tickets `who` handles through a route group."""
    mine = _group_names(session, who)
    if not mine:
        return set()
    return {c.name for c in session.exec(select(Collection)).all() if mine & set(route_groups(c))}


def _may_handle(session: Session, who: Principal, ticket: Ticket) -> bool:
    if who.is_admin:
        return True
    return bool(ticket.collection) and ticket.collection in _handled_collections(session, who)


def _principal_named(session: Session, username: str) -> Principal:
    """The asker's permissions now (a removed user reads nothing)."""
    if username == SYSTEM.username:
        return SYSTEM
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        return Principal(user_id=None, username=username, role="staff")
    return principal_for(session, user)


def _readable_sources(session: Session, asker: Principal,
                      sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answer's sources the asker may still read, with title and page (never the passage text)."""
    readable = readable_collection_ids(session, asker)
    docs = readable_document_ids(session, asker, [int(s.get("document_id") or 0) for s in sources])
    out: list[dict[str, Any]] = []
    for s in sources:
        chunk = session.get(Chunk, int(s.get("chunk_id") or 0))
        doc = session.get(Document, int(s.get("document_id") or 0))
        if doc is None or doc.collection_id not in readable or doc.id not in docs:
            continue
        if chunk is not None and chunk.collection_id not in readable:
            continue
        out.append({"number": int(s.get("number") or len(out) + 1), "document_id": doc.id,
                    "title": doc.title or doc.source_path, "page": chunk.page if chunk is not None else 1,
                    "collection": str(s.get("collection") or "")})
    return out


def route_reader(session: Session, route: Collection | None) -> Principal:
    """The route's handler groups as one reader: what all its handlers may read for sure (a route
    without a group is handled by admins only; its mailbox gets no passages)."""
    names = route_groups(route)
    ids = session.exec(select(Group.id).where(col(Group.name).in_(names))).all() if names else []
    return Principal(user_id=None, username="route", role="staff",
                     group_ids=frozenset(i for i in ids if i is not None))


def _handlers_read(session: Session, route: Collection, content: set[int], docs: set[int]) -> bool:
    if not route_groups(route):
        return True  # admins only: they read everything
    reader = route_reader(session, route)
    return content <= readable_collection_ids(session, reader) and docs <= readable_document_ids(session, reader, docs)


def _route(session: Session, asker: Principal, payload: dict[str, Any],
           sources: list[dict[str, Any]]) -> Collection | None:
    """The answer's escalation route, else the route of its sources' collections, else the first
    readable collection (by name) with a route; always one the asker may read, with today's values,
    and one whose handler groups may read every source the ticket carries (else: admins)."""
    readable = readable_collection_ids(session, asker)
    rows = session.exec(select(Collection).where(col(Collection.id).in_(readable))).all()
    by_name = {c.name: c for c in rows if c.route_department or c.route_mailbox}
    found = [d for d in (session.get(Document, int(s["document_id"])) for s in sources) if d]
    content, docs = {d.collection_id for d in found}, {int(d.id or 0) for d in found}
    escalation = payload.get("escalation") or {}
    order = [str(escalation.get("collection") or "")]
    order += [str(s.get("collection") or "") for s in payload.get("sources") or []]
    order += sorted(by_name)
    return next((by_name[n] for n in order if n in by_name and _handlers_read(session, by_name[n], content, docs)),
                None)


def _event(session: Session, who: Principal, action: str, ticket: Ticket, previous: str,
           **extra: Any) -> None:
    # No question, note or reply text here: the AuditEvent log is read widely by administrators.
    session.add(AuditEvent(actor=who.username, action=action, target=f"ticket:{ticket.id}",
                           detail={"answer_id": ticket.answer_id, "collection": ticket.collection,
                                   "from": previous, "to": ticket.state, **extra}))


def forward(app: Appliance, who: Principal, answer_id: int, note: str = "") -> Ticket:
    """Make a ticket of an answer (its asker, or an admin); forwarding twice returns the open one."""
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise BelfortError("tickets.note_too_long", f"the note is longer than {MAX_NOTE_CHARS} characters",
                           hint="shorten the note")
    with write_session(app.db) as session:
        rec = session.get(AnswerRecord, answer_id)
        if rec is None or rec.kind != "answer" or (rec.username != who.username and not who.is_admin):
            raise NotFound("tickets.answer_not_found", f"no answer {answer_id} of yours")
        existing = session.exec(select(Ticket).where(Ticket.answer_id == answer_id, Ticket.state != "closed")
                                .order_by(col(Ticket.id).desc())).first()
        if existing is not None:
            return existing
        payload = json.loads(rec.payload or "{}")
        asker = _principal_named(session, rec.username)
        sources = _readable_sources(session, asker, payload.get("sources") or [])
        route = _route(session, asker, payload, sources)
        ticket = Ticket(
            answer_id=answer_id, asker=rec.username, forwarded_by=who.username, question=rec.question,
            answer=rec.answer, answer_status=rec.status, sources=sources,
            note=note, collection=route.name if route else "",
            department=route.route_department if route else "", mailbox=route.route_mailbox if route else "",
            language=str(payload.get("language") or "nl"),
        )
        session.add(ticket)
        session.flush()
        _event(session, who, "ticket.created", ticket, "", mailbox=bool(ticket.mailbox))
    if ticket.mailbox:
        _mail(app, ticket, route)
    return ticket


def _visible(session: Session, who: Principal, ticket_id: int) -> TicketInfo:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("tickets.not_found", f"no ticket {ticket_id}")
    info = _info(session, who, ticket, _may_handle(session, who, ticket))
    if not (info.mine or info.may_handle):
        raise NotFound("tickets.not_found", f"no ticket {ticket_id}")  # no hint that it exists
    return info


def get_ticket(app: Appliance, who: Principal, ticket_id: int) -> TicketInfo:
    with read_session(app.db) as session:
        return _visible(session, who, ticket_id)


def list_tickets(app: Appliance, who: Principal, *, state: str = "") -> list[TicketInfo]:
    """Tickets `who` asked and tickets `who` handles (admins: all), newest first."""
    if state and state not in STATES:
        raise BelfortError("tickets.bad_state", f"unknown ticket state '{state[:20]}'",
                           hint="open, answered or closed")
    with read_session(app.db) as session:
        q = select(Ticket).order_by(col(Ticket.id).desc()).limit(LIST_LIMIT)
        handled = _handled_collections(session, who)
        if not who.is_admin:
            q = q.where(or_(Ticket.asker == who.username, col(Ticket.collection).in_(handled)))
        if state:
            q = q.where(Ticket.state == state)
        return [_info(session, who, t, who.is_admin or t.collection in handled) for t in session.exec(q).all()]


def reply(app: Appliance, who: Principal, ticket_id: int, text: str) -> Ticket:
    """A handler answers an open ticket: open -> answered."""
    text = text.strip()
    if not text:
        raise BelfortError("tickets.empty_reply", "the reply is empty", hint="write a reply")
    if len(text) > MAX_REPLY_CHARS:
        raise BelfortError("tickets.reply_too_long", f"the reply is longer than {MAX_REPLY_CHARS} characters",
                           hint="shorten the reply")
    with write_session(app.db) as session:
        info = _visible(session, who, ticket_id)
        if not info.may_handle:
            raise BelfortError("tickets.not_handler", "only the route's handlers answer a ticket",
                               hint="ask an administrator to add you to the route group", status=403)
        t = info.ticket
        if t.state != "open":
            raise BelfortError("tickets.not_open", f"ticket {ticket_id} is {t.state}",
                               hint="only an open ticket can be answered", status=409)
        now = utcnow()
        t.reply, t.replied_by, t.replied_at, t.state, t.updated_at = text, who.username, now, "answered", now
        session.add(t)
        _event(session, who, "ticket.answered", t, "open")
        return t


def close(app: Appliance, who: Principal, ticket_id: int) -> Ticket:
    """The asker or a handler closes a ticket (answered, withdrawn or handled elsewhere)."""
    with write_session(app.db) as session:
        info = _visible(session, who, ticket_id)
        t = info.ticket
        if t.state == "closed":
            raise BelfortError("tickets.already_closed", f"ticket {ticket_id} is closed",
                               hint="forward the answer again for a new ticket", status=409)
        previous, now = t.state, utcnow()
        t.state, t.closed_by, t.closed_at, t.updated_at = "closed", who.username, now, now
        session.add(t)
        _event(session, who, "ticket.closed", t, previous)
        return t


# --- mail to the route's mailbox ---------------------------------------------------------------

def ticket_path(ticket_id: int | None) -> str:
    return f"/tickets/{ticket_id}"


def mail_text(ticket: Ticket, info: TicketInfo | None = None) -> tuple[str, str]:
    """(subject, body). The subject holds only the question's first words (no asker, no note); the
    body holds the answer and sources as `info` (the route's reader) may read them."""
    m = texts(ticket.language, "ticket_mail.")
    words = ticket.question.split()
    start = " ".join(words[:SUBJECT_WORDS])[:80] + (" …" if len(words) > SUBJECT_WORDS else "")
    subject = m["subject"].format(id=ticket.id, start=start)
    shown = info.sources if info is not None else tuple(ticket.sources)
    answer = info.answer if info is not None else ticket.answer
    sources = [f"- [{s.get('number')}] {s.get('title')}, {m['page']} {s.get('page')}" for s in shown]
    body = "\n".join([
        m["intro"], "", f"{m['question']}:", ticket.question, "",
        f"{m['extractive' if ticket.answer_status == 'extractive' else 'answer']}:", answer or m["none"], "",
        f"{m['sources']}:", *(sources or [m["none"]]), "",
        *([f"{m['note']}:", ticket.note, ""] if ticket.note else []),
        m["link"].format(path=ticket_path(ticket.id)), "",
    ])
    return subject, body


def _mail(app: Appliance, ticket: Ticket, route: Collection | None) -> None:
    """Queue the ticket for the route's mailbox, with only what the route's handler groups may read.
    A refused address does not undo the ticket (it is in Belfort either way); the refusal is
    audited so an admin can fix the route."""
    from appliance.mail import enqueue_mail

    with read_session(app.db) as session:
        info = _info(session, route_reader(session, route), ticket, False)
        record = session.get(AnswerRecord, ticket.answer_id)
    subject, body = mail_text(ticket, info)
    headers = {}
    if ticket.answer_status != "extractive":  # quotes are the documents' own words; the rest is AI-made
        label = ai_label(ticket.language, "ask", record.model if record else "", reviewed=False)
        body, headers = body + mail_footer(label), {AI_HEADER: label.header()}
    try:
        enqueue_mail(app, to=ticket.mailbox, subject=subject, body=body, ref=f"ticket:{ticket.id}", headers=headers)
    except BelfortError as exc:
        log.warning("ticket %s: mail not queued (%s)", ticket.id, exc.code)
        with write_session(app.db) as session:
            session.add(AuditEvent(actor="system", action="ticket.mail_failed", target=f"ticket:{ticket.id}",
                                   detail={"code": exc.code, "collection": ticket.collection}))
