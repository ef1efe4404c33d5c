"""Publication of approved minutes for LBLOD: notulen and besluitenlijst as HTML with RDFa (what the
harvester reads), the same graphs as Turtle and JSON-LD, and the agenda.

Only approved minutes are published: a draft is never typed as a Besluit, so the CLI, the page and
the API all refuse it. Publishing again writes the same files with the same URIs (ids come from the
database; the first publication date is kept).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph
from sqlmodel import select

from appliance.access import Principal
from appliance.db.engine import write_session
from appliance.db.tables import AuditEvent, MeetingRecord
from appliance.errors import BelfortError
from appliance.i18n import t
from appliance.minutes.lblod.check import Report, check_graph
from appliance.minutes.lblod.graph import build_graph, check_base
from appliance.minutes.lblod.rdfa import to_html
from appliance.minutes.lblod.record import Record, load_record
from appliance.storage.files import atomic_write_bytes

if TYPE_CHECKING:
    from appliance.context import Appliance

CHECK_BASE = "https://belfort.invalid/"  # stands in for an unset base URI: the level does not depend on it
CHECKED = ("besluitenlijst", "notulen")
FILES = ("besluitenlijst.html", "notulen.html", "besluitenlijst.ttl", "notulen.jsonld", "agenda.html")


@dataclass
class Publication:
    minutes_id: int
    folder: Path
    files: list[Path] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    zitting: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"minutes_id": self.minutes_id, "folder": str(self.folder), "zitting": self.zitting,
                "files": [p.name for p in self.files], "reports": [r.as_dict() for r in self.reports]}


def base_uri(app: Appliance, base: str | None = None) -> str:
    if not base and not app.settings.minutes.lblod_base_uri:
        # Not the caller's data but the server's set-up: a conflict with its state, like a draft.
        raise BelfortError("lblod.no_base_uri", "no base URI: the setting minutes.lblod_base_uri is not set",
                           hint="set minutes.lblod_base_uri, or give --base-uri https://…", status=409)
    return check_base(base if base else app.settings.minutes.lblod_base_uri)


def check_record(record: Record, base: str | None = None) -> list[Report]:
    """The maturity of each published document, as it would be once the minutes are approved."""
    base = check_base(base or CHECK_BASE)
    return [check_graph(build_graph(record, base, kind), kind) for kind in CHECKED]


def check_minutes(app: Appliance, minutes_id: int, base: str | None = None) -> list[Report]:
    configured = base or app.settings.minutes.lblod_base_uri or None
    return check_record(load_record(app, minutes_id), configured)


def _first_publication(record: Record) -> date:
    when = record.meeting.published_at
    return when.date() if when is not None else datetime.now(UTC).date()


def _notice(record: Record) -> str:
    m = record.minutes
    when = m.approved_at.strftime("%Y-%m-%d") if m.approved_at else ""
    return t("nl", "lblod.pub.notice", who=m.approved_by, when=when)


def render(record: Record, base: str, published: date) -> dict[str, bytes]:
    """The five files of one publication, by name."""
    title = record.minutes.title or f"Zitting {record.minutes.meeting_date}"
    graphs: dict[str, Graph] = {kind: build_graph(record, base, kind, published)
                                for kind in ("besluitenlijst", "notulen", "agenda")}
    notice = _notice(record)
    names = {f"{base}id/zittingen/{record.minutes.id}": title}
    out = {f"{kind}.html": to_html(g, f"{t('nl', f'lblod.pub.{kind}')}: {title}", notice, names)
           for kind, g in graphs.items()}
    out["besluitenlijst.ttl"] = graphs["besluitenlijst"].serialize(format="turtle").encode("utf-8")
    context = {prefix: str(ns) for prefix, ns in graphs["notulen"].namespaces()
               if prefix in ("besluit", "mandaat", "eli", "prov", "dct", "skos", "foaf", "lblodlg", "xsd")}
    doc = json.loads(graphs["notulen"].serialize(format="json-ld", context=context, auto_compact=True))
    out["notulen.jsonld"] = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    return out


def publish_minutes(app: Appliance, who: Principal, minutes_id: int, *, base: str | None = None,
                    out_dir: Path | None = None) -> Publication:
    record = load_record(app, minutes_id)
    if record.minutes.state != "approved":
        raise BelfortError("lblod.not_approved", "only approved minutes are published; these are an unapproved "
                           "AI draft", hint="review every item and approve the minutes first", status=409)
    base = base_uri(app, base)
    folder = out_dir or _default_folder(app, minutes_id)
    published = _first_publication(record)
    files = render(record, base, published)
    folder.mkdir(parents=True, exist_ok=True)
    result = Publication(minutes_id, folder, zitting=f"{base}id/zittingen/{minutes_id}")
    for name in FILES:
        result.files.append(atomic_write_bytes(folder / name, files[name]))
    result.reports = check_record(record, base)
    _remember(app, who, record, base, published, result)
    return result


def _default_folder(app: Appliance, minutes_id: int) -> Path:
    configured = app.settings.minutes.lblod_publish_dir
    root = Path(configured) if configured else Path(app.settings.data_dir) / "publications"
    return root / f"minutes-{minutes_id}"


def _remember(app: Appliance, who: Principal, record: Record, base: str, published: date,
              result: Publication) -> None:
    mid = record.minutes.id or 0
    with write_session(app.db) as s:
        row = s.exec(select(MeetingRecord).where(MeetingRecord.minutes_id == mid)).first()
        row = row or MeetingRecord(minutes_id=mid)
        if row.published_at is None:
            row.published_at = datetime(published.year, published.month, published.day, tzinfo=UTC)
        row.published_base = base
        s.add(row)
        s.add(AuditEvent(actor=who.username, action="lblod.publish", target=f"minutes:{mid}",
                         detail={"base": base, "folder": str(result.folder),
                                 "levels": {r.document: r.level for r in result.reports}}))


def minutes_overview(app: Appliance, limit: int = 1000) -> list[dict[str, Any]]:
    """Every minutes with its meeting date, governing body and state (draft/approved), newest first."""
    from appliance.db.engine import read_session
    from appliance.db.tables import Minutes
    from appliance.mandates.service import list_bodies

    names = {b.uri: b.name for b in list_bodies(app)}
    with read_session(app.db) as s:
        rows = s.exec(select(Minutes).order_by(Minutes.id.desc()).limit(limit)).all()  # type: ignore[union-attr]
        records = {r.minutes_id: r for r in s.exec(select(MeetingRecord)).all()}
    out = []
    for m in rows:
        rec = records.get(m.id or 0)
        body_uri = rec.body_uri if rec else ""
        out.append({"id": m.id, "title": m.title, "meeting_date": m.meeting_date,
                    "governing_body": names.get(body_uri, m.body), "governing_body_uri": body_uri,
                    "state": "approved" if m.state == "approved" else "draft", "drafting_state": m.state,
                    "published_at": rec.published_at.isoformat() if rec and rec.published_at else None})
    return out
