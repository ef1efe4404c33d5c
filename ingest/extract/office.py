"""Word processor files: DOCX (python-docx) and ODT (odfpy), headings, paragraphs and tables in order.

These formats have no fixed pages, so the whole text is one Page; tables become tab-separated lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.extract.common import check_archive, clean_text, title_from_stem, wrap_errors
from ingest.types import Extracted, Page

ODT_MAX_TAGS = 800_000  # odfpy keeps a Python object per element (~1 KiB each)


def extract_docx(path: Path, mime: str) -> Extracted:
    check_archive(path, "DOCX")
    with wrap_errors("DOCX"):
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
        blocks: list[str] = []
        heading = ""
        for item in _docx_blocks(document.element.body, document._body, Paragraph, Table):
            if isinstance(item, Paragraph):
                text = item.text.strip()
                if not text:
                    continue
                style = (item.style.name if item.style is not None else "") or ""
                if not heading and (style.startswith("Heading") or style == "Title"):
                    heading = text
                blocks.append(text)
            elif isinstance(item, Table):
                blocks.append(_docx_table(item))
        core_title = (document.core_properties.title or "").strip()
    text = clean_text("\n\n".join(b for b in blocks if b))
    return Extracted(
        kind="docx", mime=mime, title=core_title or heading or title_from_stem(path),
        pages=[Page(number=1, text=text)],
        meta={"author": document.core_properties.author or ""},
    )


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
    lines = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # Merged cells repeat the same object across the span; write them once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            lines.append("\t".join(cells))
    return "\n".join(lines)


def extract_odt(path: Path, mime: str) -> Extracted:
    check_archive(path, "ODT", max_tags=ODT_MAX_TAGS)
    with wrap_errors("ODT"):
        from odf import opendocument, teletype
        from odf.namespaces import TABLENS, TEXTNS

        document = opendocument.load(str(path))
        blocks: list[str] = []
        heading = ""

        def walk(node: Any) -> None:
            for child in node.childNodes:
                qname = getattr(child, "qname", None)
                if qname == (TEXTNS, "h"):
                    text = teletype.extractText(child).strip()
                    if text:
                        nonlocal heading
                        heading = heading or text
                        blocks.append(text)
                elif qname == (TEXTNS, "p"):
                    text = teletype.extractText(child).strip()
                    if text:
                        blocks.append(text)
                elif qname == (TABLENS, "table"):
                    blocks.append(_odt_table(child, teletype, TABLENS))
                elif qname is not None:
                    walk(child)  # sections, lists, frames

        walk(document.text)
        meta_title = ""
        for node in document.meta.childNodes:
            if getattr(node, "qname", (None, None))[1] == "title":
                meta_title = teletype.extractText(node).strip()
    text = clean_text("\n\n".join(b for b in blocks if b))
    return Extracted(
        kind="odt", mime=mime, title=meta_title or heading or title_from_stem(path),
        pages=[Page(number=1, text=text)],
    )


def _odt_table(table: Any, teletype: Any, tablens: str) -> str:
    lines = []
    from odf.table import TableRow

    for row in table.getElementsByType(TableRow):
        cells = [" ".join(teletype.extractText(c).split())
                 for c in row.childNodes if getattr(c, "qname", None) == (tablens, "table-cell")]
        if any(cells):
            lines.append("\t".join(cells))
    return "\n".join(lines)

