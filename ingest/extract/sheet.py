"""Spreadsheets: XLSX (openpyxl, read-only streaming; one Page per sheet) and CSV (any charset/delimiter).

An XLSX row becomes one line in which each value keeps its column header (ingest.extract.tables);
CSV rows stay tab-separated lines.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ingest.extract.common import (
    check_archive,
    clean_text,
    decode_bytes,
    looks_binary,
    title_from_stem,
    wrap_errors,
)
from ingest.extract.tables import locate_headings, render_table
from ingest.types import Extracted, IngestError, Page

MAX_CELLS = 2_000_000  # a runaway sheet (formatting to row 1,048,576) must not stall the worker


def extract_xlsx(path: Path, mime: str) -> Extracted:
    check_archive(path, "XLSX", skip_xml=("xl/worksheets/",))  # sheets are streamed, MAX_CELLS
    with wrap_errors("XLSX"):
        import openpyxl

        workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
        try:
            pages: list[Page] = []
            names: list[str] = []
            cells = 0
            for number, sheet in enumerate(workbook.worksheets, start=1):
                rows: list[list[str]] = []
                for row in sheet.iter_rows(values_only=True):
                    cells += len(row)
                    if cells > MAX_CELLS:
                        break
                    values = ["" if v is None else " ".join(str(v).split()) for v in row]
                    while values and not values[-1]:
                        values.pop()
                    if values:
                        rows.append(values)
                names.append(sheet.title)
                # The sheet's name heads its page (and each chunk's path); its rows keep their headers.
                text = clean_text(f"{sheet.title}\n{render_table(rows)}")
                headings = locate_headings(text, [(1, sheet.title)])
                pages.append(Page(number=number, text=text, headings=headings))
            title = (workbook.properties.title or "").strip()
        finally:
            workbook.close()
    return Extracted(kind="xlsx", mime=mime, title=title or title_from_stem(path), pages=pages,
                     meta={"sheets": names, "truncated": cells > MAX_CELLS})


def extract_csv(path: Path, mime: str) -> Extracted:
    data = path.read_bytes()
    if looks_binary(data):
        raise IngestError("ingest.corrupt", "This CSV file contains binary data.",
                          hint="Export the table again as CSV (UTF-8) and drop it again.")
    text, encoding = decode_bytes(data)
    sample = text[:20_000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel  # one column, or too irregular to sniff
    with wrap_errors("CSV"):
        lines = []
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            values = [" ".join(v.split()) for v in row]
            if any(values):
                lines.append("\t".join(values))
    return Extracted(kind="csv", mime=mime, title=title_from_stem(path),
                     pages=[Page(number=1, text=clean_text("\n".join(lines)))],
                     meta={"encoding": encoding, "delimiter": getattr(dialect, "delimiter", ",")})
