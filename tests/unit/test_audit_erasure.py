"""Erasing answer records keeps the chain verifiable; erasing without an erasure record does not."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlmodel import Session

from appliance.access.principals import Principal
from appliance.audit import erase_answer_records, verify_chain
from appliance.audit import log as audit
from appliance.db.engine import write_session
from appliance.db.tables import AnswerRecord
from appliance.errors import BelfortError

ALICE = Principal(user_id=1, username="alice", role="staff")


def _three(app) -> list[int]:
    return [audit.record_answer(app, ALICE, question=f"Vraag van Mieke Dierckx {i}", answer=f"antwoord {i}",
                                status="answered", model="m", details={"sources": [i]}) for i in range(3)]


def test_erased_content_goes_the_hash_and_metadata_stay(appliance):
    ids = _three(appliance)
    before = audit.get_record(appliance, ALICE, ids[1])
    assert erase_answer_records(appliance, "dpo", [ids[1], 999], reason="verzoek 1") == [ids[1]]
    after = _raw(appliance, ids[1])
    assert after.question == after.answer == after.username == "" and after.payload == "{}"
    assert after.hash == before["hash"] and after.at == before["at"] and after.status == "answered"
    assert verify_chain(appliance) == (True, None)
    erasure = _raw(appliance, 4)
    assert erasure.kind == "erasure" and json.loads(erasure.payload)["ids"] == [ids[1]]
    assert erase_answer_records(appliance, "dpo", [ids[1]], reason="again") == []  # once
    assert erase_answer_records(appliance, "dpo", [4], reason="the erasure itself") == []
    # Anonymising keeps a masked text.
    erase_answer_records(appliance, "dpo", [ids[2]], reason="r", mode="anonymise",
                         mask=lambda s: s.replace("Mieke Dierckx", "[Persoon]"))
    assert _raw(appliance, ids[2]).question == "Vraag van [Persoon] 2"
    assert verify_chain(appliance) == (True, None)
    with pytest.raises(BelfortError):
        erase_answer_records(appliance, "dpo", [ids[0]], reason="")


def test_content_blanked_by_hand_is_tampering(appliance):
    ids = _three(appliance)
    with appliance.db.begin() as conn:  # someone empties a record and marks it erased, without an erasure record
        conn.execute(text("UPDATE answerrecord SET question = '', erased_at = '2027-01-01' WHERE id = :i"),
                     {"i": ids[1]})
    assert verify_chain(appliance) == (False, ids[1])


def test_records_from_before_the_content_digest_can_be_erased(appliance):
    """Records made before migration 41 hash their content directly: erased, their links still check."""
    with write_session(appliance.db) as s:
        prev = audit.GENESIS
        for i in range(1, 4):
            rec = AnswerRecord(id=i, at=f"2026-01-0{i}T00:00:00+00:00", username="alice", question=f"oud {i}",
                               answer="a", status="answered", payload="{}", prev_hash=prev)
            rec.hash = audit.record_hash(rec)  # content_sha256 "": the old way
            prev = rec.hash
            s.add(rec)
    assert verify_chain(appliance) == (True, None)
    erase_answer_records(appliance, "dpo", [2], reason="bewaartermijn", basis="retention")
    assert verify_chain(appliance) == (True, None)
    with appliance.db.begin() as conn:  # a later record changed: still detected
        conn.execute(text("UPDATE answerrecord SET question = 'vervalst' WHERE id = 3"))
    assert verify_chain(appliance) == (False, 3)


def _raw(app, rid: int) -> AnswerRecord:
    with Session(app.db) as s:
        rec = s.get(AnswerRecord, rid)
        assert rec is not None
        return rec
