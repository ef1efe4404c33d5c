"""Minutes as DOCX (python-docx) and ODT (odfpy), in the municipality's house style when configured.

`minutes.docx_template` / `minutes.odt_template` name a document whose styles, header, footer and
logo the export keeps; its body (a letterhead, say) stays above the minutes. Without one a plain
built-in style is used. Both writers escape text themselves (they build XML nodes, never markup).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.errors import BelfortError
from appliance.minutes.export.formats import (
    ExportData,
    actions,
    clean,
    fragment,
    group_title,
    model_line,
    one_line,
    status_line,
    vote_line,
)

if TYPE_CHECKING:
    from appliance.settings import MinutesSettings


def _template(path: str, suffix: str) -> Path | None:
    if not path:
        return None
    p = Path(path)
    if not p.is_file() or p.suffix.lower() != suffix:
        raise BelfortError("minutes.template_missing", f"the {suffix} template of minutes exports is missing",
                           hint=f"set minutes.{suffix[1:]}_template to an existing {suffix} file, or empty",
                           status=500)
    return p


def _facts(data: ExportData, labels: dict[str, str]) -> list[tuple[str, str]]:
    m = data.minutes
    facts = [(labels["body"], m.body), (labels["date"], m.meeting_date),
             (labels["attendees"], ", ".join(m.attendees or []))]
    return [(k, one_line(v)) for k, v in facts if v]


def _item_lines(item: Any, labels: dict[str, str]) -> tuple[str, list[str]]:
    extra = [vote_line(item, labels)] if item.kind == "decision" else []
    if item.kind == "action":
        extra += [f"{labels['owner']}: {one_line(item.owner)}" if item.owner else "",
                  f"{labels['deadline']}: {one_line(item.deadline)}" if item.deadline else ""]
    extra.append(fragment(item, labels))
    return labels.get(item.kind, item.kind), [e for e in extra if e]


# --- DOCX ------------------------------------------------------------------------------------


def to_docx(data: ExportData, labels: dict[str, str], settings: MinutesSettings) -> bytes:
    from docx import Document
    from docx.shared import Pt

    template = _template(settings.docx_template, ".docx")
    doc = Document(str(template)) if template else Document()

    def para(text: str, style: str | None = None) -> Any:
        try:
            return doc.add_paragraph(clean(text), style=style)
        except KeyError:  # a house template without that style: plain paragraph
            return doc.add_paragraph(clean(text))

    def heading(text: str, level: int) -> Any:
        try:
            return doc.add_heading(clean(text), level=level)
        except KeyError:
            p = doc.add_paragraph()
            p.add_run(clean(text)).bold = True
            return p

    m = data.minutes
    props = doc.core_properties
    props.title = one_line(m.title)[:250]
    props.author = one_line(settings.organisation) or "Belfort"
    props.comments = status_line(data, labels)
    props.keywords = "minutes" if data.approved else "minutes; AI-generated draft"
    if settings.organisation:
        para(settings.organisation).runs[0].bold = True
    heading(f"{labels['minutes']}: {one_line(m.title)}", 0)
    status = para("")
    run = status.add_run(status_line(data, labels))
    run.bold = True
    run.font.size = Pt(12)
    para(model_line(data, labels))
    for key, value in _facts(data, labels):
        p = para("")
        p.add_run(f"{key}: ").bold = True
        p.add_run(value)
    if not data.items:
        para(labels["none"])
    for number, title, items in data.groups():
        heading(group_title(number, title, labels), 1)
        for item in items:
            kind, extra = _item_lines(item, labels)
            p = para("", "List Bullet")
            p.add_run(f"{kind}: ").bold = True
            p.add_run(clean(item.text))
            if extra:
                p.add_run(" (" + "; ".join(extra) + ")").italic = True
    todo = actions(data)
    if todo:
        heading(labels["actions"], 1)
        table = doc.add_table(rows=1, cols=3)
        try:
            table.style = "Table Grid"
        except (KeyError, ValueError):
            pass
        header = (labels["action"], labels["owner"], labels["deadline"])
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
        for item in todo:
            row = table.add_row().cells
            row[0].text, row[1].text = clean(item.text), one_line(item.owner)
            row[2].text = one_line(item.deadline)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- ODT -------------------------------------------------------------------------------------


def to_odt(data: ExportData, labels: dict[str, str], settings: MinutesSettings) -> bytes:
    from odf.opendocument import OpenDocumentText, load
    from odf.style import ParagraphProperties, Style, TableColumnProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, List, ListItem, P, Span

    template = _template(settings.odt_template, ".odt")
    doc = load(str(template)) if template else OpenDocumentText()

    def style(name: str, family: str, **text: str) -> Style:
        st = Style(name=name, family=family)
        if family == "paragraph":
            st.addElement(ParagraphProperties(marginbottom="0.2cm"))
        if text:
            st.addElement(TextProperties(**text))
        doc.automaticstyles.addElement(st)
        return st

    h0 = style("BelfortTitle", "paragraph", fontsize="18pt", fontweight="bold")
    h1 = style("BelfortHeading", "paragraph", fontsize="14pt", fontweight="bold")
    strong = style("BelfortStatus", "paragraph", fontsize="12pt", fontweight="bold")
    body = style("BelfortBody", "paragraph")
    bold = style("BelfortBold", "text", fontweight="bold")
    italic = style("BelfortItalic", "text", fontstyle="italic")
    col = Style(name="BelfortCol", family="table-column")
    col.addElement(TableColumnProperties(columnwidth="5.5cm"))
    doc.automaticstyles.addElement(col)

    def p(text: str = "", st: Style = body) -> Any:
        el = P(stylename=st, text=clean(text))
        doc.text.addElement(el)
        return el

    def h(text: str, level: int, st: Style) -> None:
        doc.text.addElement(H(outlinelevel=level, stylename=st, text=clean(text)))

    m = data.minutes
    if settings.organisation:
        p(one_line(settings.organisation), strong)
    h(f"{labels['minutes']}: {one_line(m.title)}", 1, h0)
    p(status_line(data, labels), strong)
    p(model_line(data, labels))
    for key, value in _facts(data, labels):
        el = p()
        el.addElement(Span(stylename=bold, text=f"{key}: "))
        el.addText(value)
    if not data.items:
        p(labels["none"])
    for number, title, items in data.groups():
        h(group_title(number, title, labels), 2, h1)
        lst = List()
        for item in items:
            kind, extra = _item_lines(item, labels)
            el = P(stylename=body)
            el.addElement(Span(stylename=bold, text=f"{kind}: "))
            el.addText(clean(item.text))
            if extra:
                el.addElement(Span(stylename=italic, text=" (" + "; ".join(extra) + ")"))
            li = ListItem()
            li.addElement(el)
            lst.addElement(li)
        doc.text.addElement(lst)
    todo = actions(data)
    if todo:
        h(labels["actions"], 2, h1)
        table = Table(name="Actions")
        for _ in range(3):
            table.addElement(TableColumn(stylename=col))
        for values in [(labels["action"], labels["owner"], labels["deadline"])] + [
                (clean(i.text), one_line(i.owner), one_line(i.deadline)) for i in todo]:
            row = TableRow()
            for value in values:
                cell = TableCell(valuetype="string")
                cell.addElement(P(stylename=body, text=value))
                row.addElement(cell)
            table.addElement(row)
        doc.text.addElement(table)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
