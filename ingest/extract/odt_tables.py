"""The grid of an ODF table (odfpy): header rows, spans and repeated cells and rows expanded.

ODF writes a run of equal cells or rows once with a repeat count (an empty sheet row is often
"repeated 1,048,000 times"): empty runs are dropped, others capped, so a file cannot blow up.
"""

from __future__ import annotations

from typing import Any

from ingest.extract.tables import MAX_SPAN, clamp_span

MAX_ROW_REPEAT = 1000
MAX_GRID_CELLS = 500_000  # cells and spanned positions of one table
_ROW_GROUPS = ("table-header-rows", "table-rows", "table-row-group")


def _rows(node: Any, in_header: bool = False) -> list[tuple[Any, bool]]:
    """(table-row, inside table-header-rows) of this table, not of tables nested in its cells."""
    from odf.namespaces import TABLENS

    out: list[tuple[Any, bool]] = []
    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname == (TABLENS, "table-row"):
            out.append((child, in_header))
        elif qname is not None and qname[0] == TABLENS and qname[1] in _ROW_GROUPS:
            out.extend(_rows(child, in_header or qname[1] == "table-header-rows"))
    return out


def odt_table_grid(table: Any, teletype: Any) -> tuple[list[list[str]], int]:
    """(rows of cell texts with merged cells repeated, number of header rows)."""
    from odf.namespaces import TABLENS

    grid: list[list[str]] = []
    covered: dict[tuple[int, int], str] = {}  # position -> text of the cell whose span covers it
    header_rows = size = 0
    for tr, in_header in _rows(table):
        if size > MAX_GRID_CELLS:  # a hostile file: the rows so far are the table
            break
        row: list[str] = []
        for cell in tr.childNodes:
            qname = getattr(cell, "qname", None)
            if qname not in ((TABLENS, "table-cell"), (TABLENS, "covered-table-cell")):
                continue
            repeat = _repeat(cell.attributes.get((TABLENS, "number-columns-repeated")), MAX_SPAN)
            if qname[1] == "covered-table-cell":
                for _ in range(repeat):
                    row.append(covered.get((len(grid), len(row)), ""))
                continue
            text = " ".join(teletype.extractText(cell).split())
            cols = clamp_span(cell.attributes.get((TABLENS, "number-columns-spanned")) or 1)
            rows = clamp_span(cell.attributes.get((TABLENS, "number-rows-spanned")) or 1)
            for _ in range(repeat):
                if rows * cols > 1 and size < MAX_GRID_CELLS:
                    size += rows * cols
                    for i in range(rows):
                        for j in range(cols):
                            if i or j:
                                covered[(len(grid) + i, len(row) + j)] = text
                row.append(text)
        repeated = tr.attributes.get((TABLENS, "number-rows-repeated"))
        times = _repeat(repeated, MAX_ROW_REPEAT) if any(row) else 1
        for _ in range(times):
            grid.append(list(row))
        size += len(row) * times
        if in_header and header_rows == len(grid) - times:  # leading header rows only
            header_rows += times
    return grid, header_rows


def _repeat(value: object, cap: int) -> int:
    try:
        return max(1, min(int(str(value or 1)), cap))
    except ValueError:
        return 1
