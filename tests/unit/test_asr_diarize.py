"""Speaker turns: the per-channel diarizer, assigning turns to segments, the diarizer registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent, Recording
from appliance.errors import BelfortError
from appliance.recordings.transcripts import build_diarizer, transcribe_recording
from models.base import Diarizer, ModelError, Segment, Turn, Word
from models.diarize import ChannelDiarizer, assign_speakers, split_at_turns
from models.fakes import FakeTranscriber
from models.registry import build_diarizer as build_engine
from tests.asr_fixture import silence, sox

pytest.importorskip("av")


def stereo_dialogue(folder: Path) -> Path:
    """Left channel talks (a tone) 0-2 s, right channel 3-5 s, both silent 5-6 s."""
    sox("-n", "-r", "16000", "-c", "1", str(folder / "l.wav"), "synth", "2", "sine", "300", "vol", "0.5",
        "pad", "0", "4")
    sox("-n", "-r", "16000", "-c", "1", str(folder / "r.wav"), "synth", "2", "sine", "500", "vol", "0.5",
        "pad", "3", "1")
    sox("-M", str(folder / "l.wav"), str(folder / "r.wav"), str(folder / "two.wav"))
    return folder / "two.wav"


def test_channel_diarizer_finds_who_speaks_on_which_channel(tmp_path: Path) -> None:
    engine = ChannelDiarizer()
    assert isinstance(engine, Diarizer)
    turns = engine.diarize(stereo_dialogue(tmp_path))
    assert [t.speaker for t in turns] == ["S1", "S2"]
    assert turns[0].start == pytest.approx(0.0, abs=0.3) and turns[0].end == pytest.approx(2.0, abs=0.3)
    assert turns[1].start == pytest.approx(3.0, abs=0.3) and turns[1].end == pytest.approx(5.0, abs=0.3)
    assert engine.diarize(silence(tmp_path / "mono.wav", 3.0)) == []  # one channel: nothing to tell apart


def test_turns_label_the_segments_they_cover_most() -> None:
    segs = [Segment(0.2, 1.8, "a"), Segment(3.1, 4.9, "b"), Segment(1.5, 3.5, "c"), Segment(5.2, 5.8, "d"),
            Segment(0.5, 1.0, "e", speaker="Burgemeester Peeters")]
    turns = [Turn(0.0, 2.0, "S1"), Turn(3.0, 5.0, "S2")]
    assert assign_speakers(segs, turns) == 2
    # c: 0.5 s of S1 and 0.5 s of S2 in 2 s (25% each): crosstalk stays unlabelled rather than guessed
    assert [s.speaker for s in segs] == ["S1", "S2", "", "", "Burgemeester Peeters"]


def test_a_configured_diarizer_labels_the_transcript_before_it_is_done(appliance: Appliance, tmp_path: Path) -> None:
    audio = stereo_dialogue(tmp_path)
    script = [Segment(0.1, 1.9, "Welkom allemaal.", avg_logprob=-0.2),
              Segment(3.2, 4.8, "Dank u, voorzitter.", avg_logprob=-0.2)]
    result = transcribe_recording(appliance, audio, transcriber=FakeTranscriber(script), chunk_seconds=4,
                                  diarizer=ChannelDiarizer())
    assert [(s.text, s.speaker) for s in result.segments] == [("Welkom allemaal.", "S1"), ("Dank u, voorzitter.", "S2")]
    with read_session(appliance.db) as s:
        rec = s.get(Recording, result.recording_id)
        assert rec is not None and rec.state == "done" and rec.finished_at is not None and rec.code == ""
        [event] = s.exec(select(AuditEvent).where(AuditEvent.action == "transcript.made")).all()
        assert event.detail["diarizer"] == "channel" and event.detail["model"] == "fake-transcriber"


def test_a_diarizer_that_fails_stops_the_run_with_its_reason(appliance: Appliance, tmp_path: Path) -> None:
    audio = stereo_dialogue(tmp_path)
    script = [Segment(0.1, 1.9, "Welkom allemaal.", avg_logprob=-0.2)]

    class Broken:
        name = "broken"

        def diarize(self, audio: Path) -> list[Turn]:
            raise ModelError("diarizer.crashed", "out of memory", hint="more memory")

    first = FakeTranscriber(script)
    with pytest.raises(BelfortError) as err:
        transcribe_recording(appliance, audio, transcriber=first, chunk_seconds=4, diarizer=Broken())
    assert err.value.code == "diarizer.crashed" and first.calls == []  # turns come first: nothing wasted
    with read_session(appliance.db) as s:
        rec = s.exec(select(Recording)).one()
        assert (rec.state, rec.chunks_done, rec.code) == ("failed", 0, "diarizer.crashed")
    again = FakeTranscriber(script)
    result = transcribe_recording(appliance, audio, transcriber=again, chunk_seconds=4, diarizer=ChannelDiarizer())
    assert again.calls == [(0.0, 4.0), (4.0, 2.0)] and [s.speaker for s in result.segments] == ["S1"]
    with read_session(appliance.db) as s:
        rec = s.exec(select(Recording)).one()
        assert (rec.state, rec.code) == ("done", "")


def test_a_segment_across_a_change_of_speaker_is_cut_between_words() -> None:
    words = [Word(0.5, 0.9, " Welkom"), Word(0.9, 1.6, " allemaal."), Word(3.2, 3.5, " Dank"), Word(3.5, 3.7, " u,"),
             Word(3.8, 4.6, " voorzitter.")]
    one = Segment(0.5, 4.6, "Welkom allemaal. Dank u, voorzitter.", avg_logprob=-0.3, words=words)
    loose = Segment(5.0, 6.0, "Ja.")  # no word times: the majority speaker, or none
    pieces = split_at_turns([one, loose], [Turn(0.0, 2.0, "S1"), Turn(3.0, 5.0, "S2")])
    assert [(p.start, p.end, p.speaker, p.text) for p in pieces] == [
        (0.5, 1.6, "S1", "Welkom allemaal."), (3.2, 4.6, "S2", "Dank u, voorzitter."), (5.0, 6.0, "", "Ja.")]
    assert all(p.avg_logprob == -0.3 for p in pieces[:2])


def test_registry_names_the_engines_and_what_to_provision(appliance: Appliance, tmp_path: Path) -> None:
    assert build_engine("none", tmp_path) is None
    assert isinstance(build_engine("channel", tmp_path), ChannelDiarizer)
    with pytest.raises(ModelError) as err:
        build_engine("whisperx", tmp_path)
    assert err.value.code == "diarizer.unknown_engine" and "channel" in err.value.hint and "pyannote" in err.value.hint
    with pytest.raises(ModelError) as err:
        build_engine("pyannote", tmp_path)
    assert err.value.code == "diarizer.missing_model"
    assert "pyannote/speaker-diarization-3.1" in err.value.hint and "pyannote-speaker-diarization" in err.value.hint
    assert build_diarizer(appliance) is None  # the default: speakers are set in the editor
    with pytest.raises(BelfortError) as berr:
        build_diarizer(appliance, "pyannote")
    assert berr.value.code == "diarizer.missing_model" and berr.value.hint


def test_doctor_reports_the_diarizer(tmp_path: Path) -> None:
    from appliance.checks import check_diarizer
    from appliance.context import open_appliance
    from tests.conftest import make_settings

    default = check_diarizer(open_appliance(make_settings(tmp_path / "a")))
    assert default.ok and "editor" in default.message
    missing = check_diarizer(open_appliance(make_settings(tmp_path / "b", asr={"diarizer": "pyannote"})))
    assert not missing.ok and not missing.required and "pyannote/speaker-diarization-3.1" in missing.hint
