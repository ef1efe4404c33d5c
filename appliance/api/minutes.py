"""Minutes over the API: one minutes document with its items, and its exports.

Archivists and admins read drafts (every item, with its review state); staff read approved minutes
and only their accepted items. Exports hold accepted items only and say when they are an AI draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import get
from litestar.response import Response

from appliance.access import Principal
from appliance.api.schemas import SegmentOut
from appliance.context import Appliance
from appliance.i18n import t
from appliance.ids import Id
from appliance.minutes import FORMATS, readable_minutes, segments_of
from appliance.minutes import export_minutes as minutes_file


@dataclass
class MinutesItemOut:
    id: int
    ordinal: int
    kind: str
    agenda_number: int
    agenda_title: str
    text: str
    state: str
    source: str
    edited: bool
    supported: bool
    support: float
    owner: str
    deadline: str
    vote: dict[str, Any]
    start: float
    end: float
    segments: list[SegmentOut] = field(default_factory=list)


@dataclass
class MinutesOut:
    id: int
    recording_id: int | None
    title: str
    body: str
    meeting_date: str
    attendees: list[str]
    agenda: list[dict[str, Any]]
    state: str
    ai_generated: bool  # true until a person approved the minutes
    label: str
    model: str
    model_sha256: str
    approved_by: str
    approved_at: str | None
    items: list[MinutesItemOut]
    exports: dict[str, str]


@get("/minutes/{minutes_id:int}", sync_to_thread=True, summary="Minutes and their items", tags=["minutes"])
def get_minutes(appliance: Appliance, who: Principal, minutes_id: Id) -> MinutesOut:
    minutes, items = readable_minutes(appliance, who, minutes_id)
    segments = segments_of(appliance, items)
    approved = minutes.state == "approved"
    return MinutesOut(
        id=minutes.id or 0, recording_id=minutes.recording_id, title=minutes.title, body=minutes.body,
        meeting_date=minutes.meeting_date, attendees=list(minutes.attendees or []),
        agenda=list(minutes.agenda or []), state=minutes.state, ai_generated=not approved,
        label=t("en", "minutes_export.approved" if approved else "minutes_export.draft",
            who=minutes.approved_by, when=minutes.approved_at.isoformat() if minutes.approved_at else ""),
        model=minutes.model, model_sha256=minutes.model_sha256, approved_by=minutes.approved_by,
        approved_at=minutes.approved_at.isoformat() if minutes.approved_at else None,
        items=[MinutesItemOut(
            id=i.id or 0, ordinal=i.ordinal, kind=i.kind, agenda_number=i.agenda_number,
            agenda_title=i.agenda_title, text=i.text, state=i.state, source=i.source, edited=i.edited,
            supported=i.supported, support=i.support, owner=i.owner, deadline=i.deadline,
            vote=dict(i.vote or {}), start=i.start, end=i.end,
            segments=[SegmentOut(s.id or 0, s.start, s.end, s.text, s.speaker)
                      for sid in i.segment_ids or [] if (s := segments.get(sid)) is not None],
        ) for i in items],
        exports={fmt: f"/api/v1/minutes/{minutes.id}/export/{fmt}" for fmt in FORMATS},
    )


@get("/minutes/{minutes_id:int}/export/{fmt:str}", sync_to_thread=True, summary="Export minutes",
     description="fmt: docx | odt | md | actions.csv | actions.ics | besluit.jsonld (accepted items only)",
     tags=["minutes"])
def export_minutes(appliance: Appliance, who: Principal, minutes_id: Id, fmt: str,
                   lang: str = "") -> Response[bytes]:
    content, name, mime = minutes_file(appliance, minutes_id, fmt, lang=lang, who=who)
    return Response(content, media_type=mime,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


HANDLERS = [get_minutes, export_minutes]
