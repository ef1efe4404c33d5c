"""Mail: EML (stdlib, policy.default) and Outlook MSG (extract-msg).

The body becomes the page text (HTML-only mail is converted; remote images are never fetched,
nothing here opens a connection). Attachments come back as children for the pipeline to ingest
as documents of their own, so a corrupt attachment fails on its own without losing the mail.
"""

from __future__ import annotations

import io
import mimetypes
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from ingest.extract.common import clean_text, decode_bytes, looks_binary, title_from_stem, wrap_errors
from ingest.extract.html import html_to_text
from ingest.names import bare_name
from ingest.types import Attachment, Extracted, IngestError, Page


def safe_attachment_name(name: str | None, index: int, content_type: str = "") -> str:
    """A bare file name: no folders, no control characters, never empty."""
    name = bare_name((name or "").replace("\x00", ""), portable=False)
    if not name:
        ext = mimetypes.guess_extension(content_type or "") or ".bin"
        name = f"attachment-{index}{ext}"
    return name[:200]


def extract_eml(path: Path, mime: str) -> Extracted:
    data = path.read_bytes()
    if looks_binary(data[:4096]):
        raise IngestError("ingest.corrupt", "This mail file contains binary data and is not a valid EML.",
                          hint="Save the mail again from the mail program ('Save as .eml') and retry.")
    with wrap_errors("EML"):
        message = BytesParser(policy=policy.default).parsebytes(data)
        if not message.keys():
            raise IngestError("ingest.corrupt", "This file has no mail headers.",
                              hint="Save the mail again from the mail program ('Save as .eml') and retry.")
        text = _eml_body(message)
        children = _eml_attachments(message)
        subject = _header(message, "subject")
        meta = {
            "subject": subject,
            "sender": _header(message, "from"),
            "to": _header(message, "to"),
            "date": _eml_date(_header(message, "date")),
            "message_id": _header(message, "message-id"),
            "attachments": [c.name for c in children],
        }
    return Extracted(kind="eml", mime=mime, title=subject[:300] or title_from_stem(path),
                     pages=[Page(number=1, text=text)], children=children, meta=meta)


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a malformed header must not sink the mail
        value = None
    return " ".join(str(value).split()) if value is not None else ""


def _eml_date(value: str) -> str:
    try:
        return parsedate_to_datetime(value).isoformat() if value else ""
    except (TypeError, ValueError, IndexError):
        return value


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, KeyError, AssertionError):
        pass  # unknown or wrong charset label: decode the raw bytes ourselves
    payload = part.get_payload(decode=True) or b""
    return decode_bytes(payload)[0] if isinstance(payload, bytes) else str(payload)


def _eml_body(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _part_text(body)  # type: ignore[arg-type]
    if body.get_content_subtype() == "html":
        text = html_to_text(text)[1]
    return clean_text(text)


def _leaf_parts(message: EmailMessage) -> list[EmailMessage]:
    """Leaves of the MIME tree; a forwarded mail (message/rfc822) is one leaf with its own attachments."""
    leaves: list[EmailMessage] = []
    stack: list[Any] = [message]
    while stack:
        part = stack.pop()
        if part.get_content_type() == "message/rfc822" and part is not message:
            leaves.append(part)
        elif part.is_multipart():
            payload = part.get_payload()
            stack.extend(reversed(payload if isinstance(payload, list) else []))
        else:
            leaves.append(part)
    return leaves


# Each attachment becomes a document (and a job) of its own: a mail carrying thousands would flood
# the queue, and nested mails multiply it. Real mails carry a few dozen at most.
MAX_ATTACHMENTS = 200


def _one_more(children: list[Attachment]) -> None:
    if len(children) >= MAX_ATTACHMENTS:
        raise IngestError("ingest.too_complex", f"This mail has more than {MAX_ATTACHMENTS} attachments.",
                          hint="Save the attachments as files and drop them in the folder instead.")


def _eml_attachments(message: EmailMessage) -> list[Attachment]:
    children: list[Attachment] = []
    body = message.get_body(preferencelist=("plain", "html"))
    for part in _leaf_parts(message):
        if part is body:
            continue
        _one_more(children)
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if disposition != "attachment" and not filename:
            continue  # alternative bodies, not files
        if disposition == "inline" and part.get("content-id") and part.get_content_maintype() == "image":
            continue  # logos and signatures embedded in the HTML body
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner_msg: Any = inner[0] if isinstance(inner, list) and inner else inner
            data = inner_msg.as_bytes() if hasattr(inner_msg, "as_bytes") else b""
            subject = _header(inner_msg, "subject") if isinstance(inner_msg, EmailMessage) else ""
            name = safe_attachment_name(filename or (subject + ".eml" if subject else ""),
                                        len(children) + 1, "message/rfc822")
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            name = safe_attachment_name(filename, len(children) + 1, part.get_content_type())
        children.append(Attachment(name=name, data=data))
    return children


def extract_msg(path: Path, mime: str) -> Extracted:
    import extract_msg as xmsg

    try:
        message = xmsg.openMsg(str(path), strict=False, delayAttachments=False)
    except Exception as exc:  # noqa: BLE001 - olefile and extract-msg raise many kinds
        raise IngestError("ingest.corrupt", f"This Outlook message could not be read ({type(exc).__name__}).",
                          hint="Open it in Outlook and save it again (as .msg or .eml), then retry.",
                          ) from None
    try:
        with wrap_errors("MSG"):
            return extracted_from_msg(message, path)
    finally:
        message.close()


def extracted_from_msg(message: Any, path: Path) -> Extracted:
    """Map an extract-msg Message (or anything with the same attributes) to Extracted."""
    body = message.body or ""
    if not body.strip() and getattr(message, "htmlBody", None):
        html = message.htmlBody
        body = html_to_text(decode_bytes(html)[0] if isinstance(html, bytes) else html)[1]
    children: list[Attachment] = []
    skipped = 0
    for att in getattr(message, "attachments", []) or []:
        _one_more(children)
        data = getattr(att, "data", None)
        name = (getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
                or getattr(att, "name", None))
        if isinstance(data, bytes):
            children.append(Attachment(safe_attachment_name(name, len(children) + 1), data))
        elif data is not None and hasattr(data, "subject"):  # an embedded Outlook message
            try:
                from extract_msg.ole_writer import OleWriter

                writer = OleWriter()
                writer.fromMsg(data)
                buffer = io.BytesIO()
                writer.write(buffer)
                fallback = (data.subject or "message") + ".msg"
                children.append(Attachment(safe_attachment_name(name or fallback, len(children) + 1),
                                           buffer.getvalue()))
            except Exception:  # noqa: BLE001 - keep the mail; report the attachment as skipped
                skipped += 1
        else:
            skipped += 1  # web links and broken attachments carry no bytes
    subject = " ".join((message.subject or "").split())
    date = getattr(message, "date", None)
    meta = {
        "subject": subject,
        "sender": " ".join((message.sender or "").split()),
        "to": " ".join((getattr(message, "to", "") or "").split()),
        "date": date.isoformat() if date is not None and hasattr(date, "isoformat") else str(date or ""),
        "attachments": [c.name for c in children],
        "attachments_skipped": skipped,
    }
    return Extracted(kind="msg", mime="application/vnd.ms-outlook",
                     title=subject[:300] or title_from_stem(path),
                     pages=[Page(number=1, text=clean_text(body))], children=children, meta=meta)
