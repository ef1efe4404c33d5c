"""HTML tables and lists: the grid of a <table> (spans expanded, <th> rows as headers), list markers.

A table whose cells hold headings, lists, tables or long running text is a layout table (old
intranet pages are built of them): the page walk reads it as blocks instead.
"""

from __future__ import annotations

from typing import Any

from ingest.extract.tables import LAYOUT_CELL_CHARS, clamp_span, render_table

_LAYOUT_CHILDREN = {"table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre"}
_SECTIONS = {"thead", "tbody", "tfoot"}
MAX_COLUMNS = 256
MAX_GRID_CELLS = 500_000  # spans expanded; beyond this (a hostile file) the table is read as blocks


def _cells(tr: Any) -> list[Any]:
    return [c for c in tr.iter() if c.tag in ("td", "th")]


def _plain_cells(rows: list[tuple[Any, bool]]) -> bool:
    """No cell holds a heading, a list or a table of its own (only its children are looked at, so
    that a page of tables nested thousands deep is still read in linear time)."""
    return not any(child.tag in _LAYOUT_CHILDREN for tr, _ in rows for cell in _cells(tr) for child in cell.iter())


def _rows(table: Any) -> list[tuple[Any, bool]]:
    """(tr, inside thead) in document order, this table's own rows only."""
    rows: list[tuple[Any, bool]] = []
    for child in table.iter():
        if child.tag == "tr":
            rows.append((child, False))
        elif child.tag in _SECTIONS:
            rows.extend((tr, child.tag == "thead") for tr in child.iter() if tr.tag == "tr")
        elif child.tag == "caption":
            continue
    return rows


def table_grid(rows: list[tuple[Any, bool]]) -> tuple[list[list[str]], int] | None:
    """(rows of cell texts with merged cells repeated, number of leading header rows); None when the
    expanded grid would be too large."""
    grid: list[list[str]] = []
    pending: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, text) of a rowspan
    header_rows, in_header, size = 0, True, 0
    for tr, in_thead in rows:
        cells = _cells(tr)
        row: list[str] = []
        for cell in cells:
            _fill_pending(row, pending)
            text = " ".join((cell.text(deep=True) or "").split())
            rowspan = clamp_span(cell.attributes.get("rowspan") or 1)
            for _ in range(clamp_span(cell.attributes.get("colspan") or 1)):
                if len(row) >= MAX_COLUMNS:
                    break
                if rowspan > 1:
                    pending[len(row)] = (rowspan - 1, text)
                row.append(text)
        _fill_pending(row, pending)
        if in_header and cells and (in_thead or all(c.tag == "th" for c in cells)):
            header_rows += 1
        else:
            in_header = False
        size += len(row)
        if size > MAX_GRID_CELLS:
            return None
        grid.append(row)
    return grid, header_rows


def _fill_pending(row: list[str], pending: dict[int, tuple[int, str]]) -> None:
    """Repeat the cells of earlier rows that span down into this position."""
    while len(row) in pending:
        left, text = pending.pop(len(row))
        if left > 1:
            pending[len(row)] = (left - 1, text)
        row.append(text)


def table_text(table: Any) -> str | None:
    """The table row by row with its headers; None for a layout table (the walk reads it as blocks)."""
    rows = _rows(table)
    if not _plain_cells(rows):
        return None
    built = table_grid(rows)
    if built is None or any(len(c) > LAYOUT_CELL_CHARS for row in built[0] for c in row):
        return None
    caption = table.css_first("caption")
    text = render_table(*built)
    title = " ".join((caption.text(deep=True) or "").split()) if caption is not None else ""
    return f"{title}\n{text}" if title else text


def list_markers(node: Any) -> dict[int, str]:
    """The marker of each item of a <ul> ('- ') or <ol> ('1. ', from its start attribute on)."""
    if node.tag != "ol":
        return {li.mem_id: "- " for li in node.iter() if li.tag == "li"}
    try:
        number = int(node.attributes.get("start") or 1)
    except ValueError:
        number = 1
    markers = {}
    for li in node.iter():
        if li.tag == "li":
            markers[li.mem_id] = f"{number}. "
            number += 1
    return markers
