"""The answer audit trail: hash chain, tamper detection, feedback as its own record, export, CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text

from appliance.access.principals import SYSTEM, Principal
from appliance.audit import log as audit
from appliance.errors import BelfortError, NotFound
from ops.cli import main

ALICE = Principal(user_id=1, username="alice", role="staff")
BOB = Principal(user_id=2, username="bob", role="staff")


def _three(appliance) -> list[int]:  # type: ignore[no-untyped-def]
    return [
        audit.record_answer(appliance, ALICE, question=f"vraag {i}", answer=f"antwoord {i} [1]",
                            status="answered", model="m", model_sha256="ab" * 32,
                            details={"sources": [{"chunk_id": i, "version_id": 1}], "latency_s": 0.5})
        for i in range(3)
    ]


def test_records_chain_and_verify(appliance) -> None:  # type: ignore[no-untyped-def]
    ids = _three(appliance)
    assert ids == [1, 2, 3]
    assert audit.verify_chain(appliance) == (True, None)
    recs = [audit.get_record(appliance, ALICE, i) for i in ids]
    assert recs[0]["prev_hash"] == audit.GENESIS
    assert recs[1]["prev_hash"] == recs[0]["hash"] and recs[2]["prev_hash"] == recs[1]["hash"]
    assert recs[2]["payload"]["sources"][0]["chunk_id"] == 2
    assert audit.head(appliance) == (3, recs[2]["hash"])


def test_editing_an_answer_with_raw_sql_is_detected(appliance) -> None:  # type: ignore[no-untyped-def]
    _three(appliance)
    with appliance.db.begin() as conn:
        conn.execute(text("UPDATE answerrecord SET answer = 'iets anders' WHERE id = 2"))
    assert audit.verify_chain(appliance) == (False, 2)


def test_recomputing_the_hash_of_an_edited_record_breaks_the_next_link(appliance) -> None:  # type: ignore[no-untyped-def]
    _three(appliance)
    with appliance.db.begin() as conn:
        conn.execute(text("UPDATE answerrecord SET payload = '{}' WHERE id = 2"))
    from sqlmodel import Session

    from appliance.db.tables import AnswerRecord

    assert audit.verify_chain(appliance) == (False, 2)  # the content no longer matches its digest
    with Session(appliance.db) as s:
        rec = s.get(AnswerRecord, 2)
        rec.content_sha256 = audit.content_digest(rec)
        new_digest, new_hash = rec.content_sha256, audit.record_hash(rec)
    with appliance.db.begin() as conn:
        conn.execute(text("UPDATE answerrecord SET hash = :h, content_sha256 = :d WHERE id = 2"),
                     {"h": new_hash, "d": new_digest})
    assert audit.verify_chain(appliance) == (False, 3)


def test_deleting_a_record_is_detected(appliance) -> None:  # type: ignore[no-untyped-def]
    _three(appliance)
    with appliance.db.begin() as conn:
        conn.execute(text("DELETE FROM answerrecord WHERE id = 1"))
    assert audit.verify_chain(appliance) == (False, 2)


def test_feedback_is_appended_and_never_edits_the_answer(appliance) -> None:  # type: ignore[no-untyped-def]
    ids = _three(appliance)
    before = audit.get_record(appliance, ALICE, ids[0])
    fid = audit.record_feedback(appliance, ALICE, ids[0], helpful=False, comment="bron klopt niet")
    assert fid == 4
    assert audit.get_record(appliance, ALICE, ids[0]) == before
    fb = audit.get_record(appliance, ALICE, fid)
    assert fb["kind"] == "feedback" and fb["ref_id"] == ids[0] and fb["payload"]["helpful"] is False
    assert audit.verify_chain(appliance) == (True, None)
    with pytest.raises(NotFound):
        audit.record_feedback(appliance, BOB, ids[0], helpful=True)  # not Bob's answer
    with pytest.raises(NotFound):
        audit.get_record(appliance, BOB, ids[0])


def test_no_edit_or_delete_functions_exist() -> None:
    names = [n for n in dir(audit) if not n.startswith("_")]
    assert not [n for n in names if any(w in n for w in ("delete", "update", "edit", "remove", "purge"))]


def test_export_csv_and_json_and_admin_search(appliance) -> None:  # type: ignore[no-untyped-def]
    _three(appliance)
    lines = audit.export(appliance, "json").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2, 3]
    rows = list(csv.DictReader(io.StringIO(audit.export(appliance, "csv"))))
    assert [r["question"] for r in rows] == ["vraag 0", "vraag 1", "vraag 2"]
    assert json.loads(rows[0]["payload"])["latency_s"] == 0.5
    with pytest.raises(BelfortError):
        audit.export(appliance, "xml")
    assert [r["id"] for r in audit.search_records(appliance, SYSTEM, text="vraag 1")] == [2]
    with pytest.raises(BelfortError):
        audit.search_records(appliance, ALICE)


def test_cli_verify_exits_1_on_tampering(appliance, settings, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    _three(appliance)
    monkeypatch.setenv("BELFORT_DATA_DIR", str(settings.data_dir))
    assert main(["audit", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["records"] == 3
    with appliance.db.begin() as conn:
        conn.execute(text("UPDATE answerrecord SET question = 'vervalst' WHERE id = 3"))
    assert main(["audit", "verify"]) == 1
    assert "record 3" in capsys.readouterr().err
