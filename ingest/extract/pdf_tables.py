"""Tables in born-digital PDFs: rows and columns from where pdfium places the text, not from rulings.

pdfium reports a page's text as rectangles of text runs. Runs on one line that stand far apart (more
than a line height and a half) are cells; three or more consecutive lines of cells whose starts line
up form a table, which is rendered like any other (ingest.extract.tables). A page without such a
block keeps pdfium's own text, unchanged. Two columns of running text are not a table: a block of
two columns counts only when one of them holds numbers (a price list, a budget).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.extract.tables import is_numeric, render_table

MAX_RECTS = 5000  # a page drawn as thousands of runs (a map, a chart): not worth the search
MIN_ROWS = 3
RECENT_LINES = 8
CELL_GAP = 1.5  # in line heights
COLUMN_TOLERANCE = 6.0  # points


@dataclass
class _Line:
    top: float
    bottom: float
    runs: list[tuple[float, float, str]] = field(default_factory=list)  # (x0, x1, text)

    def cells(self) -> list[tuple[float, float, str]]:
        """(x0, x1, text) of each cell: runs closer than CELL_GAP line heights are one cell."""
        height = max(self.top - self.bottom, 1.0)
        out: list[tuple[float, float, str]] = []
        for x0, x1, text in sorted(self.runs):
            if out and x0 - out[-1][1] < CELL_GAP * height:
                out[-1] = (out[-1][0], max(out[-1][1], x1), f"{out[-1][2]} {text}")
            else:
                out.append((x0, x1, text))
        return [(x0, x1, " ".join(t.split())) for x0, x1, t in out if t.strip()]


def _lines(textpage: Any) -> list[_Line] | None:
    count = textpage.count_rects()
    if count > MAX_RECTS:
        return None
    lines: list[_Line] = []
    for i in range(count):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top)
        if not text.strip():
            continue
        middle = (top + bottom) / 2
        # Runs come in reading order: their line is one of the last few (bounded: linear time).
        line = next((ln for ln in reversed(lines[-RECENT_LINES:]) if ln.bottom <= middle <= ln.top), None)
        if line is None:
            line = _Line(top=top, bottom=bottom)
            lines.append(line)
        line.runs.append((left, right, text))
    lines.sort(key=lambda ln: -ln.top)
    return lines


def _columns(block: list[list[tuple[float, float, str]]]) -> list[tuple[float, float]]:
    """Columns as the union of the cells' extents: left-, right- and centre-aligned cells of one
    column overlap; columns are separated by space no cell crosses."""
    columns: list[tuple[float, float]] = []
    for x0, x1, _ in sorted((c for row in block for c in row), key=lambda c: c[0]):
        if columns and x0 <= columns[-1][1] + COLUMN_TOLERANCE:
            columns[-1] = (columns[-1][0], max(columns[-1][1], x1))
        else:
            columns.append((x0, x1))
    return columns


def _grid(block: list[list[tuple[float, float, str]]]) -> list[list[str]]:
    columns = _columns(block)
    grid = []
    for row in block:
        cells = [""] * len(columns)
        for x0, _, text in row:
            i = next(k for k in range(len(columns) - 1, -1, -1) if columns[k][0] <= x0 + COLUMN_TOLERANCE)
            cells[i] = f"{cells[i]} {text}".strip()
        grid.append(cells)
    return grid


def _is_table(grid: list[list[str]]) -> bool:
    if len(grid) < MIN_ROWS or len(grid[0]) < 2 or len(grid[0]) > 12:
        return False
    if len(grid[0]) >= 3:
        return True
    body = grid[1:]
    return any(2 * sum(1 for row in body if is_numeric(row[i])) >= len(body) for i in range(2))


def page_text_with_tables(textpage: Any) -> str | None:
    """The page's text with its tables rendered row by row, or None when it has none."""
    lines = _lines(textpage)
    if not lines:
        return None
    out: list[str] = []
    found = False
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and len(lines[j].cells()) >= 2:
            j += 1
        grid = _grid([ln.cells() for ln in lines[i:j]]) if j - i >= MIN_ROWS else []
        if grid and _is_table(grid):
            out.append(render_table(grid))
            found, i = True, j
            continue
        for line in lines[i:max(j, i + 1)]:
            out.append(" ".join(text for _, _, text in line.cells()))
        i = max(j, i + 1)
    return "\n".join(out) if found else None
