"""HTML tables and lists: the grid of a <table> (spans expanded, <th> rows as headers), list markers.

A table that holds headings, nested tables or long running text is a layout table (old intranet
pages are built of them): the page walk reads it as blocks instead.
"""

from __future__ import annotations

from typing import Any

from ingest.extract.tables import LAYOUT_CELL_CHARS, clamp_span, render_table

_LAYOUT_INSIDE = "h1, h2, h3, h4, h5, h6, ul, ol, pre"
_SECTIONS = {"thead", "tbody", "tfoot"}


def is_data_table(table: Any) -> bool:
    if table.css_first(_LAYOUT_INSIDE) is not None:
        return False
    if any(inner.mem_id != table.mem_id for inner in table.css("table")):  # css() may match the node itself
        return False
    return all(len(cell.text(deep=True) or "") <= LAYOUT_CELL_CHARS for cell in table.css("td, th"))


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


def table_grid(table: Any) -> tuple[list[list[str]], int]:
    """(rows of cell texts with merged cells repeated, number of leading header rows)."""
    grid: list[list[str]] = []
    pending: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, text) of a rowspan
    header_rows, in_header = 0, True
    for tr, in_thead in _rows(table):
        cells = [c for c in tr.iter() if c.tag in ("td", "th")]
        row: list[str] = []
        for cell in cells:
            _fill_pending(row, pending)
            text = " ".join((cell.text(deep=True) or "").split())
            rowspan = clamp_span(cell.attributes.get("rowspan") or 1)
            for _ in range(clamp_span(cell.attributes.get("colspan") or 1)):
                if rowspan > 1:
                    pending[len(row)] = (rowspan - 1, text)
                row.append(text)
        _fill_pending(row, pending)
        if in_header and cells and (in_thead or all(c.tag == "th" for c in cells)):
            header_rows += 1
        else:
            in_header = False
        grid.append(row)
    return grid, header_rows


def _fill_pending(row: list[str], pending: dict[int, tuple[int, str]]) -> None:
    """Repeat the cells of earlier rows that span down into this position."""
    while len(row) in pending:
        left, text = pending.pop(len(row))
        if left > 1:
            pending[len(row)] = (left - 1, text)
        row.append(text)


def table_text(table: Any) -> str:
    grid, header_rows = table_grid(table)
    caption = table.css_first("caption")
    text = render_table(grid, header_rows)
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
