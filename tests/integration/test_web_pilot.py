"""The pilot dashboard: weekly KPIs computed from seeded rows, the page, its CSV and the triage charts."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from appliance import metrics
from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import AnswerRecord, Minutes, MinutesItem, Ticket, TriageItem, TriageLabel
from appliance.i18n import catalogue
from appliance.setting_sections import PilotSettings
from tests.integration.web_support import World

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)  # a Wednesday of ISO week 12


def d(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC) if day > 0 else datetime(2026, 2, 28 + day, hour, tzinfo=UTC)


def _answer(s, when: datetime, status: str) -> int:  # type: ignore[no-untyped-def]
    rec = AnswerRecord(at=when.isoformat(timespec="microseconds"), kind="answer", username="anna",
                       question="Wie verleende de vergunning?", answer="...", status=status)
    s.add(rec)
    s.flush()
    return int(rec.id or 0)


def _feedback(s, when: datetime, answer_id: int, helpful: bool) -> None:  # type: ignore[no-untyped-def]
    s.add(AnswerRecord(at=when.isoformat(timespec="microseconds"), kind="feedback", username="anna",
                       ref_id=answer_id, payload=json.dumps({"helpful": helpful, "comment": ""})))
    s.flush()


def _triage(s, when: datetime, *, routed_by: str = "", label: tuple[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
    item = TriageItem(source="api", external_id=f"p-{when.isoformat()}-{routed_by}-{label}", subject="x",
                      received_at=when, suggested="afval", routed_by=routed_by,
                      routed_at=when if routed_by else None, state="routed" if routed_by else "queued")
    s.add(item)
    s.flush()
    if label:
        s.add(TriageLabel(item_id=item.id, previous=label[0], category=label[1], by="anna"))


def seed(app: Appliance) -> None:
    with write_session(app.db) as s:
        # week 12: 5 asked (answered, answered, extractive, dont_know, refused); week 11: 2; week 9: outside
        ids = [_answer(s, d(16 + i % 3, 9 + i), st) for i, st in
               enumerate(["answered", "answered", "extractive", "dont_know", "refused"])]
        w11 = [_answer(s, d(10), "dont_know"), _answer(s, d(11), "answered")]
        _answer(s, d(-3), "answered")
        _feedback(s, d(17), ids[0], True)
        _feedback(s, d(17, 11), ids[1], False)
        _feedback(s, d(18, 9), ids[0], False)  # the asker changed their mind: the newest counts
        _feedback(s, d(12), w11[1], True)
        # tickets of week 12: replied after 4 h, closed after 24 h, still open
        s.add(Ticket(answer_id=ids[3], asker="anna", created_at=d(16, 10), replied_at=d(16, 14), state="answered"))
        s.add(Ticket(answer_id=ids[4], asker="anna", created_at=d(17, 9), closed_at=d(18, 9), state="closed"))
        s.add(Ticket(answer_id=ids[4], asker="anna", created_at=d(18, 8)))
        # minutes of week 11: four drafted items (two accepted) and one a person added; a failed draft
        m = Minutes(title="Raad", state="draft", created_at=d(10))
        failed = Minutes(title="Raad 2", state="failed", created_at=d(10))
        s.add_all([m, failed])
        s.flush()
        for state, source in (("accepted", "ai"), ("accepted", "ai"), ("rejected", "ai"), ("proposed", "ai"),
                              ("accepted", "human")):
            s.add(MinutesItem(minutes_id=m.id, state=state, source=source))
        # triage: week 12 three items (auto, a person agreeing, a correction still queued); week 10 one auto
        _triage(s, d(16), routed_by="auto")
        _triage(s, d(17), routed_by="anna", label=("afval", "afval"))
        _triage(s, d(18, 8), label=("wegen", "afval"))
        _triage(s, d(3), routed_by="auto")


def test_pilot_figures_per_week(appliance: Appliance) -> None:
    seed(appliance)
    appliance.settings = appliance.settings.model_copy(update={"pilot": PilotSettings(
        minutes_per_answer=20, minutes_per_triage_item=60, minutes_per_minutes_item=10)})
    w10, w11, w12 = metrics.pilot_weeks(appliance, weeks=3, now=NOW)
    assert [w.week for w in (w10, w11, w12)] == ["2026-W10", "2026-W11", "2026-W12"]
    assert (w12.asked, w12.answered, w12.dont_know, w12.dont_know_rate) == (5, 3, 1, 0.2)
    assert (w11.asked, w11.answered, w11.dont_know, w11.dont_know_rate) == (2, 1, 1, 0.5)
    assert (w10.asked, w10.dont_know_rate) == (0, None)
    assert (w12.thumbs_up, w12.thumbs_down, w11.thumbs_up, w11.thumbs_down) == (0, 2, 1, 0)
    assert (w12.tickets, w12.tickets_handled, w12.handling_hours) == (3, 2, 14.0)
    assert (w11.tickets, w11.handling_hours) == (0, None)
    assert (w11.minutes_drafted, w11.minutes_items, w11.minutes_accepted, w11.accepted_share) == (1, 4, 2, 0.5)
    assert w12.minutes_drafted == 0 and w12.accepted_share is None
    assert (w12.triage_received, w12.triage_routed, w12.triage_auto, w12.auto_share) == (3, 2, 1, 0.5)
    assert (w12.triage_judged, w12.triage_agreed, w12.accuracy) == (2, 1, 0.5)
    assert (w10.triage_received, w10.triage_auto, w10.auto_share, w10.accuracy) == (1, 1, 1.0, None)
    # 3 answered x 20 + 1 auto-routed x 60; 1 x 20 + 2 accepted items x 10; 1 auto-routed x 60
    assert (w12.minutes_saved, w11.minutes_saved, w10.minutes_saved) == (120.0, 40.0, 60.0)
    assert (w12.hours_saved, w11.hours_saved, w10.hours_saved) == (2.0, 0.7, 1.0)
    assert [w.week for w in metrics.triage_weeks(appliance, weeks=3, now=NOW)] == ["2026-W10", "2026-W11", "2026-W12"]
    assert metrics.triage_weeks(appliance, weeks=3, now=NOW)[2].triage_agreed == 1


class _Tables(HTMLParser):
    """Every <table>: its header cells and its rows of cells, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list]] = []  # type: ignore[type-arg]
        self._cell: list[str] | None = None
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:  # type: ignore[no-untyped-def]
        if tag == "table":
            self.tables.append({"headers": [], "rows": []})
        elif tag in ("th", "td"):
            self._cell = []
        elif tag == "tr":
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self.tables:
            t = self.tables[-1]
            if not t["headers"]:
                t["headers"] = self._row
            else:
                t["rows"].append(self._row)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _tables(html: str) -> list[dict[str, list]]:  # type: ignore[type-arg]
    parser = _Tables()
    parser.feed(html)
    return parser.tables


@pytest.fixture
def seeded_now(world: World) -> World:
    """Rows of this week (the page counts from the real clock)."""
    now = datetime.now(UTC)
    with write_session(world.app.db) as s:
        a = _answer(s, now, "answered")
        _answer(s, now, "dont_know")
        _feedback(s, now, a, True)
        s.add(Ticket(answer_id=a, asker="anna", created_at=now, replied_at=now, state="answered"))
        _triage(s, now, routed_by="auto")
        _triage(s, now, label=("afval", "wegen"))
    return world


def test_pilot_page_tables_match_the_csv(seeded_now: World, signed_in) -> None:  # type: ignore[no-untyped-def]
    assert signed_in("anna").get("/admin/pilot").status_code == 403
    assert signed_in("anna").get("/admin/pilot.csv").status_code == 403
    admin = signed_in("admin")
    page = admin.get("/admin/pilot?weeks=4&lang=en")
    assert page.status_code == 200 and "<script" not in page.text
    assert page.text.count("<svg") == 9
    res = admin.get("/admin/pilot.csv?weeks=4")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(res.text)))
    assert len(rows) == 4 and rows[-1]["asked"] == "2" and rows[-1]["dont_know_rate"] == "50.0"
    assert rows[-1]["triage_auto"] == "1" and rows[-1]["accuracy"] == "0.0" and rows[-1]["thumbs_up"] == "1"
    key_of = {text: key.removeprefix("pilot.col_") for key, text in catalogue("en").items()
              if key.startswith("pilot.col_")}
    tables = _tables(page.text)
    assert len(tables) == 9
    checked = 0
    for table in tables:
        keys = [key_of[h] for h in table["headers"]]
        assert len(table["rows"]) == 4
        for cells, csv_row in zip(table["rows"], rows, strict=True):
            for key, text in zip(keys, cells, strict=True):
                assert (text if text != "–" else "") == csv_row[key], (key, text, csv_row[key])
                checked += 1
    assert checked >= 4 * (len(metrics.COLUMNS) - 1)  # every column shown somewhere, the week beside each


def test_triage_dashboard_has_the_weekly_charts(seeded_now: World, signed_in) -> None:  # type: ignore[no-untyped-def]
    page = signed_in("admin").get("/triage/dashboard?lang=en")
    assert page.status_code == 200
    assert "Incoming items (triage)" in page.text and "Auto-routed share and accuracy of suggestions (%)" in page.text
    tables = _tables(page.text)
    volume = next(t for t in tables if t["headers"][:2] == ["Week", "Received"])
    assert volume["rows"][-1][1:] == ["2", "1", "1"]
