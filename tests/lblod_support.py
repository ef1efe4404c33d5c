"""LBLOD publication rows for page tests: the demo's approved council meeting, and a draft whose
meeting record names the demo council (so the publication page shows every form)."""

from __future__ import annotations

from typing import Any

from appliance.access import SYSTEM
from appliance.minutes.lblod import save_meeting
from ops.demo.seed_lblod import DIRECTOR, RAAD, seed_lblod
from tests.minutes_support import make_minutes

MEMBER = "http://data.lblod.info/id/mandatarissen/demo-belveld-gemeenteraad-p"


def lblod_world(app: Any) -> dict[str, int]:
    approved = seed_lblod(app, lambda _line: None) or 0
    ids = make_minutes(app)
    save_meeting(app, SYSTEM, ids["minutes"], body_uri=RAAD, planned_start="2026-03-02T19:30",
                 started_at="2026-03-02T19:35", ended_at="2026-03-02T21:00", location="Raadzaal",
                 chair_uri=f"{MEMBER}1", secretary_uri=DIRECTOR, present_at_start=[f"{MEMBER}{n}" for n in range(1, 8)])
    return {"lblod_approved": approved, "lblod_draft": ids["minutes"], "lblod_draft_decision": ids["decision"]}
