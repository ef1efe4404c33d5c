"""Retention rules and legal holds, with a clock the test controls (`now`)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from appliance import governance
from appliance.audit import verify_chain
from appliance.db.engine import read_session
from appliance.db.tables import AnswerRecord, AuditEvent, Document, Ticket, TranscriptSegment, TriageItem
from appliance.errors import BelfortError
from ops.cli import main
from tests import governance_support as g
from tests.unit.triage_items import add_item


def _events(app, action: str) -> list[AuditEvent]:
    with read_session(app.db) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_retention_deletes_exactly_what_is_due_and_nothing_on_hold(appliance, tmp_path):
    app = appliance
    old = g.document(app, tmp_path, "oud", "Een oude brief over de kermis.", age_days=400)
    held = g.document(app, tmp_path, "bewaard", "Een oude brief over het zwembad.", age_days=400)
    new = g.document(app, tmp_path, "nieuw", "Een nieuwe brief over de markt.", age_days=10)
    old_mail = g.triage_item(app, "Glasbol", "De glasbol is vol.", age_days=200)
    person_mail = g.triage_item(app, "Leefloon", "Ik ben Mieke Dierckx en vraag leefloon.", age_days=200)
    other_cat = g.triage_item(app, "Put", "Er zit een put in de straat.", age_days=200, category="wegen")
    a_old, a_new = g.answer(app, "Wanneer is de kermis?", age_days=100), g.answer(app, "Markt?", age_days=5)
    t_old = g.ticket(app, "Wanneer is de kermis?", age_days=100)
    meeting = g.transcript(app, ["De zitting wordt geopend."], age_days=800)
    rules = [("documents", "brieven", 365, "delete"), ("triage", "afval", 90, "delete"),
             ("answers", "", 30, "delete"), ("tickets", "", 30, "anonymise"), ("transcripts", "", 730, "delete")]
    for target, scope, days, action in rules:
        governance.save_rule(app, "admin", {"target": target, "scope": scope, "days": str(days), "action": action},
                             confirm=True, now=g.NOW)
    governance.place_hold(app, "admin", "document", str(held), reason="bezwaar 2027/12")
    governance.place_hold(app, "admin", "person", "Mieke Dierckx", reason="rechtszaak")

    report = governance.retention_dry_run(app, now=g.NOW)
    assert report["due"] == 5 and report["held"] == 2 and report["done"] == 0
    with read_session(app.db) as s:  # a dry run changes nothing
        assert len(s.exec(select(Document)).all()) == 3

    done = governance.apply_retention(app, now=g.NOW)
    assert done["done"] == 5
    with read_session(app.db) as s:
        assert {d.id for d in s.exec(select(Document)).all()} == {held, new}
        assert {t.id for t in s.exec(select(TriageItem)).all()} == {person_mail, other_cat}
        assert s.exec(select(TranscriptSegment).where(TranscriptSegment.recording_id == meeting)).all() == []
        tk = s.get(Ticket, t_old)
        assert tk is not None and tk.asker == "" and tk.question != ""  # anonymised, not deleted
        recs = {r.id: r for r in s.exec(select(AnswerRecord)).all()}
    assert recs[a_old].erased_at and recs[a_old].question == "" and recs[a_new].question == "Markt?"
    assert verify_chain(app) == (True, None)  # hashes stay in the chain, the content went
    deleted = {e.target for e in _events(app, "retention.deleted")}
    assert deleted == {f"document:{old}", f"triage:{old_mail}", f"answer:{a_old}", f"transcript:{meeting}"}
    assert {e.target for e in _events(app, "retention.anonymised")} == {f"ticket:{t_old}"}
    assert [e.detail["covers"] for e in _events(app, "hold.placed")] == [f"document:{held}", "person"]
    assert "Dierckx" not in json.dumps([e.detail for e in _events(app, "hold.placed")])
    assert governance.apply_retention(app, now=g.NOW)["done"] == 0  # idempotent

    # Released, the held document goes at the next run.
    for hold in governance.active_holds(app):
        governance.release_hold(app, "admin", int(hold.id or 0), reason="zaak afgesloten")
    assert governance.apply_retention(app, now=g.NOW)["done"] == 2
    assert len(_events(app, "hold.released")) == 2


def test_a_rule_that_takes_everything_needs_a_confirmation_with_the_count(appliance, tmp_path):
    app = appliance
    for i in range(3):
        g.triage_item(app, f"Vraag {i}", "tekst", age_days=50 + 10 * i)
    with pytest.raises(governance.ConfirmEverything) as refused:
        governance.save_rule(app, "admin", {"target": "triage", "days": "7"}, now=g.NOW)
    assert refused.value.count == 3 and refused.value.status == 409 and "3" in refused.value.message
    assert governance.list_rules(app) == []
    # A period that leaves some items needs no confirmation.
    rule = governance.save_rule(app, "admin", {"target": "triage", "days": "55"}, now=g.NOW)
    assert not rule.confirmed_by
    assert governance.apply_retention(app, now=g.NOW)["done"] == 2  # the 60- and 70-day-old items
    # Later every item is due: the nightly run skips the rule until an admin confirms it.
    later = governance.apply_retention(app, now=g.NOW + timedelta(days=30))
    assert later["done"] == 0 and later["needs_confirmation"] == [rule.id]
    assert governance.apply_retention(app, now=g.NOW + timedelta(days=30), confirm=True)["done"] == 1


def test_bad_rules_are_refused(appliance):
    for data, code in [({"target": "planets", "days": "1"}, "retention.bad_target"),
                       ({"target": "answers", "days": "0"}, "retention.bad_days"),
                       ({"target": "answers", "days": "ten"}, "retention.bad_days"),
                       ({"target": "answers", "days": "5", "date_field": "closed_at"}, "retention.bad_date_field"),
                       ({"target": "recordings", "days": "5", "action": "anonymise"}, "retention.bad_action"),
                       ({"target": "documents", "scope": "geen", "days": "5"}, "retention.unknown_collection")]:
        with pytest.raises(BelfortError) as err:
            governance.save_rule(appliance, "admin", data)
        assert err.value.code == code


def test_the_daily_job_applies_the_rules(appliance, tmp_path):
    from datetime import UTC, datetime

    from appliance.jobs import queue_for, use_appliance

    use_appliance(appliance)
    today = datetime.now(UTC)  # the job runs on the real clock
    old = add_item(appliance, "Glasbol", "vol", received_at=today - timedelta(days=100))
    add_item(appliance, "Zwerfvuil", "zak", received_at=today - timedelta(days=3))
    governance.save_rule(appliance, "admin", {"target": "triage", "days": "30"})
    queue = queue_for(appliance.settings, immediate=True)
    periodic = {t.name: t for t in queue._registry.periodic_tasks}
    task = periodic["apply_retention"]
    assert task.validate_datetime(datetime(2026, 1, 1, 3, 45)) and not task.validate_datetime(datetime(2026, 1, 1, 4, 45))
    assert task.execute() == {"done": 1, "held": 0, "needs_confirmation": []}
    assert [e.target for e in _events(appliance, "retention.deleted")] == [f"triage:{old}"]


def test_a_meeting_hold_keeps_its_audio_from_the_recording_purge(appliance):
    from appliance.recordings.retention import purge_recordings
    from tests.unit.test_minutes_retention import NOW, _recording

    stored = appliance.settings.data_dir / "recordings"
    old = _recording(appliance, stored / ("a" * 64 + ".wav"), age_days=45)
    governance.place_hold(appliance, "admin", "meeting", str(old), reason="klacht")
    assert purge_recordings(appliance, now=NOW) == 0 and (stored / ("a" * 64 + ".wav")).exists()
    governance.release_hold(appliance, "admin", 1)
    assert purge_recordings(appliance, now=NOW) == 1


def test_cli_set_dry_run_apply_and_hold(appliance, settings, monkeypatch, capsys):
    monkeypatch.setenv("BELFORT_DATA_DIR", str(settings.data_dir))
    for i in range(2):
        g.answer(appliance, f"vraag {i}", age_days=1000)  # long before today
    assert main(["retention", "set", "answers", "--days", "30"]) == 2
    assert "retention.confirm_everything" in capsys.readouterr().err
    assert main(["retention", "set", "answers", "--days", "30", "--confirm"]) == 0
    rule = json.loads(capsys.readouterr().out)
    assert rule["target"] == "answers" and rule["confirmed_by"] == "cli"
    assert main(["retention", "hold", "person", "A", "--reason", "x"]) == 2  # one letter
    capsys.readouterr()
    assert main(["retention", "dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["due"] == 2 and dry["rules"][0]["items"] == ["answer:1", "answer:2"]
    assert main(["retention", "apply"]) == 0
    assert json.loads(capsys.readouterr().out)["done"] == 2
    assert main(["audit", "verify"]) == 0
    assert main(["retention", "list"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["rules"][0]["days"] == 30


def test_a_recordings_rule_deletes_stored_audio_only(appliance, tmp_path):
    from appliance.db.tables import Recording
    from tests.unit.test_minutes_retention import _recording

    stored = appliance.settings.data_dir / "recordings" / ("f" * 64 + ".wav")
    old = _recording(appliance, stored, age_days=500)
    own = _recording(appliance, tmp_path / "home" / "raad.wav", age_days=500)  # transcribed in place
    governance.save_rule(appliance, "admin", {"target": "recordings", "days": "365"}, confirm=True, now=g.NOW)
    from tests.unit.test_minutes_retention import NOW

    assert governance.apply_retention(appliance, now=NOW)["done"] == 1
    assert not stored.exists() and (tmp_path / "home" / "raad.wav").exists()
    with read_session(appliance.db) as s:
        assert s.get(Recording, old).audio_deleted_at is not None and s.get(Recording, own).audio_deleted_at is None
    assert governance.apply_retention(appliance, now=NOW)["done"] == 0
