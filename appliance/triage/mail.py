"""Reading an incoming mail for triage: body, attachments and the signals that keep it from auto-routing.

The body and attachments come from the mail extractor every ingest uses (`ingest.extract.mail`:
HTML rendered to text, remote images never fetched, unknown charsets decoded with a fallback). This
module adds what only triage needs: who sent it, whether the sender looks spoofed, and whether the mail
is one of Belfort's own coming back (a loop) or an auto-reply that must never be answered.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from pathlib import Path

from appliance.mail import ROUTE_HEADER, message_id_domain
from appliance.settings import MailSettings
from ingest.types import Attachment, IngestError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Outlook .msg (compound file)
_AUTH_FAIL = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*(fail|softfail|permerror)\b", re.IGNORECASE)
# Bounded parts (RFC 5321 sizes): with `+` a long display name without '@' cost quadratic time.
_ADDRESS_IN_NAME = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


@dataclass
class ParsedMail:
    kind: str  # eml | msg
    subject: str = ""
    sender: str = ""  # address only
    sender_name: str = ""
    message_id: str = ""
    date: str = ""
    text: str = ""  # body text ("" when the mail has none)
    html_only: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    spoof_signals: list[str] = field(default_factory=list)
    loop_signals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # charset_unknown, unparseable, ...


def fix_text(text: str) -> str:
    """Header text from an unknown charset comes back with lone surrogates for its bytes: decode those
    bytes with the same fallback the bodies get (SQLite and UTF-8 refuse surrogates)."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    from ingest.extract.common import decode_bytes

    return decode_bytes(text.encode("utf-8", "surrogateescape"))[0].encode("utf-8", "replace").decode("utf-8")


def sniff_kind(raw: bytes) -> str:
    return "msg" if raw.startswith(OLE_MAGIC) else "eml"


def _header(msg: EmailMessage, name: str) -> str:
    try:
        values = msg.get_all(name) or []
    except Exception:  # noqa: BLE001 - a malformed header must not sink the mail
        return ""
    return " ".join(" ".join(str(v).split()) for v in values)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower()


def _org_domain(domain: str) -> str:
    """The last two labels: 'mail.gemeente.be' and 'gemeente.be' belong together (good enough here;
    a mismatch only sends the item to a person, it never rejects it)."""
    labels = [x for x in domain.split(".") if x]
    return ".".join(labels[-2:])


def spoof_signals(msg: EmailMessage, sender: str, sender_name: str) -> list[str]:
    """Reasons to doubt the From address. Any one keeps the item from being routed automatically."""
    signals: list[str] = []
    froms = getaddresses([_header(msg, "from")])
    if len([a for _, a in froms if a]) > 1:
        signals.append("multiple_from")
    for name in ("authentication-results", "arc-authentication-results"):
        for method, result in _AUTH_FAIL.findall(_header(msg, name)):
            signals.append(f"{method.lower()}_{result.lower()}")
    spf = _header(msg, "received-spf").lower()
    if spf.startswith(("fail", "softfail")):
        signals.append("received_spf_fail")
    return_path = parseaddr(_header(msg, "return-path"))[1]
    if return_path and sender and _org_domain(_domain(return_path)) != _org_domain(_domain(sender)):
        signals.append("return_path_mismatch")
    shown = _ADDRESS_IN_NAME.findall(sender_name or "")
    if any(a.lower() != sender.lower() for a in shown):
        signals.append("address_in_display_name")  # "Burgemeester <x@evil>" showing another address
    return list(dict.fromkeys(signals))


def loop_signals(msg: EmailMessage | None, sender: str, message_id: str, mail: MailSettings) -> list[str]:
    """Signs that the mail is Belfort's own (routed mail coming back) or an automatic reply."""
    signals: list[str] = []
    own = message_id_domain(mail)
    if msg is not None:
        if _header(msg, ROUTE_HEADER):
            signals.append("route_header")
        auto = _header(msg, "auto-submitted").lower()
        if auto and auto != "no":
            signals.append("auto_submitted")
        if _header(msg, "x-autoreply") or _header(msg, "x-autorespond") or \
                _header(msg, "precedence").lower() == "auto_reply":
            signals.append("auto_reply")
        for ref in re.findall(r"<([^<>\s]+)>", _header(msg, "in-reply-to") + " " + _header(msg, "references")):
            if ref.lower().startswith("belfort.") and ref.lower().endswith("@" + own):
                signals.append("reply_to_own")  # a reply to a mail Belfort routed
    mid = message_id.strip("<> ").lower()
    if mid.startswith("belfort.") and mid.endswith("@" + own):
        signals.append("own_message_id")
    own_from = parseaddr(mail.from_address)[1].lower()
    if sender and own_from and sender.lower() == own_from:
        signals.append("own_address")
    return list(dict.fromkeys(signals))


def _unknown_charsets(msg: EmailMessage) -> bool:
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        charset = part.get_content_charset()
        if charset:
            try:
                codecs.lookup(charset)
            except LookupError:
                return True
    return False


def parse_eml(raw: bytes, mail: MailSettings) -> ParsedMail:
    """Parse a stored .eml. Raises IngestError only when the bytes are not a mail at all."""
    # The mail extractor's own body and attachment readers, on one parse (a 50 MB attachment parsed
    # twice costs seconds and hundreds of MB).
    from ingest.extract.common import looks_binary
    from ingest.extract.mail import _eml_attachments, _eml_body
    from ingest.extract.mail import _header as mail_header

    if looks_binary(raw[:4096]):
        raise IngestError("ingest.corrupt", "This mail file contains binary data and is not a valid EML.")
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    if not msg.keys():
        raise IngestError("ingest.corrupt", "This file has no mail headers.")
    name, address = "", ""
    try:
        header = msg["from"]
        addresses = getattr(header, "addresses", ()) if header is not None else ()
        if addresses:
            name, address = str(addresses[0].display_name or ""), str(addresses[0].addr_spec or "")
    except Exception:  # noqa: BLE001 - a malformed From: the plain parser below reads what it can
        name, address = "", ""
    if not address:
        name, address = parseaddr(_header(msg, "from"))
    address = address.strip().lower()[:254]
    message_id = _header(msg, "message-id")[:500]
    parsed = ParsedMail(
        kind="eml", subject=fix_text(mail_header(msg, "subject"))[:500], sender=fix_text(address),
        sender_name=fix_text(" ".join(name.split()))[:200], message_id=fix_text(message_id),
        date=fix_text(mail_header(msg, "date")),
        text=fix_text(_eml_body(msg)), html_only=msg.get_body(preferencelist=("plain",)) is None
        and msg.get_body(preferencelist=("html",)) is not None,
        attachments=_eml_attachments(msg),
    )
    parsed.spoof_signals = spoof_signals(msg, address, name)
    parsed.loop_signals = loop_signals(msg, address, message_id, mail)
    if _unknown_charsets(msg):
        parsed.notes.append("charset_unknown")
    return parsed


def parse_msg(path: Path, mail: MailSettings) -> ParsedMail:
    """An Outlook .msg dropped by staff: no transport headers to judge, so only the loop checks on
    the sender apply (and a person routes what the model is unsure of, as always)."""
    from ingest.extract.mail import extract_msg

    extracted = extract_msg(path, "application/vnd.ms-outlook")
    name, address = parseaddr(str(extracted.meta.get("sender", "")))
    parsed = ParsedMail(
        kind="msg", subject=str(extracted.meta.get("subject", ""))[:500], sender=address.lower()[:254],
        sender_name=" ".join(name.split())[:200], date=str(extracted.meta.get("date", "")),
        text=extracted.pages[0].text if extracted.pages else "", attachments=list(extracted.children),
    )
    parsed.loop_signals = loop_signals(None, parsed.sender, "", mail)
    return parsed


def parse_mail(path: Path, raw: bytes, mail: MailSettings) -> ParsedMail:
    """Never raises: a mail that cannot be read is still an item (flagged, for a person)."""
    kind = sniff_kind(raw)
    try:
        return parse_msg(path, mail) if kind == "msg" else parse_eml(raw, mail)
    except IngestError as err:
        return ParsedMail(kind=kind, notes=["unparseable", err.code])
    except Exception as exc:  # noqa: BLE001 - hostile input: keep the original, let a person look
        return ParsedMail(kind=kind, notes=["unparseable", type(exc).__name__])
