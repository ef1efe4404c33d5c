"""Transcript corrections: every change is a revision; splits keep order and times; attendee names."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from appliance.access.principals import Principal
from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import Group, Recording
from appliance.documents.ingest import ensure_collection
from appliance.errors import BelfortError, NotFound
from appliance.recordings import transcript_edit as edits
from appliance.recordings.transcripts import transcribe_recording
from models.base import Segment
from models.fakes import FakeEmbedder, FakeTranscriber
from tests.asr_fixture import silence
from tests.conftest import make_settings

ATTENDEES = ["Burgemeester Peeters", "Schepen Dupré", "Raadslid Janssens"]
SCRIPT = [
    Segment(1.0, 5.0, "Ik open de zitting. Het woord is aan de schepen.", avg_logprob=-0.2),
    Segment(6.0, 9.0, "Dank u. De begroting van het stadhuis is klaar.", avg_logprob=-0.2),
    Segment(10.0, 12.0, "Wie is voor?", avg_logprob=-0.2),
]
ANNA = Principal(7, "anna", "staff")
WOUT = Principal(8, "wout", "staff")


@pytest.fixture
def app(tmp_path: Path) -> Appliance:
    settings = make_settings(tmp_path, asr={"attendees": ATTENDEES})
    return open_appliance(settings, embedder=FakeEmbedder())


@pytest.fixture
def rec_id(app: Appliance, tmp_path: Path) -> int:
    """A transcribed recording uploaded by anna, filed under the council collection (group griffie)."""
    result = transcribe_recording(app, silence(tmp_path / "raad.wav", 13.0), transcriber=FakeTranscriber(SCRIPT),
                                  chunk_seconds=20)
    council = ensure_collection(app, "raad", groups=["griffie"])
    with write_session(app.db) as s:
        rec = s.get(Recording, result.recording_id)
        assert rec is not None
        rec.uploaded_by = "anna"
        rec.collection_id = council.id
        s.add(rec)
    return result.recording_id


@pytest.fixture
def archie(app: Appliance, rec_id: int) -> Principal:
    """An archivist of the griffie, who reads the council collection the recording is filed under."""
    with read_session(app.db) as s:
        griffie = s.exec(select(Group).where(Group.name == "griffie")).one()
    assert griffie.id is not None
    return Principal(9, "archie", "archivist", group_ids=frozenset({griffie.id}))


def _texts(app: Appliance, rec_id: int) -> list[tuple[float, float, str, str]]:
    return [(s.start, s.end, s.speaker, s.text) for s in edits.segments_of(app, rec_id)]


def test_an_edit_is_versioned_with_the_old_text(app: Appliance, rec_id: int, archie: Principal) -> None:
    first = edits.segments_of(app, rec_id)[0]
    assert first.id is not None
    edits.edit_segment(app, ANNA, rec_id, first.id, "Ik open  de zitting.\nHet woord is aan schepen Dupré.")
    edits.edit_segment(app, archie, rec_id, first.id, "Ik open de zitting. Het woord is aan schepen Dupré.")  # same
    edits.edit_segment(app, archie, rec_id, first.id, "Ik open de zitting om acht uur.")
    assert edits.segments_of(app, rec_id)[0].text == "Ik open de zitting om acht uur."
    history = edits.segment_history(app, archie, rec_id, first.id)
    assert [(h.action, h.by, h.old_text, h.new_text) for h in history] == [
        ("edit", "archie", "Ik open de zitting. Het woord is aan schepen Dupré.", "Ik open de zitting om acht uur."),
        ("edit", "anna", SCRIPT[0].text, "Ik open de zitting. Het woord is aan schepen Dupré."),
    ]  # newest first; an unchanged save adds nothing; whitespace is normalised
    with pytest.raises(BelfortError) as err:
        edits.edit_segment(app, ANNA, rec_id, first.id, "   ")
    assert err.value.code == "transcript.empty_text"


def test_speaker_takes_the_attendee_spelling_and_free_text(app: Appliance, rec_id: int) -> None:
    a, b, c = (s.id for s in edits.segments_of(app, rec_id))
    assert a is not None and b is not None and c is not None
    assert edits.set_speaker(app, ANNA, rec_id, a, "  burgemeester   PEETERS ").speaker == "Burgemeester Peeters"
    assert edits.set_speaker(app, ANNA, rec_id, b, "schepen dupre").speaker == "Schepen Dupré"
    assert edits.set_speaker(app, ANNA, rec_id, c, "Een inwoner").speaker == "Een inwoner"  # not on the list
    [rev] = edits.segment_history(app, ANNA, rec_id, b)
    assert (rev.action, rev.old_speaker, rev.new_speaker, rev.old_text) == ("speaker", "", "Schepen Dupré",
                                                                             SCRIPT[1].text)
    segs = edits.segments_of(app, rec_id)
    assert edits.speaker_choices(app, segs) == [*ATTENDEES, "Een inwoner"]


def test_rename_a_label_for_the_whole_recording(app: Appliance, rec_id: int, archie: Principal) -> None:
    ids = [s.id for s in edits.segments_of(app, rec_id)]
    for sid in ids[:2]:
        assert sid is not None
        edits.set_speaker(app, ANNA, rec_id, sid, "S1")
    assert edits.rename_speaker(app, archie, rec_id, "S1", "raadslid janssens") == 2
    assert [s[2] for s in _texts(app, rec_id)] == ["Raadslid Janssens", "Raadslid Janssens", ""]
    assert ids[0] is not None
    assert [h.new_speaker for h in edits.segment_history(app, ANNA, rec_id, ids[0])] == ["Raadslid Janssens", "S1"]


def test_split_at_a_character_interpolates_the_time_and_keeps_order(app: Appliance, rec_id: int) -> None:
    first = edits.segments_of(app, rec_id)[0]
    assert first.id is not None
    edits.set_speaker(app, ANNA, rec_id, first.id, "Burgemeester Peeters")
    text = first.text
    cut = text.index("Het woord")
    left, right = edits.split_segment(app, ANNA, rec_id, first.id, at_char=cut)
    assert (left.start, left.text) == (1.0, "Ik open de zitting.")
    assert right.start == pytest.approx(1.0 + 4.0 * cut / len(text), abs=1e-3)
    assert left.end == right.start and right.end == 5.0
    assert right.speaker == "Burgemeester Peeters" and right.id != left.id
    assert [t[3] for t in _texts(app, rec_id)] == [
        "Ik open de zitting.", "Het woord is aan de schepen.", SCRIPT[1].text, SCRIPT[2].text]
    starts = [t[0] for t in _texts(app, rec_id)]
    assert starts == sorted(starts)
    assert right.id is not None
    [rev] = edits.segment_history(app, ANNA, rec_id, right.id)
    assert (rev.action, rev.old_text, rev.new_text) == ("split", "", "Het woord is aan de schepen.")
    assert edits.segment_history(app, ANNA, rec_id, first.id)[0].old_text == text


def test_split_at_a_time_or_before_words_never_cuts_a_word(app: Appliance, rec_id: int) -> None:
    second = edits.segments_of(app, rec_id)[1]
    assert second.id is not None
    left, right = edits.split_segment(app, ANNA, rec_id, second.id, at_time=6.5)
    assert left.text == "Dank u." and right.text.startswith("De begroting") and right.start == 6.5
    assert right.id is not None
    left2, right2 = edits.split_before_words(app, ANNA, rec_id, right.id, "het STADHUIS")
    assert left2.text == "De begroting van" and right2.text == "het stadhuis is klaar."
    assert left2.start < right2.start < right2.end == 9.0
    for bad in ({"at_char": 0}, {"at_char": 999}, {"at_time": 20.0}):
        with pytest.raises(BelfortError) as err:
            edits.split_segment(app, ANNA, rec_id, second.id, **bad)  # type: ignore[arg-type]
        assert err.value.code == "transcript.bad_split"
    with pytest.raises(BelfortError):
        edits.split_before_words(app, ANNA, rec_id, second.id, "Dank u")  # that is where it already starts


def test_only_the_uploader_and_the_collections_readers_may_see_or_edit(app: Appliance, rec_id: int, archie: Principal) -> None:
    sid = edits.segments_of(app, rec_id)[0].id
    assert sid is not None
    with pytest.raises(NotFound):
        edits.edit_segment(app, WOUT, rec_id, sid, "Niet van mij.")
    with pytest.raises(NotFound):
        edits.segment_history(app, WOUT, rec_id, sid)
    other = edits.segments_of(app, rec_id)[2].id
    assert other is not None
    with pytest.raises(NotFound):  # a segment id of this recording through another recording's id
        edits.edit_segment(app, archie, rec_id + 1, other, "x")


def test_no_edit_while_the_transcript_is_being_made(app: Appliance, rec_id: int) -> None:
    with write_session(app.db) as s:
        rec = s.get(Recording, rec_id)
        assert rec is not None
        rec.state = "running"
        s.add(rec)
    sid = edits.segments_of(app, rec_id)[0].id
    assert sid is not None
    with pytest.raises(BelfortError) as err:
        edits.edit_segment(app, ANNA, rec_id, sid, "te vroeg")
    assert err.value.code == "recording.not_ready" and err.value.status == 409


def test_search_ignores_case_and_accents_and_marks_the_matches(app: Appliance, rec_id: int) -> None:
    segs = edits.segments_of(app, rec_id)
    assert segs[1].id is not None
    edits.edit_segment(app, ANNA, rec_id, segs[1].id, "Dank u. De begroting van het stadhuis is <b>klaar</b>.")
    segs = edits.segments_of(app, rec_id)
    found = edits.search_transcript(segs, "BEGRÓTING")
    assert [m.segment.id for m in found] == [segs[1].id]
    assert found[0].parts == [("Dank u. De ", False), ("begroting", True),
                              (" van het stadhuis is <b>klaar</b>.", False)]
    assert len(edits.search_transcript(segs, "")) == 3
    assert edits.search_transcript(segs, "gemeenteraad") == []
    assert edits.highlight("Schepen Dupré zegt: dupre!", "dupré") == [
        ("Schepen ", False), ("Dupré", True), (" zegt: ", False), ("dupre", True), ("!", False)]
    assert segs[2].id is not None
    edits.set_speaker(app, ANNA, rec_id, segs[2].id, "Raadslid Janssens")
    assert [m.segment.id for m in edits.search_transcript(edits.segments_of(app, rec_id), "janssens")] == [segs[2].id]
