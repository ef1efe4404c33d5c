"""The mail feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.mail.outbox import (
    ROUTE_HEADER,
    deliver_due,
    enqueue_mail,
    list_messages,
    mail_row,
    message_id_domain,
    webhook_row,
)
from appliance.mail.outbox import retry as retry_mail
from appliance.mail.transport import close_imap, open_imap, tls_context

__all__ = [
    "ROUTE_HEADER",
    "close_imap",
    "deliver_due",
    "enqueue_mail",
    "list_messages",
    "mail_row",
    "message_id_domain",
    "open_imap",
    "retry_mail",
    "tls_context",
    "webhook_row",
]
