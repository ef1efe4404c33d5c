"""Plain text and Markdown: decode whatever charset the file has, keep the text as written.

Markdown keeps its text too, except pipe tables, which become one line per row with the column
headers (ingest.extract.tables); its '#' headings give the chunks their heading path.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.extract.common import clean_text, decode_bytes, looks_binary, title_from_stem
from ingest.extract.tables import render_table
from ingest.types import Extracted, Heading, IngestError, Page

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_MD_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def extract_text(path: Path, mime: str) -> Extracted:
    data = path.read_bytes()
    if looks_binary(data):
        raise IngestError("ingest.encoding",
                          "This text file contains binary data and cannot be read as text.",
                          hint="Save it again as UTF-8 text, or convert it to PDF, and drop it again.")
    text, encoding = decode_bytes(data)
    text = clean_text(text)
    title = ""
    headings: list[Heading] = []
    if path.suffix.lower() in {".md", ".markdown"}:
        text = clean_text(_pipe_tables(text))
        headings = [Heading(m.start(), len(m.group(1)), m.group(2)[:200]) for m in _MD_HEADING.finditer(text)]
        title = next((h.text for h in headings if h.level == 1 and h.offset < 4000), "")
    return Extracted(kind="text", mime=mime, title=title or title_from_stem(path),
                     pages=[Page(number=1, text=text, headings=headings)], meta={"encoding": encoding})


def _pipe_tables(text: str) -> str:
    """Markdown pipe tables (a header line, a '|---|' rule, rows) as rows that keep their headers."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|") and i + 1 < len(lines) and _MD_RULE.match(lines[i + 1].strip()):
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            rows = [_pipe_cells(line) for line in [lines[i], *lines[i + 2:j]]]
            out.append(render_table(rows, header_rows=1))
            i = j
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out)


def _pipe_cells(line: str) -> list[str]:
    line = line.strip()
    line = line.removeprefix("|")
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)]
