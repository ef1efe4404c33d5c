"""A minimal born-digital PDF writer (Helvetica, WinAnsi) so the demo has a real PDF with a text layer.

No PDF library among our dependencies writes PDFs; this writes the few objects a reader needs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

LINES_PER_PAGE = 48


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", "replace")  # WinAnsiEncoding: Dutch and French accents, €, –
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: list[str], title: bool) -> bytes:
    out = [b"BT", b"/F1 11 Tf", b"14 TL", b"56 790 Td"]
    for i, line in enumerate(lines):
        size = b"14" if title and i == 0 else b"11"
        out.append(b"/F1 " + size + b" Tf (" + _escape(line) + b") Tj T*")
    out.append(b"ET")
    return b"\n".join(out)


def write_pdf(text: str, target: Path, title: str = "") -> Path:
    lines: list[str] = []
    for para in text.splitlines():
        lines += textwrap.wrap(para, 90) or [""]
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    objects: list[bytes] = []  # object n is objects[n-1]
    n_pages = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    # A text string in the Info dictionary is PDFDocEncoding or UTF-16BE with a BOM, never cp1252 (an en
    # dash would read as "Œ"): the title goes as UTF-16BE in a hex string, which needs no escaping either.
    hex_title = ("\ufeff" + title).encode("utf-16-be").hex().upper()
    info = f"<< /Title <{hex_title}> /Producer (Belfort demo) >>".encode() if title else b"<< >>"
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, page_lines in enumerate(pages):
        content = _content(page_lines, title=i == 0)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(info)
    target.write_bytes(assemble(objects, info_ref=len(objects)))
    return target


def assemble(objects: list[bytes], *, info_ref: int) -> bytes:
    """A PDF file of `objects` (object n is objects[n-1]; 1 is the catalog), with its xref table and a
    trailer naming object `info_ref` as the Info dictionary."""
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        body += b"%010d 00000 n \n" % off
    body += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, info_ref, xref)
    return bytes(body)
