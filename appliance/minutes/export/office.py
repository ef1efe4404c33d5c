"""Minutes as DOCX (python-docx) and ODT (odfpy), in the municipality's house style when configured.

`minutes.docx_template` / `minutes.odt_template` name a document whose styles, header, footer and
logo the export keeps; its body (a letterhead, say) stays above the minutes. Without one a plain
built-in style is used. Both writers escape text themselves (they build XML nodes, never markup).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.ai_label import mark_docx, mark_odt
from appliance.errors import BelfortError
from appliance.minutes.export.data import (
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


class _Docx:
    """Paragraphs and headings that fall back to plain text when a house template lacks the style."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc

    def para(self, text: str, style: str | None = None) -> Any:
        try:
            return self.doc.add_paragraph(clean(text), style=style)
        except KeyError:  # a house template without that style: plain paragraph
            return self.doc.add_paragraph(clean(text))

    def heading(self, text: str, level: int) -> Any:
        try:
            return self.doc.add_heading(clean(text), level=level)
        except KeyError:
            p = self.doc.add_paragraph()
            p.add_run(clean(text)).bold = True
            return p


def to_docx(data: ExportData, labels: dict[str, str], settings: MinutesSettings) -> bytes:
    from docx import Document

    template = _template(settings.docx_template, ".docx")
    doc = Document(str(template)) if template else Document()
    out = _Docx(doc)
    _docx_properties(doc, data, labels, settings)
    _docx_front(out, data, labels, settings)
    _docx_items(out, data, labels)
    _docx_actions(out, data, labels)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _docx_properties(doc: Any, data: ExportData, labels: dict[str, str], settings: MinutesSettings) -> None:
    props = doc.core_properties
    props.title = one_line(data.minutes.title)[:250]
    props.author = one_line(settings.organisation) or "Belfort"
    props.comments = status_line(data, labels)
    props.keywords = "minutes" if data.approved else "minutes; AI-generated draft"
    if data.ai:
        mark_docx(doc, data.ai)


def _docx_front(out: _Docx, data: ExportData, labels: dict[str, str], settings: MinutesSettings) -> None:
    """Organisation, title, approval status, model line and the meeting facts."""
    from docx.shared import Pt

    if settings.organisation:
        out.para(settings.organisation).runs[0].bold = True
    out.heading(f"{labels['minutes']}: {one_line(data.minutes.title)}", 0)
    status = out.para("")
    run = status.add_run(status_line(data, labels))
    run.bold = True
    run.font.size = Pt(12)
    out.para(model_line(data, labels))
    if data.ai:
        out.para(data.ai.text).runs[0].italic = True
    for key, value in _facts(data, labels):
        p = out.para("")
        p.add_run(f"{key}: ").bold = True
        p.add_run(value)


def _docx_items(out: _Docx, data: ExportData, labels: dict[str, str]) -> None:
    if not data.items:
        out.para(labels["none"])
    for number, title, items in data.groups():
        out.heading(group_title(number, title, labels), 1)
        for item in items:
            kind, extra = _item_lines(item, labels)
            p = out.para("", "List Bullet")
            p.add_run(f"{kind}: ").bold = True
            p.add_run(clean(item.text))
            if extra:
                p.add_run(" (" + "; ".join(extra) + ")").italic = True


def _docx_actions(out: _Docx, data: ExportData, labels: dict[str, str]) -> None:
    todo = actions(data)
    if not todo:
        return
    out.heading(labels["actions"], 1)
    table = out.doc.add_table(rows=1, cols=3)
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


# --- ODT -------------------------------------------------------------------------------------


class _Odt:
    """An ODT body with Belfort's automatic styles (titles, status, body text, bold and italic runs)."""

    def __init__(self, doc: Any) -> None:
        from odf.style import Style, TableColumnProperties

        self.doc = doc
        self.h0 = self._style("BelfortTitle", "paragraph", fontsize="18pt", fontweight="bold")
        self.h1 = self._style("BelfortHeading", "paragraph", fontsize="14pt", fontweight="bold")
        self.strong = self._style("BelfortStatus", "paragraph", fontsize="12pt", fontweight="bold")
        self.body = self._style("BelfortBody", "paragraph")
        self.bold = self._style("BelfortBold", "text", fontweight="bold")
        self.italic = self._style("BelfortItalic", "text", fontstyle="italic")
        self.italic_p = self._style("BelfortLabel", "paragraph", fontstyle="italic")
        self.col = Style(name="BelfortCol", family="table-column")
        self.col.addElement(TableColumnProperties(columnwidth="5.5cm"))
        doc.automaticstyles.addElement(self.col)

    def _style(self, name: str, family: str, **text: str) -> Any:
        from odf.style import ParagraphProperties, Style, TextProperties

        st = Style(name=name, family=family)
        if family == "paragraph":
            st.addElement(ParagraphProperties(marginbottom="0.2cm"))
        if text:
            st.addElement(TextProperties(**text))
        self.doc.automaticstyles.addElement(st)
        return st

    def p(self, text: str = "", st: Any = None) -> Any:
        from odf.text import P

        el = P(stylename=self.body if st is None else st, text=clean(text))
        self.doc.text.addElement(el)
        return el

    def h(self, text: str, level: int, st: Any) -> None:
        from odf.text import H

        self.doc.text.addElement(H(outlinelevel=level, stylename=st, text=clean(text)))


def to_odt(data: ExportData, labels: dict[str, str], settings: MinutesSettings) -> bytes:
    from odf.opendocument import OpenDocumentText, load

    template = _template(settings.odt_template, ".odt")
    doc = load(str(template)) if template else OpenDocumentText()
    out = _Odt(doc)
    if data.ai:
        mark_odt(doc, data.ai)
    _odt_front(out, data, labels, settings)
    _odt_items(out, data, labels)
    _odt_actions(out, data, labels)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _odt_front(out: _Odt, data: ExportData, labels: dict[str, str], settings: MinutesSettings) -> None:
    from odf.text import Span

    if settings.organisation:
        out.p(one_line(settings.organisation), out.strong)
    out.h(f"{labels['minutes']}: {one_line(data.minutes.title)}", 1, out.h0)
    out.p(status_line(data, labels), out.strong)
    out.p(model_line(data, labels))
    if data.ai:
        out.p(data.ai.text, out.italic_p)
    for key, value in _facts(data, labels):
        el = out.p()
        el.addElement(Span(stylename=out.bold, text=f"{key}: "))
        el.addText(value)


def _odt_items(out: _Odt, data: ExportData, labels: dict[str, str]) -> None:
    from odf.text import List, ListItem, P, Span

    if not data.items:
        out.p(labels["none"])
    for number, title, items in data.groups():
        out.h(group_title(number, title, labels), 2, out.h1)
        lst = List()
        for item in items:
            kind, extra = _item_lines(item, labels)
            el = P(stylename=out.body)
            el.addElement(Span(stylename=out.bold, text=f"{kind}: "))
            el.addText(clean(item.text))
            if extra:
                el.addElement(Span(stylename=out.italic, text=" (" + "; ".join(extra) + ")"))
            li = ListItem()
            li.addElement(el)
            lst.addElement(li)
        out.doc.text.addElement(lst)


def _odt_actions(out: _Odt, data: ExportData, labels: dict[str, str]) -> None:
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    todo = actions(data)
    if not todo:
        return
    out.h(labels["actions"], 2, out.h1)
    table = Table(name="Actions")
    for _ in range(3):
        table.addElement(TableColumn(stylename=out.col))
    for values in [(labels["action"], labels["owner"], labels["deadline"])] + [
            (clean(i.text), one_line(i.owner), one_line(i.deadline)) for i in todo]:
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(stylename=out.body, text=value))
            row.addElement(cell)
        table.addElement(row)
    out.doc.text.addElement(table)
