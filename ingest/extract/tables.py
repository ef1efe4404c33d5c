"""Tables and headings as text a reader, a search index and a small model can follow.

A table becomes one line per row in which every value keeps its column header and the row keeps its
label (the first cell): "Reispas volwassene: normale procedure € 85,00; dringende procedure € 270,00".
A flat run of cells ("Reispas volwassene € 85,00 € 270,00") loses which figure belongs to which
column, and a chunk cut in the middle of a long table would lose the header row altogether.

Extractors hand in the grid with merged cells already expanded (a span repeats its text in every
position it covers) and the number of rows the file itself marks as header rows (<th>, a Word
"repeat as header row", an ODF header-rows block); without such a mark the first row is taken as
the header when it looks like one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.extract.common import clean_text
from ingest.types import Heading

LAYOUT_CELL_CHARS = 300  # a cell this long is running text in a layout table, not a value
MAX_HEADER_CELL_CHARS = 80
MAX_SPAN = 64  # colspan/rowspan beyond this is a broken (or hostile) file, not a real table
MAX_HEADINGS = 5000  # per page; each is searched for in the page text
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")


def is_numeric(cell: str) -> bool:
    """An amount, a count, a date or a year ('€ 85,00', '2024', '12/03'): more digits than letters."""
    digits = len(_DIGIT.findall(cell))
    return digits > 0 and digits >= len(_LETTER.findall(cell))


def render_table(rows: Sequence[Sequence[str]], header_rows: int = 0) -> str:
    """The table as lines of text, one per body row, each value with its column header."""
    grid = _normalised(rows)
    if not grid:
        return ""
    if len(grid[0]) == 1 or any(len(c) > LAYOUT_CELL_CHARS for row in grid for c in row):
        return "\n".join(c for row in grid for c in _distinct(row) if c)  # layout table: its cells in order
    titles: list[str] = []
    while len(grid) > 2 and len({c for c in grid[0] if c}) == 1:  # a title above the table (a merged row)
        titles.append(next(c for c in grid.pop(0) if c))
        header_rows = max(0, header_rows - 1)
    n_head = min(header_rows, len(grid)) if header_rows > 0 else int(_looks_like_header(grid))
    if n_head >= len(grid):  # only header rows: they are the content
        n_head = 0
    headers = _column_headers(grid[:n_head], len(grid[0])) if n_head else [""] * len(grid[0])
    lines = titles + [_row_line(row, headers) for row in grid[n_head:]]
    return "\n".join(line for line in lines if line)


def _normalised(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    """Cells on one line, rows of equal width, empty rows and empty columns dropped."""
    grid = [[" ".join(str(c).split()) for c in row] for row in rows]
    grid = [row for row in grid if any(row)]
    if not grid:
        return []
    width = max(len(row) for row in grid)
    grid = [row + [""] * (width - len(row)) for row in grid]
    keep = [i for i in range(width) if any(row[i] for row in grid)]
    return [[row[i] for i in keep] for row in grid]


def _distinct(row: Sequence[str]) -> list[str]:
    """The row's cells without the repeats a horizontal merge leaves."""
    out: list[str] = []
    for cell in row:
        if not out or cell != out[-1]:
            out.append(cell)
    return out


def _looks_like_header(grid: list[list[str]]) -> bool:
    if len(grid) < 2:
        return False
    first, body = grid[0], grid[1:]
    if any(len(c) > MAX_HEADER_CELL_CHARS for c in first):
        return False
    if not first[0] and all(first[1:]):  # the empty corner of a cross table ('', 2024, 2025)
        return True
    if sum(1 for c in first if c) < 2 or any(is_numeric(c) for c in first if c):
        return False
    if len(first) >= 3:
        return True
    # Two columns are often 'key | value' rows without a header: a header is text above numbers.
    return any(2 * sum(1 for row in body if is_numeric(row[i])) >= len(body) for i in range(len(first)))


def _column_headers(head: list[list[str]], width: int) -> list[str]:
    """One header per column; stacked header rows ('Prijs' over 'normaal') are joined."""
    headers = []
    for i in range(width):
        parts: list[str] = []
        for row in head:
            if row[i] and row[i] not in parts:
                parts.append(row[i])
        headers.append(" ".join(parts))
    return headers


def _row_line(row: list[str], headers: list[str]) -> str:
    label = row[0]
    if label and headers[0] and is_numeric(label):  # '1' alone says nothing: 'Punt 1'
        label = f"{headers[0]} {label}"
    parts: list[str] = []
    for header, value in zip(headers[1:], row[1:], strict=True):
        if not value:
            continue
        if header and header != value:
            parts.append(f"{header} {value}")
        elif not header and parts and parts[-1] == value:
            continue  # a merged cell without a header: once is enough
        else:
            parts.append(value)
    if not parts:
        return label
    return f"{label}: {'; '.join(parts)}" if label else "; ".join(parts)


def clamp_span(value: object) -> int:
    try:
        return max(1, min(int(str(value)), MAX_SPAN))
    except ValueError:
        return 1


# -- headings --------------------------------------------------------------------------------------


def locate_headings(text: str, found: Sequence[tuple[int, str]]) -> list[Heading]:
    """Offsets of the headings (level, text) in the final page text, found in order.

    Extractors note their headings while they walk the file and find them afterwards in the cleaned
    text, so that clean-up never has to keep track of offsets. A heading that cannot be found (an
    empty one, or one that cleaning changed beyond recognition) is left out.
    """
    out: list[Heading] = []
    pos = 0
    for level, raw in found[:MAX_HEADINGS]:
        title = clean_text(" ".join(raw.split()))
        if not title:
            continue
        at = text.find(title, pos)
        if at < 0:
            continue
        out.append(Heading(offset=at, level=level, text=title[:200]))
        pos = at + len(title)
    return out
