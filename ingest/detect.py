"""What kind of file is this, and what is its content hash (the idempotency key)?

Magic bytes first, because names lie (a `.pdf` that is really a ZIP, a scan saved as `.doc`);
the extension only decides between formats that have no magic (HTML, text, CSV, mail).
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

from ingest.types import IngestError

KIND_MIME: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "html": "text/html",
    "text": "text/plain",
    "eml": "message/rfc822",
    "msg": "application/vnd.ms-outlook",
    "image": "image/*",
}
IMAGE_MIME = {"png": "image/png", "jpeg": "image/jpeg", "tiff": "image/tiff"}

_EXTENSIONS: dict[str, str] = {
    ".pdf": "pdf", ".docx": "docx", ".odt": "odt", ".xlsx": "xlsx", ".csv": "csv",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".md": "text",
    ".markdown": "text", ".text": "text", ".eml": "eml", ".msg": "msg",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image",
}
SUPPORTED_HINT = (
    "Supported: PDF, DOCX, ODT, XLSX, CSV, HTML, TXT/MD, EML, MSG and PNG/JPEG/TIFF images. "
    "Convert the file to one of these (for example PDF) and drop it again."
)
# Possessive (`*+`): a backtracking `(<!--.*?-->\s*)*` took exponential time on a file that starts
# with many comments and is not HTML after all (40 empty comments: hours, with the GIL held).
_HTML_START = re.compile(
    rb"^\s*+(?:<!--.*?-->\s*+)*+<(!doctype\s+html|html|head|body|meta|title)\b", re.IGNORECASE | re.DOTALL
)
_MAIL_HEADER = re.compile(
    rb"^(received|return-path|from|to|subject|date|message-id|mime-version|delivered-to|x-[\w-]+):[ \t]",
    re.IGNORECASE,
)


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """Streamed, so a 300 MB file does not sit in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def detect(path: Path) -> tuple[str, str]:
    """Return (kind, mime); kind is one of KIND_MIME's keys."""
    path = Path(path)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise IngestError("ingest.unreadable", "The file could not be opened.",
                          hint="Check that the file still exists and that Belfort may read it.") from exc
    if size == 0:
        raise IngestError("ingest.empty", "The file is empty (0 bytes).",
                          hint="The copy may have failed; copy the file again.")
    ext = path.suffix.lower()
    by_magic = _by_magic(path, head, ext)
    if by_magic is not None:
        return by_magic
    by_ext = _EXTENSIONS.get(ext)
    if by_ext in {"html", "text", "csv", "eml"}:
        return by_ext, KIND_MIME[by_ext]
    if (by_ext is None and not ext) or ext in {".log", ".asc"}:
        sniffed = _sniff_text(head)
        if sniffed:
            return sniffed, KIND_MIME[sniffed]
    if by_ext in {"pdf", "docx", "odt", "xlsx", "msg", "image"}:
        # The name promises a binary format but the bytes do not match it.
        raise IngestError("ingest.corrupt",
                          f"The file is named {ext} but its content is not a valid {by_ext}.",
                          hint="Open it in its own application and save it again, or check the copy.")
    raise IngestError("ingest.unsupported_type",
                      f"Files of this type ({ext or 'no extension'}) are not supported.",
                      hint=SUPPORTED_HINT)


def _by_magic(path: Path, head: bytes, ext: str) -> tuple[str, str] | None:
    if head.lstrip(b"\x00\t\r\n ")[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf", KIND_MIME["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", IMAGE_MIME["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return "image", IMAGE_MIME["jpeg"]
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image", IMAGE_MIME["tiff"]
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path, ext)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # OLE2 container: Outlook .msg, but also old .doc/.xls, which we do not read.
        if ext == ".msg" or b"_\x00_\x00s\x00u\x00b\x00s\x00t\x00g" in head:
            return "msg", KIND_MIME["msg"]
        raise IngestError("ingest.unsupported_type",
                          "Old Microsoft Office files (.doc, .xls, .ppt) are not supported.",
                          hint="Save the file as DOCX, XLSX or PDF and drop it again.")
    if head.startswith((b"MZ", b"\x7fELF", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"GIF8", b"BM")):
        return None  # known binary we do not read: falls through to unsupported_type
    if _EXTENSIONS.get(ext) is None and _HTML_START.match(head):
        return "html", KIND_MIME["html"]
    return None


def _zip_kind(path: Path, ext: str) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                with zf.open("mimetype") as fh:  # never the whole member: it may be a zip bomb
                    mimetype = fh.read(100).decode("ascii", "replace").strip()
                if mimetype == KIND_MIME["odt"]:
                    return "odt", KIND_MIME["odt"]
            if "word/document.xml" in names:
                return "docx", KIND_MIME["docx"]
            if "xl/workbook.xml" in names:
                return "xlsx", KIND_MIME["xlsx"]
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        if ext in {".docx", ".odt", ".xlsx"}:
            raise IngestError("ingest.corrupt", f"The {ext} file is damaged (not a readable archive).",
                              hint="Open it in its office application and save it again.") from exc
        return None
    if ext in {".docx", ".odt", ".xlsx"}:
        raise IngestError("ingest.corrupt", f"The {ext} file does not contain a document.",
                          hint="Open it in its office application and save it again.")
    return None  # a plain ZIP or another office format: unsupported


def _sniff_text(head: bytes) -> str | None:
    from ingest.extract.common import looks_binary

    if looks_binary(head):
        return None
    if _HTML_START.match(head):
        return "html"
    if _MAIL_HEADER.match(head):
        return "eml"
    return "text"
