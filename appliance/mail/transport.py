"""Connections to the mail servers: SMTP for what Belfort sends, IMAP for the triage mailbox.

Both verify the server's certificate against the system's CAs plus, where set, the organisation's own
CA (`mail.ca_bundle`), check that it names the configured host, and ask for TLS 1.2 or later.
`tls` is TLS from the first byte; `starttls` upgrades the connection before anything else is said, and
a server that does not offer STARTTLS is refused (a man in the middle strips it first). No user
name, password or mail leaves Belfort before the certificate is verified; only `plain`, set
explicitly, talks in clear, and then `belfort doctor` warns.
"""

from __future__ import annotations

import imaplib
import logging
import smtplib
import ssl
from typing import Literal

from appliance.errors import BelfortError
from appliance.settings import IntakeSettings, MailSettings

log = logging.getLogger(__name__)

Security = Literal["starttls", "tls", "plain"]


def tls_context(mail: MailSettings) -> ssl.SSLContext:
    """Certificate and host name checked; the organisation's CA trusted beside the system's."""
    ctx = ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if mail.ca_bundle:
        try:
            ctx.load_verify_locations(cafile=mail.ca_bundle)
        except (OSError, ssl.SSLError, ValueError):
            raise BelfortError(
                "mail.ca_bundle_invalid",
                f"mail.ca_bundle {mail.ca_bundle} is not a readable PEM file of certificates",
                hint="set mail.ca_bundle to the PEM file of the organisation's CA (BEGIN CERTIFICATE "
                     "blocks), or leave it empty", status=503) from None
    return ctx


def tls_failed(server: str, exc: ssl.SSLError) -> BelfortError:
    reason = getattr(exc, "verify_message", "") or exc.reason or type(exc).__name__
    log.warning("%s: TLS refused: %s", server, reason)
    return BelfortError(
        "mail.tls_failed", f"the {server} server's TLS was refused ({reason}); nothing was sent",
        hint="if the server's certificate comes from the organisation's own CA, set mail.ca_bundle to that "
             "CA's PEM file; the host name in the settings must be one the certificate names", status=503)


def starttls_unavailable(server: str, setting: str) -> BelfortError:
    return BelfortError(
        "mail.starttls_unavailable", f"the {server} server does not offer STARTTLS; nothing was sent",
        hint=f"enable STARTTLS on the server or set {setting} = \"tls\" (implicit TLS); \"plain\" sends the "
             "password in clear and is for a trusted network only (belfort doctor warns)", status=503)


def open_smtp(mail: MailSettings) -> smtplib.SMTP:
    """An SMTP connection, greeted, on which a login and mail may go. Raises BelfortError for TLS
    (mail.tls_failed, mail.starttls_unavailable, mail.ca_bundle_invalid), else OSError/SMTPException."""
    security = mail.smtp_security
    context = None if security == "plain" else tls_context(mail)
    try:
        if security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(mail.smtp_host, mail.smtp_port,
                                                  timeout=mail.timeout_seconds, context=context)
        else:
            smtp = smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=mail.timeout_seconds)
    except ssl.SSLError as exc:
        raise tls_failed("SMTP", exc) from None
    try:
        smtp.ehlo()
        if security == "starttls":
            if not smtp.has_extn("starttls"):
                raise starttls_unavailable("SMTP", "mail.smtp_security")
            smtp.starttls(context=context)
            smtp.ehlo()  # RFC 3207: forget what was said before TLS, ask again
    except ssl.SSLError as exc:
        smtp.close()
        raise tls_failed("SMTP", exc) from None
    except BaseException:
        smtp.close()
        raise
    return smtp


def open_imap(intake: IntakeSettings, mail: MailSettings) -> imaplib.IMAP4:
    """An IMAP connection, not yet logged in, on which the password may go. Raises BelfortError for
    TLS (as open_smtp), else OSError/IMAP4.error."""
    security = intake.imap_security
    context = None if security == "plain" else tls_context(mail)
    timeout = mail.timeout_seconds
    try:
        if security == "tls":
            return imaplib.IMAP4_SSL(intake.imap_host, intake.imap_port, ssl_context=context, timeout=timeout)
        conn = imaplib.IMAP4(intake.imap_host, intake.imap_port, timeout=timeout)
    except ssl.SSLError as exc:
        raise tls_failed("IMAP", exc) from None
    if security == "plain":
        return conn
    try:
        if "STARTTLS" not in conn.capabilities:
            raise starttls_unavailable("IMAP", "intake.imap_security")
        conn.starttls(ssl_context=context)
    except ssl.SSLError as exc:
        close_imap(conn)
        raise tls_failed("IMAP", exc) from None
    except BaseException:
        close_imap(conn)
        raise
    return conn


def close_imap(conn: imaplib.IMAP4) -> None:
    try:
        conn.shutdown()
    except OSError:  # a failed handshake has already taken the socket down
        pass
