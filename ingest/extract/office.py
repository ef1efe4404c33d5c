"""Word processor files: DOCX (python-docx) and ODT (odfpy), headings, paragraphs and tables in order.

These formats have no fixed pages, so the whole text is one Page; tables become tab-separated lines.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ingest.extract.common import check_archive, clean_text, title_from_stem, wrap_errors
from ingest.extract.odt_tables import odt_table_grid
from ingest.extract.tables import clamp_span, locate_headings, render_table
from ingest.types import Extracted, Page

ODT_MAX_TAGS = 800_000  # odfpy keeps a Python object per element (~1 KiB each)
_HEADING_LEVEL = re.compile(r"Heading (\d)")
_NUMBERED_FORMATS = frozenset({"decimal", "decimalZero", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman"})
_LIST_ITEM = "\ue001"  # marks a block that is a list, so the next item joins it; removed below


def extract_docx(path: Path, mime: str) -> Extracted:
    check_archive(path, "DOCX")
    with wrap_errors("DOCX"):
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
        blocks: list[str] = []
        headings: list[tuple[int, str]] = []
        lists = _DocxLists(document)
        for item in _docx_blocks(document.element.body, document._body, Paragraph, Table):
            if isinstance(item, Paragraph):
                _docx_paragraph(item, blocks, headings, lists)
            elif isinstance(item, Table):
                blocks.append(_docx_table(item))
        core_title = (document.core_properties.title or "").strip()
    text = clean_text("\n\n".join(b for b in blocks if b).replace(_LIST_ITEM, ""))
    heading = headings[0][1] if headings else ""
    return Extracted(
        kind="docx", mime=mime, title=core_title or heading or title_from_stem(path),
        pages=[Page(number=1, text=text, headings=locate_headings(text, headings))],
        meta={"author": document.core_properties.author or ""},
    )


def _docx_paragraph(paragraph: Any, blocks: list[str], headings: list[tuple[int, str]],
                    lists: _DocxLists) -> None:
    """A heading is noted with its level; a list item joins the list before it, one item per line."""
    text = paragraph.text.strip()
    if not text:
        return
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    level = _HEADING_LEVEL.match(style)
    if style == "Title" or level:  # numbered headings ('1. Inleiding') are headings, not a list
        headings.append((int(level.group(1)) if level else 0, text))
        blocks.append(text)
        return
    marker = lists.marker(paragraph, style)
    if marker and blocks and blocks[-1].startswith(_LIST_ITEM):
        blocks[-1] += f"\n{_LIST_ITEM}{marker}{text}"
    else:
        blocks.append(f"{_LIST_ITEM}{marker}{text}" if marker else text)


class _DocxLists:
    """List markers: '- ' for bullets, '1. ', '2. ' for numbered lists (counted per list and level)."""

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, str], str] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            numbering = document.part.numbering_part.element
        except (AttributeError, KeyError, NotImplementedError):
            return
        from docx.oxml.ns import qn

        abstract = {a.get(qn("w:abstractNumId")): a for a in numbering.iterchildren(qn("w:abstractNum"))}
        for num in numbering.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            levels = abstract.get(ref.get(qn("w:val")) if ref is not None else None)
            for lvl in levels.iterchildren(qn("w:lvl")) if levels is not None else ():
                fmt = lvl.find(qn("w:numFmt"))
                self.formats[(num.get(qn("w:numId")), lvl.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "bullet")

    def marker(self, paragraph: Any, style: str) -> str:
        ppr = paragraph._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        if num_pr is not None and num_pr.numId is not None:
            key = (str(num_pr.numId.val), str(num_pr.ilvl.val if num_pr.ilvl is not None else 0))
            numbered = self.formats.get(key, "bullet") in _NUMBERED_FORMATS
        elif style.startswith("List"):
            key, numbered = (style, "0"), "Number" in style
        else:
            return ""
        if not numbered:
            return "- "
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{self.counters[key]}. "


def _docx_blocks(container: Any, parent: Any, paragraph_cls: Any, table_cls: Any) -> list[Any]:
    """Paragraphs and tables in reading order, including those inside content controls (w:sdt),
    which municipal Word templates use for every field and which python-docx's own iterator skips."""
    from docx.oxml.ns import qn

    blocks: list[Any] = []
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            blocks.append(paragraph_cls(child, parent))
        elif child.tag == qn("w:tbl"):
            blocks.append(table_cls(child, parent))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                blocks.extend(_docx_blocks(content, parent, paragraph_cls, table_cls))
    return blocks


def _docx_table(table: Any) -> str:
    try:  # the layout grid, spans repeated: computed once (row.cells recomputes it for every row)
        cells, width = table._cells, table._column_count
        grid = [[" ".join(c.text.split()) for c in cells[i:i + width]] for i in range(0, len(cells), width)]
    except (AttributeError, IndexError, ValueError):  # an irregular grid: row by row
        grid = [[" ".join(c.text.split()) for c in row.cells] for row in table.rows]
    header_rows = 0
    for row in table.rows:
        trpr = row._tr.trPr
        if trpr is None or not trpr.xpath("./w:tblHeader"):
            break
        header_rows += 1
    return render_table(grid, header_rows)


def extract_odt(path: Path, mime: str) -> Extracted:
    check_archive(path, "ODT", max_tags=ODT_MAX_TAGS)
    with wrap_errors("ODT"):
        from odf import opendocument, teletype

        document = opendocument.load(str(path))
        blocks: list[str] = []
        headings: list[tuple[int, str]] = []
        _odt_walk(document.text, blocks, headings, teletype)
        meta_title = ""
        for node in document.meta.childNodes:
            if getattr(node, "qname", (None, None))[1] == "title":
                meta_title = teletype.extractText(node).strip()
    text = clean_text("\n\n".join(b for b in blocks if b))
    heading = headings[0][1] if headings else ""
    return Extracted(
        kind="odt", mime=mime, title=meta_title or heading or title_from_stem(path),
        pages=[Page(number=1, text=text, headings=locate_headings(text, headings))],
    )


def _odt_walk(node: Any, blocks: list[str], headings: list[tuple[int, str]], teletype: Any) -> None:
    from odf.namespaces import TABLENS, TEXTNS

    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname == (TEXTNS, "h"):
            text = teletype.extractText(child).strip()
            if text:
                headings.append((clamp_span(child.attributes.get((TEXTNS, "outline-level")) or 1), text))
                blocks.append(text)
        elif qname == (TEXTNS, "p"):
            text = teletype.extractText(child).strip()
            if text:
                blocks.append(text)
        elif qname == (TEXTNS, "list"):
            blocks.append("\n".join(_odt_list_items(child, teletype)))
        elif qname == (TABLENS, "table"):
            blocks.append(render_table(*odt_table_grid(child, teletype)))
        elif qname is not None:
            _odt_walk(child, blocks, headings, teletype)  # sections, frames


def _odt_list_items(node: Any, teletype: Any) -> list[str]:
    """'- item' lines of a list and the lists nested in it, in order."""
    from odf.namespaces import TEXTNS

    items: list[str] = []
    for item in node.childNodes:
        if getattr(item, "qname", None) not in ((TEXTNS, "list-item"), (TEXTNS, "list-header")):
            continue
        for part in item.childNodes:
            qname = getattr(part, "qname", None)
            if qname == (TEXTNS, "list"):
                items.extend(_odt_list_items(part, teletype))
            elif qname is not None:
                text = " ".join(teletype.extractText(part).split())
                if text:
                    items.append(f"- {text}")
    return items
