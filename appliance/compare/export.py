"""A comparison as Markdown and as DOCX with real revision marks (w:ins / w:del), so that Word and
LibreOffice show the changes as tracked changes that can be accepted or rejected one by one."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from itertools import count

from appliance.ai_label import AiLabel, ai_label, mark_docx, markdown_comment
from appliance.compare.diff import DELETE, EQUAL, INSERT, Piece
from appliance.compare.summary import Summary, change_list
from appliance.compare.versions import Comparison, Entry
from appliance.i18n import t

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _md_escape(text: str) -> str:
    """Document text is data: Markdown and HTML characters are escaped, so nothing in it renders as markup."""
    out = text
    for ch in "\\`*_{}[]<>#|~":
        out = out.replace(ch, "\\" + ch)
    return out


def _kind(kind: str, lang: str) -> str:
    """'(gewijzigd) ' before a quoted statement: what happened to the unit it quotes."""
    return f"({t(lang, f'compare.state.{kind}')}) " if kind else ""


def _md_pieces(pieces: list[Piece]) -> str:
    parts = []
    for k, p in enumerate(pieces):
        text = _md_escape(p.text)
        parts.append((" " if p.space and k else "") +
                     (f"~~{text}~~" if p.op == DELETE else f"**{text}**" if p.op == INSERT else text))
    return "".join(parts)


def _ai(c: Comparison, lang: str, summary: Summary | None) -> AiLabel | None:
    """The AI label of an export whose summary a model wrote (the change list itself is plain diffing)."""
    if c.status != "changed" or summary is None or not summary.statements or summary.mode not in ("free", "composed"):
        return None
    return ai_label(lang, "compare", str(summary.checks.get("model", "") or "LLM"), reviewed=False)


def to_markdown(c: Comparison, lang: str, summary: Summary | None = None) -> str:
    ai = _ai(c, lang, summary)
    lines = ([markdown_comment(ai), ""] if ai else []) + [f"# {t(lang, 'compare.title')}", "",
             f"- {t(lang, 'compare.old_version')}: {_md_escape(c.old_title)}",
             f"- {t(lang, 'compare.new_version')}: {_md_escape(c.new_title)}", "",
             t(lang, f"compare.status.{c.status}"), ""]
    if c.status != "changed":
        return "\n".join(lines)
    if summary is not None and summary.statements:
        lines += [f"## {t(lang, 'compare.summary')}", "", f"_{t(lang, 'compare.ai_made')}_", ""]
        lines += [f"_{_md_escape(ai.text)}_", ""] if ai else []
        lines += [f"- {_kind(s.kind, lang)}{_md_escape(s.text)} ({', '.join(_md_escape(c) for c in s.cites)})"
                  for s in summary.statements]
        lines.append("")
    lines += [f"## {t(lang, 'compare.changes')}", ""]
    lines += [f"- {_md_escape(line)}" for line in change_list(c, lang)]
    lines += ["", f"## {t(lang, 'compare.details')}", ""]
    for e in c.changes:
        lines += [f"### {_md_escape(e.name)} — {t(lang, f'compare.state.{e.status}')}", "", _md_pieces(e.pieces), ""]
        for r in e.rows:
            cells = "; ".join(f"{_md_escape(x['column'])}: ~~{_md_escape(x['old'])}~~ **{_md_escape(x['new'])}**"
                              for x in r.cells)
            lines.append(f"- {t(lang, 'compare.row')} {_md_escape(r.label)} ({t(lang, f'compare.state.{r.status}')}): "
                         f"{cells}")
        if e.rows:
            lines.append("")
    return "\n".join(lines)


def _xml_safe(text: str) -> str:
    return _CONTROL.sub("", text)


def to_docx(c: Comparison, lang: str, summary: Summary | None = None, author: str = "Belfort") -> bytes:
    from docx import Document

    doc = Document()
    ai = _ai(c, lang, summary)
    if ai:
        mark_docx(doc, ai)
    doc.add_heading(t(lang, "compare.title"), level=1)
    doc.add_paragraph(f"{t(lang, 'compare.old_version')}: {_xml_safe(c.old_title)}")
    doc.add_paragraph(f"{t(lang, 'compare.new_version')}: {_xml_safe(c.new_title)}")
    doc.add_paragraph(t(lang, f"compare.status.{c.status}"))
    if c.status == "changed":
        if summary is not None and summary.statements:
            doc.add_heading(t(lang, "compare.summary"), level=2)
            doc.add_paragraph(t(lang, "compare.ai_made")).runs[0].italic = True
            if ai:
                doc.add_paragraph(ai.text).runs[0].italic = True
            for s in summary.statements:
                doc.add_paragraph(f"{_kind(s.kind, lang)}{s.text} ({', '.join(s.cites)})", style="List Bullet")
        doc.add_heading(t(lang, "compare.changes"), level=2)
        for line in change_list(c, lang):
            doc.add_paragraph(line, style="List Bullet")
        doc.add_heading(t(lang, "compare.details"), level=2)
        ids = count(1)
        date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for e in c.entries:
            _entry(doc, e, lang, ids, author, date)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _entry(doc: object, e: Entry, lang: str, ids: count[int], author: str, date: str) -> None:
    heading = e.name if e.status == "unchanged" else f"{e.name} — {t(lang, f'compare.state.{e.status}')}"
    doc.add_heading(heading, level=3)  # type: ignore[attr-defined]
    paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
    for k, p in enumerate(e.pieces):
        if p.space and k:
            paragraph.add_run(" ")
        text = p.text
        if p.op == EQUAL:
            paragraph.add_run(text)
        else:
            _revision(paragraph, p.op, text, next(ids), author, date)


def _revision(paragraph: object, op: str, text: str, rid: int, author: str, date: str) -> None:
    """A run inside <w:ins> or <w:del>: a tracked insertion or deletion."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    mark = OxmlElement("w:ins" if op == INSERT else "w:del")
    mark.set(qn("w:id"), str(rid))
    mark.set(qn("w:author"), author)
    mark.set(qn("w:date"), date)
    run = OxmlElement("w:r")
    node = OxmlElement("w:t" if op == INSERT else "w:delText")
    node.set(qn("xml:space"), "preserve")
    node.text = text
    run.append(node)
    mark.append(run)
    paragraph._p.append(mark)  # type: ignore[attr-defined]
