"""What every minutes export is built from: the accepted items of one minutes, and the small text
helpers the formats share (XML-safe text, status and vote lines, agenda headings).

The formats (`formats`, `office`, `besluit`) import this module; it imports none of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from appliance.ai_label import AiLabel
from appliance.db.tables import Minutes, MinutesItem, TranscriptSegment


@dataclass
class ExportData:
    minutes: Minutes
    items: list[MinutesItem]  # accepted only, in agenda order
    segments: dict[int, TranscriptSegment] = field(default_factory=dict)
    language: str = ""  # spoken language of the recording ("" when unknown or mixed)
    ai: AiLabel | None = None  # the AI label the export carries in its content and metadata

    @property
    def approved(self) -> bool:
        return self.minutes.state == "approved"

    def groups(self) -> list[tuple[int, str, list[MinutesItem]]]:
        """(agenda number, agenda title, items) in agenda order; number 0 (general) last."""
        titles = {int(a.get("number", 0) or 0): str(a.get("title", "")) for a in self.minutes.agenda or []}
        out: dict[int, list[MinutesItem]] = {}
        for item in self.items:
            out.setdefault(item.agenda_number, []).append(item)
            titles.setdefault(item.agenda_number, item.agenda_title)
        order = sorted(out, key=lambda n: (n == 0, n))
        return [(n, titles.get(n) or out[n][0].agenda_title, out[n]) for n in order]


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text XML (DOCX, ODT) can hold: control characters out, line breaks kept."""
    return _XML_BAD.sub("", text or "")


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def status_line(data: ExportData, labels: dict[str, str]) -> str:
    m = data.minutes
    if data.approved:
        when = m.approved_at.strftime("%Y-%m-%d %H:%M UTC") if m.approved_at else ""
        return labels["approved"].format(who=m.approved_by, when=when)
    return labels["draft"]


def model_line(data: ExportData, labels: dict[str, str]) -> str:
    return labels["model"].format(model=data.minutes.model or "?")


def timecode(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def vote_line(item: MinutesItem, labels: dict[str, str]) -> str:
    vote = item.vote or {}
    if not any(k in vote for k in ("for", "against", "abstain")):
        return ""
    return labels["vote"].format(**{k: int(vote.get(k, 0) or 0) for k in ("for", "against", "abstain")})


def fragment(item: MinutesItem, labels: dict[str, str]) -> str:
    """Where in the recording the item was said ("" for an item that cites nothing)."""
    if not item.segment_ids and not item.end:
        return ""
    return f"{labels['time']} {timecode(item.start)}-{timecode(item.end)}"


def group_title(number: int, title: str, labels: dict[str, str]) -> str:
    if number == 0:
        return title or labels["general"]
    return labels["agenda_item"].format(n=number) + (f": {title}" if title else "")


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def actions(data: ExportData) -> list[MinutesItem]:
    return [i for i in data.items if i.kind == "action"]
