"""Routing a triage item out: to the department's mailbox (SMTP) and webhook, through the outbox.

`route(app, item_id, category, by=...)` is the one way an item gets routed, whether the model decided
("auto") or a person accepted or corrected the suggestion in the queue. The item update, the outbox
rows and the audit event are written in one transaction: an item is never routed without its mail
queued, and a mail never queued for an item that is not routed. Delivery happens later (`outbox`).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from appliance.ai_label import AI_HEADER, ai_label, mail_footer
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, TriageItem, utcnow
from appliance.errors import BelfortError, NotFound
from appliance.i18n import texts
from appliance.mail import mail_row, webhook_row
from appliance.storage.csv_safe import formula_safe
from appliance.triage.classifier import item_text
from appliance.triage.taxonomy import Category, Department

# Flags that always keep an item from being routed without a person (whatever the confidence).
BLOCKING_FLAGS = frozenset({"spoofed_sender", "loop", "unparseable", "too_large"})
QUOTE_CHARS = 20000


def _taxonomy_entries(app: Appliance, category: str) -> tuple[Category, Department | None]:
    from appliance.triage.store import active_taxonomy

    taxonomy = active_taxonomy(app.settings)
    cat = taxonomy.get(category)
    if cat is None:
        raise BelfortError("triage.unknown_category", f"category '{category}' is not in the taxonomy",
                           hint="choose one of: " + ", ".join(taxonomy.keys), status=409)
    return cat, taxonomy.department(cat.department)


def _mail_body(app: Appliance, item: TriageItem, cat: Category, by: str) -> str:
    # The routed mail is read by staff of the department, in the appliance's default language.
    t = texts(app.settings.web.default_language, "triage_route_mail.")
    who = t["auto"] if by == "auto" else by
    lines = [f"{t['intro']} (#{item.id})", ""]
    line = f"{t['category']}: {cat.name or cat.key}"
    if item.suggested:
        line += (f" ({t['ai']}: {item.suggested}, {t['confidence']} {item.confidence:.2f}, "
                 f"model {item.model_version})")
    lines += [line, f"{t['by']}: {who}", f"{t['received']}: {item.received_at:%Y-%m-%d %H:%M} UTC"]
    if item.deadline:
        lines.append(f"{t['deadline']}: {item.deadline}")
    sender = f"{item.sender_name} <{item.sender}>" if item.sender_name else item.sender
    lines += [f"{t['sender']}: {sender}", f"{t['subject']}: {item.subject}"]
    signals = ([t["urgent"]] if item.urgent else []) + list(item.flags)
    if signals:
        lines.append(f"{t['flags']}: {', '.join(signals)}")
    quoted = "\n".join("> " + x for x in (item.text or "")[:QUOTE_CHARS].splitlines())
    return "\n".join(lines + ["", f"--- {t['original']} ---", quoted, ""])


def webhook_payload(item: TriageItem, cat: Category, by: str) -> dict[str, Any]:
    """What n8n / Power Automate receive: the decision and the item's essentials (no file bytes)."""
    return {
        "event": "triage.routed", "item_id": item.id, "source": item.source,
        "received_at": item.received_at.isoformat(), "sender": item.sender, "sender_name": item.sender_name,
        "subject": item.subject, "text": (item.text or "")[:QUOTE_CHARS], "language": item.language,
        "category": cat.key, "category_name": cat.name or cat.key, "department": cat.department,
        "suggested": item.suggested, "confidence": round(item.confidence, 4),
        "model_version": item.model_version, "ai_suggestion": bool(item.suggested), "routed_by": by,
        "deadline": item.deadline, "urgent": item.urgent,
        "flags": list(item.flags), "attachment_document_ids": list(item.attachment_document_ids),
    }


def _missing(item: TriageItem, cat: Category) -> list[str]:
    from appliance.triage.missing import check_fields

    return check_fields(item_text(item), cat.required_fields).missing if cat.required_fields else []


def route(app: Appliance, item_id: int, category: str, *, by: str) -> TriageItem:
    """Route an item to `category`'s department: state routed, outbox mail/webhook, audit event.

    by="auto" is refused for human_only categories and for flagged items (the model never routes
    those); a person may route anything. Routing again to the same category changes nothing."""
    cat, dept = _taxonomy_entries(app, category)
    with write_session(app.db) as s:
        item = s.get(TriageItem, item_id)
        if item is None:
            raise NotFound("triage.not_found", f"no triage item {item_id}")
        if by == "auto" and (cat.human_only or set(item.flags) & BLOCKING_FLAGS):
            raise BelfortError("triage.needs_person", "this item may only be routed by a person",
                               hint="human_only category or a flagged item: route it from the queue",
                               status=409)
        if item.state == "routed" and item.category == category:
            return item
        previous_category, now = item.category, utcnow()
        item.category, item.department = cat.key, cat.department
        item.missing = _missing(item, cat)  # what this category needs (the item page only reads it)
        item.state, item.routed_by, item.routed_at = "routed", by, now
        if cat.deadline_days is not None and (not item.deadline or previous_category):
            item.deadline = (item.received_at + timedelta(days=cat.deadline_days)).date().isoformat()
        ref = f"triage:{item.id}"
        rows = []
        if dept is not None and dept.mailbox:
            headers = {"X-Belfort-Item": str(item.id)}
            body = _mail_body(app, item, cat, by)
            if item.suggested:  # the category was proposed (auto: chosen) by the classifier
                label = ai_label(app.settings.web.default_language, "triage", item.model_version, reviewed=by != "auto")
                body, headers[AI_HEADER] = body + mail_footer(label), label.header()
            if item.sender and "spoofed_sender" not in item.flags:
                headers["Reply-To"] = item.sender  # the department answers the citizen directly
            original = Path(item.original_path) if item.original_path else None
            rows.append(mail_row(
                app, to=dept.mailbox, subject=f"[Belfort #{item.id}] {cat.name or cat.key}: {item.subject}",
                body=body, ref=ref, headers=headers,
                attachments=[(original, f"original-{item.id}{original.suffix}")]
                if original is not None and original.exists() else None))
        if dept is not None and dept.webhook:
            rows.append(webhook_row(url=dept.webhook, payload=webhook_payload(item, cat, by), ref=ref))
        for row in rows:
            s.add(row)
        s.flush()
        outbox_ids = [int(r.id or 0) for r in rows]
        item.meta = {**item.meta, "outbox": [*item.meta.get("outbox", []), *outbox_ids]}
        s.add(item)
        s.add(AuditEvent(actor=by, action="triage.route", target=ref, detail={
            "model_version": item.model_version, "confidence": round(item.confidence, 4),
            "suggested": item.suggested, "chosen": cat.key, "previous": previous_category,
            "department": cat.department, "by": by, "auto": by == "auto",
            "agreed_with_ai": item.suggested == cat.key, "outbox": outbox_ids,
            "delivery": [r.channel for r in rows] or ["none"],
        }))
        s.flush()
        return item


# --- CSV export --------------------------------------------------------------------------------

EXPORT_FIELDS = ("id", "received_at", "source", "sender", "sender_name", "subject", "language", "suggested",
                 "confidence", "reason", "model_version", "category", "department", "state", "routed_by",
                 "routed_at", "deadline", "urgent", "flags", "attachment_document_ids")


def _cell(value: Any) -> str:
    """Text a spreadsheet will not execute: a leading = + - @ tab or CR gets a quote in front."""
    if isinstance(value, datetime):
        text = value.isoformat(timespec="seconds")
    elif isinstance(value, (list, tuple)):
        text = ";".join(str(v) for v in value)
    elif value is None:
        text = ""
    else:
        text = str(value)
    return formula_safe(text)


def export_csv(app: Appliance, since: datetime | None = None) -> str:
    with read_session(app.db) as s:
        q = select(TriageItem)
        if since is not None:
            q = q.where(TriageItem.received_at >= since)
        items = s.exec(q.order_by(col(TriageItem.id))).all()
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow((*EXPORT_FIELDS, "ai_label"))
    lang = app.settings.web.default_language
    for item in items:
        # The suggestion is the classifier's; a person checked it once someone other than auto routed it.
        label = ai_label(lang, "triage", item.model_version, reviewed=item.routed_by not in ("", "auto")).text \
            if item.suggested else ""
        writer.writerow([_cell(getattr(item, f)) for f in EXPORT_FIELDS] + [_cell(label)])
    return buf.getvalue()
