"""Minutes rows made directly (no LLM): a council meeting with items in every state and kind."""

from __future__ import annotations

from datetime import UTC, datetime

from appliance.db.engine import write_session
from appliance.db.tables import Minutes, MinutesItem, Recording, TranscriptSegment

HOSTILE = '=HYPERLINK("http://evil.invalid","klik") <script>alert(1)</script> [x](javascript:alert(1))'


def make_minutes(app, *, approved: bool = False) -> dict[str, int]:
    """A council meeting with two agenda items; items in every state and kind."""
    with write_session(app.db) as s:
        rec = Recording(sha256="ab" * 32, source_name="raad.wav", duration=600.0, state="done", language="nl")
        s.add(rec)
        s.flush()
        segs = [TranscriptSegment(recording_id=rec.id, start=t, end=t + 8.0, text=f"segment {t}")
                for t in (12.0, 75.0, 130.0, 300.0)]
        s.add_all(segs)
        s.flush()
        m = Minutes(recording_id=rec.id, title="Gemeenteraad 3/2026: ../../etc/passwd", body="gemeenteraad",
                    meeting_date="2026-03-02", attendees=["An Peeters", "Bart Claes"],
                    agenda=[{"number": 1, "title": "Sporthal Vaartstraat"}, {"number": 2, "title": "Begroting"}],
                    model="smollm2-135m", model_sha256="f" * 64, state="draft")
        if approved:
            m.state, m.approved_by, m.approved_at = "approved", "archie", datetime(2026, 3, 9, 10, 30, tzinfo=UTC)
        s.add(m)
        s.flush()
        rows = {
            "summary": MinutesItem(minutes_id=m.id, ordinal=0, kind="summary", agenda_number=1,
                                   agenda_title="Sporthal Vaartstraat", text="De raad bespreekt de sporthal.",
                                   segment_ids=[segs[0].id], start=12.0, end=20.0, support=0.9, state="accepted"),
            "decision": MinutesItem(minutes_id=m.id, ordinal=1, kind="decision", agenda_number=1,
                                    agenda_title="Sporthal Vaartstraat", text="De raad keurt de bouw van de sporthal goed.",
                                    vote={"for": 14, "against": 3, "abstain": 2}, segment_ids=[segs[1].id],
                                    start=75.0, end=83.0, support=0.8, state="accepted"),
            "action": MinutesItem(minutes_id=m.id, ordinal=2, kind="action", agenda_number=1,
                                  agenda_title="Sporthal Vaartstraat", text=HOSTILE, owner="Bart Claes",
                                  deadline="2026-04-15", segment_ids=[segs[2].id], start=130.0, end=138.0,
                                  flags=["owner_cleared", "some_future_flag"], state="accepted"),
            "action_minus": MinutesItem(minutes_id=m.id, ordinal=3, kind="action", agenda_number=2,
                                        agenda_title="Begroting", text="-2+3 budget herzien", owner="@An",
                                        deadline="", state="accepted"),
            "rejected": MinutesItem(minutes_id=m.id, ordinal=4, kind="decision", agenda_number=2,
                                    agenda_title="Begroting", text="VERWORPEN-besluit over de begroting",
                                    state="rejected", supported=False, support=0.1),
            "proposed": MinutesItem(minutes_id=m.id, ordinal=5, kind="action", agenda_number=2,
                                    agenda_title="Begroting", text="VOORGESTELD-actie nog niet nagekeken",
                                    owner="An Peeters", deadline="2026-05-01", state="proposed"),
        }
        s.add_all(rows.values())
        s.flush()
        return {"minutes": m.id, "recording": rec.id, **{k: v.id for k, v in rows.items()}}  # type: ignore[dict-item]
