"""Drafting minutes with real llama.cpp (SmolLM2-135M fixture: plumbing and the schema, not content).

SmolLM2 speaks no Dutch; what is asserted is that the grammar-constrained output parses, is verified
and stored (or, if the tiny model cites nothing usable, that the draft says so).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from appliance.context import open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent
from appliance.evaluation.minutes import store_transcript
from appliance.minutes.draft import draft_minutes
from appliance.minutes.review import get_minutes
from models.fakes import FakeEmbedder
from models.llamacpp import LlamaCppLLM
from tests.conftest import make_settings
from tests.llm_fixture import require_smollm

pytestmark = pytest.mark.llm

MEETING = [
    {"start": 0.0, "end": 4.0, "text": "The chair opens the meeting."},
    {"start": 4.0, "end": 9.0, "text": "Item 1: the new playground on Church Street."},
    {"start": 9.0, "end": 14.0, "text": "The council approves the playground design with 20 votes for."},
    {"start": 14.0, "end": 19.0, "text": "Alderman Peeters will send a planning by next week."},
]


@pytest.fixture(scope="module")
def smollm() -> LlamaCppLLM:
    return LlamaCppLLM(require_smollm(), n_ctx=2048, n_threads=1, n_batch=256)


def test_schema_constrained_draft_parses_and_is_stored(tmp_path: Path, smollm: LlamaCppLLM) -> None:
    app = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder())
    rec = store_transcript(app, MEETING, language="en")
    minutes = draft_minutes(app, rec, agenda="1. New playground Church Street", attendees=["Jan Peeters"],
                            meeting_date="2024-05-27", llm=smollm, max_tokens=120)
    stored, items = get_minutes(app, minutes.id or 0)
    assert stored.model == smollm.name and stored.model_sha256 == smollm.sha256
    with read_session(app.db) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "minutes.drafted")).one()
    assert event.detail["windows"] == 1
    # The grammar guarantees JSON: the only way to get nothing is a cut-off answer or items that cite
    # nothing valid, and then the draft names it.
    if stored.state == "failed":
        assert "nothing usable" in stored.error
    else:
        assert stored.state == "draft" and items
        for item in items:
            assert item.kind in ("summary", "decision", "action") and item.text
            assert item.owner in ("", "Jan Peeters")
            assert not item.deadline or item.deadline[:4] == "2024"
