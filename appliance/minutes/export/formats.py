"""Exports of reviewed minutes: DOCX, ODT, Markdown, action items (CSV, iCalendar) and decisions as
OSLO Besluit JSON-LD.

Only items a person accepted go out. Until the minutes are approved every export says, inside the
document itself, that it is an AI-generated draft; approved exports say who approved them and when.
Item texts come from an LLM reading a transcript of what anyone said in a meeting, so they are
treated as hostile: escaped for Markdown, cleaned of characters XML cannot hold, and defused
against spreadsheet formulas in CSV.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import col, select

from appliance.access import Principal
from appliance.ai_label import ai_label, markdown_comment
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Minutes, MinutesItem, Recording, TranscriptSegment
from appliance.errors import BelfortError, NotFound
from appliance.i18n import texts
from appliance.minutes.export.besluit import node_id, to_jsonld
from appliance.minutes.export.data import (
    ExportData,
    actions,
    fragment,
    group_title,
    model_line,
    one_line,
    parse_date,
    status_line,
    timecode,
    vote_line,
)
from appliance.minutes.export.office import to_docx, to_odt
from appliance.storage.csv_safe import formula_safe

if TYPE_CHECKING:
    from appliance.context import Appliance

FORMATS: dict[str, tuple[str, str]] = {  # format -> (file suffix, MIME type)
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
    "md": ("md", "text/markdown; charset=utf-8"),
    "actions.csv": ("actions.csv", "text/csv; charset=utf-8"),
    "actions.ics": ("actions.ics", "text/calendar; charset=utf-8"),
    "besluit.jsonld": ("besluit.jsonld", "application/ld+json"),
}
REVIEWER_ROLES = ("archivist", "admin", "system")


def can_read(who: Principal, minutes: Minutes) -> bool:
    """Reviewers (archivist, admin) read drafts; staff read minutes once a person approved them."""
    return who.role in REVIEWER_ROLES or minutes.state == "approved"


def load_minutes(app: Appliance, minutes_id: int, who: Principal | None = None) -> Minutes:
    from appliance.recordings import minutes_allowed

    with read_session(app.db) as s:
        minutes = s.get(Minutes, minutes_id)
        allowed = minutes is not None and (who is None or (can_read(who, minutes)
                                                           and minutes_allowed(s, who, minutes)))
    if minutes is None or not allowed:
        # Staff asking for a draft learn nothing about it, not even that it exists.
        raise NotFound("minutes.not_found", f"no minutes {minutes_id}")
    return minutes


def list_minutes(app: Appliance, who: Principal, limit: int = 200) -> list[tuple[Minutes, dict[str, int]]]:
    """The minutes `who` may read, newest first, with item counts per state."""
    from appliance.recordings import minutes_filter

    with read_session(app.db) as s:
        query = select(Minutes).order_by(col(Minutes.created_at).desc()).limit(limit)
        if who.role not in REVIEWER_ROLES:
            query = query.where(Minutes.state == "approved")
        query = query.where(minutes_filter(s, who))  # they follow their recording's visibility
        rows = list(s.exec(query).all())
        counts: dict[int, dict[str, int]] = {m.id: {} for m in rows if m.id is not None}
        if counts:
            items = s.exec(select(MinutesItem.minutes_id, MinutesItem.state)
                           .where(col(MinutesItem.minutes_id).in_(list(counts)))).all()
            for mid, state in items:
                counts[mid][state] = counts[mid].get(state, 0) + 1
    return [(m, counts.get(m.id or 0, {})) for m in rows]


def segments_of(app: Appliance, items: list[MinutesItem]) -> dict[int, TranscriptSegment]:
    """The transcript segments the items cite, by id (their timestamps link into the transcript)."""
    ids = sorted({sid for item in items for sid in item.segment_ids or []})
    if not ids:
        return {}
    with read_session(app.db) as s:
        rows = s.exec(select(TranscriptSegment).where(col(TranscriptSegment.id).in_(ids))).all()
    return {seg.id: seg for seg in rows if seg.id is not None}


def export_data(app: Appliance, minutes_id: int) -> ExportData:
    minutes = load_minutes(app, minutes_id)
    with read_session(app.db) as s:
        query = (select(MinutesItem)
                 .where(MinutesItem.minutes_id == minutes_id, MinutesItem.state == "accepted")
                 .order_by(col(MinutesItem.agenda_number), col(MinutesItem.ordinal), col(MinutesItem.id)))
        items = list(s.exec(query).all())
        rec = s.get(Recording, minutes.recording_id) if minutes.recording_id else None
    return ExportData(minutes, items, segments_of(app, items), rec.language if rec is not None else "")


def export_minutes(app: Appliance, minutes_id: int, fmt: str, *, lang: str = "",
                   who: Principal | None = None) -> tuple[bytes, str, str]:
    """(content, file name, MIME type) of one export; `who` (when given) must be allowed to read them."""
    if fmt not in FORMATS:
        raise BelfortError("minutes.bad_format", f"unknown export format {fmt!r}",
                           hint="one of " + ", ".join(FORMATS), status=404)
    if who is not None:
        load_minutes(app, minutes_id, who)
    data = export_data(app, minutes_id)
    # Texts inside the exported document: it goes out in the language asked for.
    lang = lang or app.settings.web.default_language
    labels = texts(lang, "minutes_export.")
    data.ai = ai_label(lang, "minutes", data.minutes.model, reviewed=data.approved)
    if fmt == "md":
        content = to_markdown(data, labels, app.settings.minutes.organisation).encode("utf-8")
    elif fmt == "actions.csv":
        content = to_csv(data, labels).encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8
    elif fmt == "actions.ics":
        content = to_ics(data, labels, app.settings.minutes.jsonld_base_uri)
    elif fmt == "besluit.jsonld":
        content = to_jsonld(data, labels, app.settings.minutes.jsonld_base_uri)
    else:
        content = (to_docx if fmt == "docx" else to_odt)(data, labels, app.settings.minutes)
    suffix, mime = FORMATS[fmt]
    with write_session(app.db) as s:
        s.add(AuditEvent(actor=who.username if who else "system", action="minutes.exported",
                         target=f"minutes:{minutes_id}",
                         detail={"format": fmt, "state": data.minutes.state, "items": len(data.items)}))
    return content, f"{file_stem(data.minutes)}.{suffix}", mime


def file_stem(minutes: Minutes) -> str:
    """`notulen-12-gemeenteraad` style: ASCII letters, digits and dashes only, never a path."""
    folded = unicodedata.normalize("NFKD", minutes.title or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-").lower()[:60].strip("-")
    return f"minutes-{minutes.id}" + (f"-{slug}" if slug else "")


# --- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_escape(text: str) -> str:
    # One line, every Markdown and HTML metacharacter escaped: the text renders as text, never as a
    # link, image, HTML tag or heading in whatever viewer opens the file.
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def to_markdown(data: ExportData, labels: dict[str, str], organisation: str = "") -> str:
    m = data.minutes
    out = [markdown_comment(data.ai), ""] if data.ai else []
    out += [f"# {labels['minutes']}: {md_escape(m.title)}", ""]
    if organisation:
        out += [f"**{md_escape(organisation)}**", ""]
    out += [f"> **{md_escape(status_line(data, labels))}**", ">", f"> {md_escape(model_line(data, labels))}"]
    out += [">", f"> {md_escape(data.ai.text)}", ""] if data.ai else [""]
    if m.body:
        out.append(f"- {labels['body']}: {md_escape(m.body)}")
    if m.meeting_date:
        out.append(f"- {labels['date']}: {md_escape(m.meeting_date)}")
    if m.attendees:
        out.append(f"- {labels['attendees']}: " + ", ".join(md_escape(a) for a in m.attendees))
    out.append("")
    if not data.items:
        out += [labels["none"], ""]
    for number, title, items in data.groups():
        out += [f"## {md_escape(group_title(number, title, labels))}", ""]
        for item in items:
            line = f"- **{labels.get(item.kind, item.kind)}**: {md_escape(item.text)}"
            extra = [vote_line(item, labels)] if item.kind == "decision" else []
            if item.kind == "action":
                extra += [f"{labels['owner']}: {md_escape(item.owner)}" if item.owner else "",
                          f"{labels['deadline']}: {md_escape(item.deadline)}" if item.deadline else ""]
            extra.append(fragment(item, labels))
            out.append(line + "".join(f" ({e})" for e in extra if e))
        out.append("")
    return "\n".join(out)


# --- action items: CSV and iCalendar ---------------------------------------------------------

CSV_COLUMNS = ("minutes_id", "item_id", "agenda_number", "agenda_item", "action", "owner", "deadline",
               "start", "status", "ai_label")


def csv_cell(value: object) -> str:
    """OWASP CSV injection: a cell a spreadsheet would read as a formula starts with a quote."""
    return formula_safe(one_line(str(value)))


def to_csv(data: ExportData, labels: dict[str, str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    status = status_line(data, labels)
    for item in actions(data):
        writer.writerow([csv_cell(v) for v in (
            data.minutes.id, item.id, item.agenda_number, item.agenda_title, item.text, item.owner,
            item.deadline, timecode(item.start), status, data.ai.text if data.ai else "")])
    return buf.getvalue()


def to_ics(data: ExportData, labels: dict[str, str], base_uri: str) -> bytes:
    """One VTODO per accepted action, DUE on its deadline; UIDs are stable across exports."""
    from icalendar import Calendar, Todo

    m = data.minutes
    cal = Calendar()
    cal.add("prodid", "-//Belfort//minutes//NL")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", one_line(f"{labels['actions']}: {m.title}"))
    if data.ai:
        cal.add("x-belfort-ai", data.ai.header())
    stamp = m.approved_at or m.created_at or datetime.now()
    status = status_line(data, labels)
    for item in actions(data):
        todo = Todo()
        todo.add("uid", node_id(base_uri, "actie", f"{m.id}-{item.id}"))
        todo.add("dtstamp", stamp)
        todo.add("summary", one_line(item.text)[:250])
        description = [status, group_title(item.agenda_number, item.agenda_title, labels)]
        if item.owner:
            description.append(f"{labels['owner']}: {one_line(item.owner)}")
        if data.ai:
            description.append(data.ai.text)
            todo.add("x-belfort-ai", data.ai.header())
        todo.add("description", "\n".join(description))
        due = parse_date(item.deadline)
        if due is not None:
            todo.add("due", due)
        todo.add("status", "NEEDS-ACTION")
        todo.add("categories", [labels["action"]] if data.approved else [labels["action"], labels["draft"]])
        cal.add_component(todo)
    return bytes(cal.to_ical())
