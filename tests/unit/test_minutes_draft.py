"""Drafting minutes around a scripted LLM: the checks every drafted item must pass, and the review."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from appliance.access.principals import SYSTEM
from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent, JobOutcome, TranscriptSegment
from appliance.errors import BelfortError
from appliance.evaluation.minutes import match_decisions, store_transcript
from appliance.jobs import enqueue_minutes, queue_for, use_appliance
from appliance.minutes.agenda import agenda_from_items, locate_items, parse_agenda, split_by_agenda
from appliance.minutes.draft import draft_minutes
from appliance.minutes.prompts import parse_items
from appliance.minutes.review import add_item, approve, edit_item, get_minutes, set_item_state
from appliance.minutes.verify import parse_deadline
from appliance.recordings.transcripts import recording_segments
from models.base import ChatMessage
from models.fakes import FakeLLM

MEETING = [
    {"start": 0.0, "end": 4.0, "text": "De voorzitter opent de zitting en verwelkomt de raadsleden."},
    {"start": 4.0, "end": 9.0, "text": "Punt 1: goedkeuring van de notulen van de vorige zitting."},
    {"start": 9.0, "end": 14.0, "text": "De notulen van de zitting van april worden goedgekeurd met twintig stemmen voor."},
    {"start": 14.0, "end": 19.0, "text": "Punt 2: de heraanleg van het speelplein in de Kerkstraat."},
    {"start": 19.0, "end": 26.0, "text": "Het college keurt het ontwerp van het nieuwe speelplein goed."},
    {"start": 26.0, "end": 32.0, "text": "Schepen Peeters bezorgt de raad tegen volgende week een planning."},
]
ATTENDEES = ["Jan Peeters", "An Smet", "Hilde Claes"]
AGENDA = "1. Goedkeuring notulen vorige zitting\n2. Heraanleg speelplein Kerkstraat"


def _reply(items_by_agenda: dict[int, list[dict]]):  # type: ignore[no-untyped-def]
    """A scripted model answering per part: which agenda item the prompt covers picks the reply."""

    def reply(messages: Sequence[ChatMessage]) -> str:
        prompt = messages[-1].content
        for number, items in items_by_agenda.items():
            if f"{number}. " in prompt.split("\n\n")[0]:
                return json.dumps({"items": items})
        return json.dumps({"items": []})

    return reply


@pytest.fixture
def recording(appliance: Appliance) -> int:
    return store_transcript(appliance, MEETING)


def _draft(app: Appliance, rec: int, llm: FakeLLM, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("rules", False)  # the model's items and their checks alone (rules: test_minutes_rules.py)
    minutes = draft_minutes(app, rec, agenda=AGENDA, attendees=ATTENDEES, meeting_date="2024-05-27", llm=llm, **kw)
    return get_minutes(app, minutes.id or 0)


def test_verified_items_are_stored_with_times_and_flags(appliance: Appliance, recording: int) -> None:
    llm = FakeLLM(_reply({
        1: [{"kind": "decision", "segments": [3], "text": "De notulen van de zitting van april worden goedgekeurd.",
             "vote": {"for": 20, "against": 0}},
            {"kind": "summary", "segments": [2, 99], "text": "De notulen van de vorige zitting komen ter goedkeuring."}],
        2: [{"kind": "decision", "segments": [5], "text": "De gemeente koopt een nieuw zwembad voor 3 miljoen euro."},
            {"kind": "action", "segments": [6], "text": "Schepen Peeters bezorgt een planning aan de raad.",
             "owner": "Peeters", "deadline": "tegen volgende week"},
            {"kind": "action", "segments": [6], "text": "Een planning bezorgen aan de raad.", "owner": "Karel Bosmans",
             "deadline": "ooit"}],
    }))
    minutes, items = _draft(appliance, recording, llm)
    assert minutes.state == "draft" and minutes.error == "" and minutes.model == "fake-llm"
    assert [i.agenda_number for i in items] == [1, 1, 2, 2, 2]
    decision = items[1]
    assert decision.kind == "decision" and decision.supported and decision.vote == {"for": 20, "against": 0}
    assert (decision.start, decision.end) == (9.0, 14.0)
    summary = items[0]
    assert "invented_segments" in summary.flags and summary.supported  # S99 dropped, S2 kept
    seg_ids = {s.id: s.start for s in _rows(appliance, recording)}
    assert [seg_ids[i] for i in summary.segment_ids] == [4.0]
    invented = next(i for i in items if "zwembad" in i.text)
    assert not invented.supported and "unsupported" in invented.flags and invented.support < 0.6
    action = next(i for i in items if i.owner)
    assert action.owner == "Jan Peeters" and action.deadline == "2024-06-03"
    stranger = next(i for i in items if i.kind == "action" and not i.owner)
    assert {"owner_cleared", "deadline_cleared"} <= set(stranger.flags) and stranger.deadline == ""
    assert all(i.state == "proposed" and i.source == "ai" for i in items)
    with read_session(appliance.db) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "minutes.drafted")).one()
    assert event.detail["model_sha256"] == llm.sha256 and event.detail["prompt_version"] == "minutes-1"
    assert event.detail["recording_id"] == recording and event.detail["unsupported"] == 1
    assert event.detail["decisions"] == 2 and event.detail["actions"] == 2


def _rows(app: Appliance, rec: int) -> list[TranscriptSegment]:
    with read_session(app.db) as s:
        return list(s.exec(select(TranscriptSegment).where(TranscriptSegment.recording_id == rec)).all())


def test_prompt_numbers_segments_and_is_split_per_agenda_item(appliance: Appliance, recording: int) -> None:
    llm = FakeLLM(_reply({}))
    _draft(appliance, recording, llm)
    assert len(llm.calls) == 2  # one call per located agenda item
    first, second = (c[-1].content for c in llm.calls)
    assert "[S1 00:00] De voorzitter" in first and "[S3 00:09]" in first and "[S4 " not in first
    assert "[S4 00:14] Punt 2" in second and "Jan Peeters" in second


def test_a_vote_nobody_stated_is_cleared(appliance: Appliance, recording: int) -> None:
    llm = FakeLLM(_reply({2: [{"kind": "decision", "segments": [5], "vote": {"for": 17, "against": 3},
                               "text": "Het college keurt het ontwerp van het nieuwe speelplein goed."}]}))
    _, items = _draft(appliance, recording, llm)
    assert items[0].vote == {} and "vote_cleared" in items[0].flags and items[0].supported


@pytest.mark.parametrize("reply", ["", "not json at all", '{"items": [{"kind": "decision", "segm'])
def test_nothing_usable_fails_with_its_reason_and_keeps_the_transcript(appliance: Appliance, recording: int,
                                                                        reply: str) -> None:
    before = [(s.start, s.text) for s in recording_segments(appliance, recording)]
    minutes, items = _draft(appliance, recording, FakeLLM(reply or (lambda _m: "")))
    assert minutes.state == "failed" and items == []
    assert "nothing usable" in minutes.error and "part 1/2" in minutes.error
    assert [(s.start, s.text) for s in recording_segments(appliance, recording)] == before


def test_no_language_model_fails_with_the_engine_status(appliance: Appliance, recording: int) -> None:
    minutes = draft_minutes(appliance, recording, agenda=AGENDA, rules=False)  # llm.engine = none in the test profile
    assert minutes.state == "failed" and "llm.disabled" in minutes.error


def test_sectioned_answer_and_truncated_output_keep_complete_items() -> None:
    full = ('{"summaries": [{"segments": [1], "text": "Opening."}], "decisions": [{"segments": [3], '
            '"text": "Notulen goedgekeurd."}], "actions": []}')
    items, problem = parse_items(full)
    assert problem == "" and [i["kind"] for i in items] == ["summary", "decision"]
    cut = '{"summaries": [{"segments": [1], "text": "Opening [S2]."}], "decisions": [{"segments": [3], "te'
    items, problem = parse_items(cut)
    assert problem == "truncated" and items[0] == {"segments": [1], "text": "Opening [S2].", "kind": "summary"}
    assert parse_items('{"summaries": [], "decisions": [], "actions": []}') == ([], "")


def test_review_flow_and_approval_needs_every_item_decided(appliance: Appliance, recording: int) -> None:
    llm = FakeLLM(_reply({1: [{"kind": "decision", "segments": [3], "text": "De notulen worden goedgekeurd."}],
                          2: [{"kind": "summary", "segments": [5], "text": "Het ontwerp van het speelplein."}]}))
    minutes, items = _draft(appliance, recording, llm)
    with pytest.raises(BelfortError) as exc:
        approve(appliance, SYSTEM, minutes.id or 0)
    assert exc.value.code == "minutes.items_pending"
    set_item_state(appliance, SYSTEM, items[0].id or 0, "accepted")
    edited = edit_item(appliance, SYSTEM, items[1].id or 0, text="Het ontwerp van het nieuwe speelplein wordt besproken.",
                       deadline="2024-07-01")
    assert edited.edited and edited.deadline == "2024-07-01"
    with pytest.raises(BelfortError) as bad:
        edit_item(appliance, SYSTEM, items[1].id or 0, deadline="morgen misschien")
    assert bad.value.code == "minutes.bad_deadline"
    set_item_state(appliance, SYSTEM, items[1].id or 0, "rejected")
    added = add_item(appliance, SYSTEM, minutes.id or 0, "action", "Planning opmaken.", agenda_number=2,
                     owner="An Smet", segment_ids=[items[1].segment_ids[0]])
    assert added.source == "human" and added.state == "accepted" and added.agenda_title.startswith("Heraanleg")
    done = approve(appliance, SYSTEM, minutes.id or 0)
    assert done.state == "approved" and done.approved_by == "system" and done.approved_at is not None
    with pytest.raises(BelfortError) as frozen:
        set_item_state(appliance, SYSTEM, items[0].id or 0, "rejected")
    assert frozen.value.code == "minutes.already_approved"
    with read_session(appliance.db) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "minutes.approved")).one()
    assert (event.detail["accepted"], event.detail["rejected"], event.detail["edited"]) == (2, 1, 1)


def test_agenda_parsing_and_location() -> None:
    agenda = parse_agenda("Agenda gemeenteraad\n1. Goedkeuring notulen\nPunt 2: Begroting 2025\n3) Varia")
    assert [(a.number, a.title) for a in agenda] == [(1, "Goedkeuring notulen"), (2, "Begroting 2025"), (3, "Varia")]
    assert [a.title for a in parse_agenda("Opening\nRondvraag")] == ["Opening", "Rondvraag"]
    assert [(a.number, a.title) for a in agenda_from_items(["Opening", "5. Rondvraag", {"title": "Slot"}])] == [
        (1, "Opening"), (5, "Rondvraag"), (3, "Slot")]
    texts = ["Welkom.", "We beginnen met punt één.", "Dan agendapunt 2, de begroting.", "Nog iets?"]
    parts = split_by_agenda(agenda, texts)
    assert [(p.first, p.last, [a.number for a in p.items]) for p in parts] == [(0, 2, [1]), (2, 4, [2, 3])]
    heard = ["Welkom.", "Punteen, de notulen.", "Punt twee.", "De begroting 2025 wordt besproken."]
    assert locate_items(agenda, heard) == [1, 2, None]  # Whisper glues spoken numbers onto 'punt'


def test_a_misheard_title_still_opens_its_item_and_a_passing_mention_does_not() -> None:
    agenda = parse_agenda("1. Notulen van de vorige zitting\n2. Heraanleg van de Molenstraat\n"
                          "3. Openingsuren van de bibliotheek")
    heard = ["Agenapend een. De noduren van de vorige zitting.",
             "Agenapend een. De heranreg van de molen straat.",  # number misheard, long words split or garbled
             "We vragen parkeerplaatsen in de Molenstraat.",  # a mention, not the title read out
             "De opening sugen van de bibliotheek."]
    assert locate_items(agenda, heard) == [0, 1, 3]
    assert locate_items(agenda, heard[:1] + heard[2:]) == [0, None, 2]


def test_deadlines() -> None:
    assert parse_deadline("2024-06-15") == "2024-06-15"
    assert parse_deadline("15/06/2024") == "2024-06-15"
    assert parse_deadline("eind juni", "2024-05-27") == "2024-06-30"
    assert parse_deadline("binnen twee weken", "2024-05-27") == "2024-06-10"
    assert parse_deadline("tegen volgende week") == ""  # relative, no meeting date: left empty
    assert parse_deadline("zo snel mogelijk", "2024-05-27") == ""


def test_decision_matching_is_one_to_one() -> None:
    known = ["Goedkeuring notulen vorige zitting", "Retributiereglement kampvervoer jeugdverenigingen"]
    drafted = ["De notulen van de vorige zitting worden goedgekeurd.", "Het zwembad gaat dicht."]
    pairs = match_decisions(known, drafted)
    assert [(i, j) for i, j, _ in pairs] == [(0, 0)]


def test_minutes_job_records_progress_and_the_minutes_id(appliance: Appliance, recording: int) -> None:
    appliance.engines.set("llm", FakeLLM(_reply({1: [{"kind": "summary", "segments": [2], "text": "Goedkeuring van de notulen."}]})))
    use_appliance(appliance)
    huey = queue_for(appliance.settings, immediate=True)
    job_id = enqueue_minutes(appliance, huey, recording, agenda=AGENDA, attendees=ATTENDEES)
    with read_session(appliance.db) as s:
        job = s.exec(select(JobOutcome).where(JobOutcome.job_id == job_id)).one()
    assert (job.kind, job.state, job.code, job.progress) == ("minutes", "done", "minutes.drafted", 1.0)
    minutes, items = get_minutes(appliance, int(job.message.split()[1]))
    assert minutes.state == "draft" and [i.text for i in items if i.kind == "summary"] == ["Goedkeuring van de notulen."]
    ruled = [i for i in items if "from_rules" in i.flags]  # the job drafts with the vote rules on
    assert [(i.agenda_number, i.vote) for i in ruled] == [(1, {"for": 20}), (2, {})]
    unknown = enqueue_minutes(appliance, huey, recording, agenda=AGENDA, username="nobody")
    with read_session(appliance.db) as s:
        failed = s.exec(select(JobOutcome).where(JobOutcome.job_id == unknown)).one()
    assert (failed.state, failed.code) == ("failed", "auth.unknown_user")


def test_only_people_who_may_see_the_recording_draft_its_minutes(appliance: Appliance, recording: int) -> None:
    from appliance.access.principals import Principal
    from appliance.errors import NotFound

    staff = Principal(user_id=7, username="bediende", role="staff")
    with pytest.raises(NotFound):
        draft_minutes(appliance, recording, llm=FakeLLM(_reply({})), who=staff)


def test_migration_10_adds_the_flags_column_to_an_older_database(appliance: Appliance) -> None:
    from appliance.db.engine import migrate

    with appliance.db.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE minutesitem DROP COLUMN flags")
        conn.exec_driver_sql("DELETE FROM schema_version WHERE version >= 10")
    migrate(appliance.db)
    with appliance.db.begin() as conn:
        cols = {c["name"] for c in inspect(conn).get_columns("minutesitem")}
    assert "flags" in cols


def test_an_item_citing_a_whole_window_keeps_only_the_segments_it_comes_from() -> None:
    from appliance.minutes.verify import check_support

    shown = {
        1: "De voorzitter opent de zitting.",
        2: "De raad keurt het ontwerp van het speelplein in de Kerkstraat goed met twintig stemmen voor.",
        3: "Dan volgt een korte pauze.",
        4: "Schepen Peeters bezorgt de planning tegen vijftien juni.",
    }
    verdict = check_support("De raad keurt het ontwerp van het speelplein goed met twintig stemmen voor.",
                            [1, 2, 3, 4], shown)
    assert verdict.supported and verdict.segment_numbers == [2]
    # segments that only together support the item (and its numbers) all stay
    both = check_support("Het speelplein wordt goedgekeurd en Peeters bezorgt de planning tegen vijftien juni.",
                         [2, 4], shown)
    assert both.segment_numbers == [2, 4]
