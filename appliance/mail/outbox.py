"""The outbox: every mail and webhook Belfort sends goes through here, and nothing in it is ever lost.

A message is a row first (`OutboxMessage`, committed), then a delivery attempt. A failed attempt
leaves the row `pending` with a growing `attempts`, an exponential `next_attempt_at` and a
`last_error` that names the failure, never a person; after `mail.max_attempts` the row turns `dead`
(still listed; an admin retries it). Rows are never deleted.

Every mail carries `X-Belfort-Route: <ref>`, `Auto-Submitted: auto-generated` and a Message-ID in
Belfort's own domain, so a mail that comes back into the triage mailbox is recognised as a loop.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import smtplib
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, parseaddr
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, OutboxMessage, utcnow
from appliance.errors import BelfortError, NotFound
from appliance.mail.transport import open_smtp, tls_context
from appliance.settings import MailSettings

log = logging.getLogger(__name__)

ROUTE_HEADER = "X-Belfort-Route"
_ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,76}$")
# Headers the outbox sets itself; a caller's value for one of these is ignored (no spoofing through it).
_RESERVED = {"from", "to", "subject", "date", "message-id", "x-belfort-route", "auto-submitted",
             "content-type", "content-transfer-encoding", "mime-version", "bcc", "cc"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # a department mailbox refuses larger mails anyway
# Settings to fix, not failed tries: the message waits without using up its attempts.
_WAITING = frozenset({"mail.smtp_not_configured", "mail.ca_bundle_invalid"})
LEASE = timedelta(minutes=5)  # a claimed message is not picked again by another worker before this


class DeliveryError(Exception):
    """A failed attempt; `reason` is stored in last_error, so it never holds an address or text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _one_line(value: str, limit: int = 900) -> str:
    return " ".join(str(value).split())[:limit]


def message_id_domain(mail: MailSettings) -> str:
    domain = mail.message_id_domain or parseaddr(mail.from_address)[1].rpartition("@")[2]
    return (domain or "belfort.invalid").lower()


def new_message_id(mail: MailSettings) -> str:
    return f"<belfort.{uuid.uuid4().hex}@{message_id_domain(mail)}>"


def _check_address(to: str) -> str:
    found = getaddresses([to or ""])
    address = found[0][1] if len(found) == 1 else ""
    if not _ADDRESS.match(address) or len(address) > 254:
        raise BelfortError("outbox.invalid_address", "the recipient is not a single valid mail address",
                           hint="check the department's mailbox in the taxonomy")
    return address


def mail_row(app: Appliance, *, to: str, subject: str, body: str, ref: str = "",
             headers: dict[str, str] | None = None,
             attachments: list[Path | tuple[Path, str]] | None = None) -> OutboxMessage:
    """An unsaved outbox row for a mail (callers that must write it in their own transaction)."""
    address = _check_address(to)
    extra = {}
    for name, value in (headers or {}).items():
        if _HEADER_NAME.match(name) and name.lower() not in _RESERVED:
            extra[name] = _one_line(value)
    files = []
    for spec in attachments or []:
        path, name = (spec if isinstance(spec, tuple) else (spec, Path(spec).name))
        files.append({"path": str(Path(path)), "name": name})
    payload: dict[str, Any] = {"message_id": new_message_id(app.settings.mail), "headers": extra,
                               "attachments": files}
    return OutboxMessage(channel="smtp", target=address, subject=_one_line(subject, 300), body=body,
                         payload=payload, ref=_one_line(ref, 200))


def webhook_row(*, url: str, payload: dict[str, Any], ref: str = "") -> OutboxMessage:
    """An unsaved outbox row for a JSON POST to `url`."""
    if not re.match(r"^https?://[^\s/]+", url or "") or len(url) > 2000:
        raise BelfortError("outbox.invalid_url", "the webhook address is not an http(s) URL",
                           hint="check the department's webhook in the taxonomy")
    return OutboxMessage(channel="webhook", target=url, payload={"json": payload, "delivery_id": uuid.uuid4().hex},
                         ref=_one_line(ref, 200))


def _save(app: Appliance, row: OutboxMessage) -> int:
    with write_session(app.db) as s:
        s.add(row)
        s.flush()
        return int(row.id or 0)


def enqueue_mail(app: Appliance, *, to: str, subject: str, body: str, ref: str = "",
                 headers: dict[str, str] | None = None,
                 attachments: list[Path | tuple[Path, str]] | None = None) -> int:
    """Store a mail for delivery; returns the outbox id. `attachments` are files under the data folder,
    optionally with the name the recipient sees (read at delivery time, so the row stays small)."""
    return _save(app, mail_row(app, to=to, subject=subject, body=body, ref=ref, headers=headers,
                               attachments=attachments))


def enqueue_webhook(app: Appliance, *, url: str, payload: dict[str, Any], ref: str = "") -> int:
    """Store a JSON POST to `url` for delivery; returns the outbox id."""
    return _save(app, webhook_row(url=url, payload=payload, ref=ref))


# --- delivery ------------------------------------------------------------------------------------


def build_mail(app: Appliance, row: OutboxMessage) -> EmailMessage:
    mail = app.settings.mail
    msg = EmailMessage()
    msg["From"] = mail.from_address
    msg["To"] = row.target
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = row.payload.get("message_id") or new_message_id(mail)
    msg[ROUTE_HEADER] = row.ref or f"outbox:{row.id}"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders must not answer it
    for name, value in (row.payload.get("headers") or {}).items():
        msg[name] = value
    msg.set_content(row.body or "")
    for spec in row.payload.get("attachments") or []:
        path = Path(spec.get("path", ""))
        if not path.resolve().is_relative_to(app.settings.data_dir.resolve()):
            raise DeliveryError("outbox.attachment_outside_data")  # rows never point outside Belfort
        try:
            data = path.read_bytes()
        except OSError:
            raise DeliveryError("outbox.attachment_missing") from None
        if len(data) > MAX_ATTACHMENT_BYTES:
            continue  # the mail says where the original is; the department opens it in Belfort
        name = str(spec.get("name") or path.name)
        ctype = "message/rfc822" if name.endswith(".eml") else (
            mimetypes.guess_type(name)[0] or "application/octet-stream")
        maintype, _, subtype = ctype.partition("/")
        if maintype == "message":  # attached as a file: an .eml opens in every mail program
            maintype, subtype = "application", "octet-stream"
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def _send_smtp(app: Appliance, row: OutboxMessage) -> None:
    mail = app.settings.mail
    if not mail.smtp_host:
        raise DeliveryError("mail.smtp_not_configured")
    msg = build_mail(app, row)
    try:
        with open_smtp(mail) as smtp:  # TLS verified before the login and the mail, unless plain is set
            if mail.smtp_user:
                smtp.login(mail.smtp_user, mail.smtp_password)
            smtp.send_message(msg, from_addr=parseaddr(mail.from_address)[1] or mail.from_address,
                              to_addrs=[row.target])
    except BelfortError as exc:  # mail.tls_failed, mail.starttls_unavailable, mail.ca_bundle_invalid
        raise DeliveryError(exc.code) from None
    except smtplib.SMTPResponseException as exc:  # the server's code, not its text (it may echo addresses)
        raise DeliveryError(f"smtp {exc.smtp_code}") from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError("smtp recipient refused") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"smtp {type(exc).__name__}") from None


def _send_webhook(app: Appliance, row: OutboxMessage) -> None:
    import httpx

    headers = {ROUTE_HEADER: row.ref or f"outbox:{row.id}",
               "Idempotency-Key": str(row.payload.get("delivery_id") or row.id)}
    try:  # https verified like mail: the system's CAs and mail.ca_bundle
        response = httpx.post(row.target, json=row.payload.get("json", {}), headers=headers,
                              timeout=app.settings.mail.timeout_seconds, follow_redirects=False,
                              verify=tls_context(app.settings.mail))
    except BelfortError as exc:
        raise DeliveryError(exc.code) from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"webhook HTTP {response.status_code}")


def backoff(attempts: int, cap_minutes: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd ... failure, never more than the cap."""
    return timedelta(minutes=min(2 ** max(0, attempts - 1), max(1, cap_minutes)))


def _claim_due(app: Appliance, now: datetime, limit: int) -> list[OutboxMessage]:
    """Pick due messages and push their next attempt past a lease, in one write transaction, so two
    workers never send the same message; a crash mid-send means a retry after the lease."""
    with write_session(app.db) as s:
        rows = list(s.exec(
            select(OutboxMessage).where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id)).limit(limit)
        ).all())
        for row in rows:
            row.next_attempt_at = now + LEASE
            s.add(row)
        return rows


def deliver_due(app: Appliance, now: datetime | None = None, *, limit: int = 200) -> dict[str, int]:
    """Send every due pending message once; returns counts {sent, retry, dead, waiting}."""
    now = now or utcnow()
    mail = app.settings.mail
    counts = {"sent": 0, "retry": 0, "dead": 0, "waiting": 0}
    for row in _claim_due(app, now, limit):
        error = ""
        try:
            (_send_webhook if row.channel == "webhook" else _send_smtp)(app, row)
        except DeliveryError as exc:
            error = exc.reason
        except Exception as exc:  # a bug must not stop the rest of the outbox
            log.exception("outbox: delivery of message %s crashed", row.id)
            error = f"internal {type(exc).__name__}"
        with write_session(app.db) as s:
            fresh = s.get(OutboxMessage, row.id)
            if fresh is None:
                continue
            if not error:
                fresh.state, fresh.sent_at, fresh.last_error = "sent", utcnow(), ""
                fresh.attempts += 1
                counts["sent"] += 1
            elif error in _WAITING:  # not the message's fault: wait, do not use up tries
                fresh.last_error, fresh.next_attempt_at = error, now + timedelta(minutes=1)
                counts["waiting"] += 1
            else:
                fresh.attempts += 1
                fresh.last_error = error[:300]
                if fresh.attempts >= mail.max_attempts:
                    fresh.state = "dead"
                    s.add(AuditEvent(actor="system", action="outbox.dead", target=f"outbox:{fresh.id}",
                                     detail={"ref": fresh.ref, "channel": fresh.channel,
                                             "attempts": fresh.attempts, "error": fresh.last_error}))
                    counts["dead"] += 1
                else:
                    fresh.next_attempt_at = now + backoff(fresh.attempts, mail.backoff_max_minutes)
                    counts["retry"] += 1
            s.add(fresh)
        if error:
            log.warning("outbox: message %s (%s) not delivered: %s", row.id, row.channel, error)
    return counts


def retry(app: Appliance, message_id: int, *, by: str = "admin") -> OutboxMessage:
    """Put a dead (or waiting) message back in line now, with a fresh set of attempts."""
    with write_session(app.db) as s:
        row = s.get(OutboxMessage, message_id)
        if row is None:
            raise NotFound("outbox.not_found", f"no outbox message {message_id}")
        if row.state == "sent":
            raise BelfortError("outbox.already_sent", f"outbox message {message_id} was delivered already",
                               hint="nothing to retry", status=409)
        previous = row.state
        row.state, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
        s.add(row)
        s.add(AuditEvent(actor=by, action="outbox.retry", target=f"outbox:{message_id}",
                         detail={"previous_state": previous, "ref": row.ref}))
        s.flush()
        return row


def list_messages(app: Appliance, *, state: str | None = None, ref: str | None = None,
                  limit: int = 200) -> list[OutboxMessage]:
    with read_session(app.db) as s:
        q = select(OutboxMessage)
        if state:
            q = q.where(OutboxMessage.state == state)
        if ref:
            q = q.where(OutboxMessage.ref == ref)
        return list(s.exec(q.order_by(col(OutboxMessage.id).desc()).limit(limit)).all())
