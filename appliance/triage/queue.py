"""The human queue and the departments' inboxes: who may see them, what waits, what is due.

Access: the group `triage` and administrators. Deadlines come from the item (`deadline`, set when it
is routed) or, while it waits, from its suggested category's `deadline_days`. A daily job reminds
each department of its items due within `REMIND_DAYS` or overdue, once per item per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from appliance.access import Principal
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Group, TriageItem
from appliance.errors import BelfortError, Forbidden, NotFound
from appliance.i18n import t
from appliance.triage.taxonomy import Taxonomy

TRIAGE_GROUP = "triage"  # who may use the queue (with admins); also the attachments' collection group
REMIND_DAYS = 3  # "due soon" and the reminder window
OPEN_STATES = ("queued", "routed", "awaiting_info")
STATES = ("queued", "routed", "awaiting_info", "closed", "failed")


def may_triage(app: Appliance, who: Principal) -> bool:
    if who.is_admin:
        return True
    if not who.group_ids:
        return False
    # Every page asks (for the nav link): the group's id is looked up once it exists, then kept.
    gid = app.triage_group_id
    if gid is None:
        with read_session(app.db) as s:
            gid = s.exec(select(Group.id).where(Group.name == TRIAGE_GROUP)).first()
        if gid is not None:
            app.triage_group_id = gid
    return gid is not None and gid in who.group_ids


def require_triage(app: Appliance, who: Principal) -> None:
    if not may_triage(app, who):
        raise Forbidden("triage.forbidden", "the triage queue is for the group 'triage' and administrators",
                        hint="ask an administrator to add you to the group 'triage'")


def _as_date(value: datetime) -> date:
    return value.date()


def due_date(item: TriageItem, taxonomy: Taxonomy | None) -> date | None:
    """The item's deadline, or (while it waits) received + its suggested category's deadline_days."""
    if item.deadline:
        try:
            return date.fromisoformat(item.deadline[:10])
        except ValueError:
            return None
    category = taxonomy.get(item.category or item.suggested) if taxonomy else None
    if category is None or category.deadline_days is None:
        return None
    return _as_date(item.received_at) + timedelta(days=category.deadline_days)


def due_status(due: date | None, today: date, state: str) -> str:
    """'' | 'due_soon' | 'overdue' (closed items are never late)."""
    if due is None or state not in OPEN_STATES:
        return ""
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=REMIND_DAYS):
        return "due_soon"
    return ""


@dataclass
class QueueRow:
    item: TriageItem
    due: date | None
    due_status: str
    department: str  # routed department, or the suggestion's while waiting

    def as_dict(self) -> dict[str, Any]:
        i = self.item
        return {
            "id": i.id, "state": i.state, "received_at": i.received_at.isoformat(), "subject": i.subject,
            "sender": i.sender, "language": i.language, "urgent": i.urgent, "flags": list(i.flags),
            "suggested": i.suggested, "confidence": round(i.confidence, 4), "reason": i.reason,
            "category": i.category, "department": self.department, "routed_by": i.routed_by,
            "deadline": self.due.isoformat() if self.due else None, "due_status": self.due_status,
            "missing": list(i.missing), "model_version": i.model_version,
        }


def _row(item: TriageItem, taxonomy: Taxonomy | None, today: date) -> QueueRow:
    due = due_date(item, taxonomy)
    dept = item.department
    if not dept and taxonomy is not None:
        cat = taxonomy.get(item.suggested)
        dept = cat.department if cat else ""
    return QueueRow(item, due, due_status(due, today, item.state), dept)


def _taxonomy(app: Appliance) -> Taxonomy | None:
    from appliance.errors import BelfortError
    from appliance.triage.store import active_taxonomy

    try:
        return active_taxonomy(app.settings)
    except BelfortError:  # no taxonomy yet: the queue still shows what came in
        return None


def list_items(app: Appliance, *, state: str | None = "queued", department: str | None = None,
               limit: int = 500, today: date | None = None) -> list[QueueRow]:
    """Urgent first, then the nearest deadline, then the newest."""
    today = today or date.today()
    taxonomy = _taxonomy(app)
    with read_session(app.db) as s:
        query = select(TriageItem)
        if state:
            query = query.where(TriageItem.state == state)
        if department:
            query = query.where(TriageItem.department == department)
        items = s.exec(query.order_by(col(TriageItem.received_at).desc()).limit(limit)).all()
    rows = [_row(i, taxonomy, today) for i in items]
    rows.sort(key=lambda r: (not r.item.urgent, r.due or date.max, -r.item.received_at.timestamp()))
    return rows


def items_in_state(app: Appliance, who: Principal, state: str, *, limit: int = 100) -> list[QueueRow]:
    """The items in one state, for the group `triage` and administrators."""
    require_triage(app, who)
    if state not in STATES:
        raise BelfortError("triage.bad_state", f"unknown state '{state}'", hint="one of " + ", ".join(STATES))
    return list_items(app, state=state, limit=limit)


def department_items(app: Appliance, department: str, *, today: date | None = None) -> list[QueueRow]:
    """A department's inbox: its open items (routed or awaiting information)."""
    taxonomy = _taxonomy(app)
    if taxonomy is not None and taxonomy.departments and taxonomy.department(department) is None:
        raise NotFound("triage.department_not_found", f"no department '{department}'")
    rows = [r for state in ("routed", "awaiting_info")
            for r in list_items(app, state=state, department=department, today=today)]
    rows.sort(key=lambda r: (r.due_status != "overdue", r.due or date.max, -r.item.received_at.timestamp()))
    return rows


def get_item(app: Appliance, item_id: int) -> QueueRow:
    with read_session(app.db) as s:
        item = s.get(TriageItem, item_id)
    if item is None:
        raise NotFound("triage.not_found", f"no triage item {item_id}")
    return _row(item, _taxonomy(app), date.today())


def close_item(app: Appliance, who: Principal, item_id: int) -> None:
    with write_session(app.db) as s:
        item = s.get(TriageItem, item_id)
        if item is None:
            raise NotFound("triage.not_found", f"no triage item {item_id}")
        previous, item.state = item.state, "closed"
        s.add(item)
        s.add(AuditEvent(actor=who.username, action="triage.closed", target=f"triage:{item_id}",
                         detail={"previous_state": previous}))


# --- reminders --------------------------------------------------------------------------------


def _reminder_body(lang: str, name: str, key: str, rows: list[QueueRow]) -> str:
    lines = [f"- #{r.item.id} {r.item.subject[:120]} ("
             + t(lang, "triage_remind_mail.overdue" if r.due_status == "overdue" else "triage_remind_mail.due_soon")
             + f": {r.due.isoformat() if r.due else ''})" for r in rows]
    intro = t(lang, "triage_remind_mail.intro", count=len(rows), department=name, days=REMIND_DAYS)
    link = t(lang, "triage_remind_mail.open", link=f"/triage/departments/{key}")
    return intro + "\n\n" + "\n".join(lines) + f"\n\n{link}\n"


def send_reminders(app: Appliance, *, today: date | None = None) -> dict[str, int]:
    """One mail per department listing its items due within REMIND_DAYS or overdue; an item is
    reminded at most once a day (its `meta.reminded` holds the date), so a rerun sends nothing."""
    from appliance import mail

    today = today or date.today()
    taxonomy = _taxonomy(app)
    if taxonomy is None:
        return {"departments": 0, "items": 0}
    stamp = today.isoformat()
    by_dept: dict[str, list[QueueRow]] = {}
    for state in OPEN_STATES:
        for row in list_items(app, state=state, today=today, limit=5000):
            if row.due_status and row.department and row.item.meta.get("reminded") != stamp:
                by_dept.setdefault(row.department, []).append(row)
    sent = items = 0
    lang = app.settings.web.default_language  # read by the department's staff, like the routed mail
    for key, rows in sorted(by_dept.items()):
        dept = taxonomy.department(key)
        if dept is None or not dept.mailbox:
            continue  # nowhere to send it; the department's inbox page still marks them
        mail.enqueue_mail(app, to=dept.mailbox, subject=t(lang, "triage_remind_mail.subject", count=len(rows)),
                            body=_reminder_body(lang, dept.name or key, key, rows),
                            ref=f"triage-reminder:{key}:{stamp}")
        with write_session(app.db) as s:
            for r in rows:
                item = s.get(TriageItem, r.item.id)
                if item is not None:
                    item.meta = {**item.meta, "reminded": stamp}
                    s.add(item)
            s.add(AuditEvent(actor="system", action="triage.reminded", target=f"department:{key}",
                             detail={"items": [r.item.id for r in rows], "date": stamp}))
        sent += 1
        items += len(rows)
    return {"departments": sent, "items": items}
