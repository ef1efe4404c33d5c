"""Long recordings: fixed windows, stored per chunk, resumed after an interruption."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import Recording, TranscriptSegment
from appliance.errors import BelfortError
from appliance.recordings.transcripts import recording_progress, recording_segments, transcribe_recording
from models.base import Segment
from models.fakes import FakeTranscriber
from tests.asr_fixture import encode, silence

pytest.importorskip("av")

# A 25 s "meeting" scripted on the original timeline; windows of 10 s -> 3 chunks.
SCRIPT = [
    Segment(1.0, 3.5, "Welkom op de gemeenteraad.", avg_logprob=-0.2),
    Segment(4.0, 6.0, "Ondertitels ingediend door de Amara.org gemeenschap", avg_logprob=-0.2),
    Segment(11.25, 14.0, "Punt één: de begroting.", avg_logprob=-0.3),
    Segment(18.5, 21.0, "Goedgekeurd met twintig stemmen voor.", avg_logprob=-0.2),
    Segment(23.0, 24.5, "Dit is geen spraak", no_speech_prob=0.95, avg_logprob=-1.6),
]


@pytest.fixture
def meeting(tmp_path: Path) -> Path:
    return silence(tmp_path / "raad.wav", 25.0)


def test_chunks_store_guarded_segments_with_original_timestamps(appliance: Appliance, meeting: Path) -> None:
    fake = FakeTranscriber(SCRIPT)
    seen: list[float] = []
    result = transcribe_recording(appliance, meeting, transcriber=fake, chunk_seconds=10, language="nl",
                                  progress_cb=seen.append)
    assert fake.calls == [(0.0, 10.0), (10.0, 10.0), (20.0, 5.0)]
    assert seen == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert result.state == "done" and result.n_chunks == 3 and result.progress == 1.0
    assert [(s.start, s.end, s.text) for s in result.segments] == [
        (1.0, 3.5, "Welkom op de gemeenteraad."),
        (11.25, 14.0, "Punt één: de begroting."),
        (18.5, 20.0, "Goedgekeurd met twintig stemmen voor."),  # ends with its window
    ]
    assert result.dropped == {"phantom": 1, "no_speech": 1}
    assert all(s.language == "nl" for s in result.segments)
    assert recording_progress(appliance, result.recording_id) == 1.0


def test_interrupted_run_resumes_without_redoing_finished_chunks(appliance: Appliance, meeting: Path) -> None:
    first = FakeTranscriber(SCRIPT)

    def crash_after_first_chunk(progress: float) -> None:
        raise KeyboardInterrupt("worker stopped")

    with pytest.raises(KeyboardInterrupt):
        transcribe_recording(appliance, meeting, transcriber=first, chunk_seconds=10,
                             progress_cb=crash_after_first_chunk)
    assert first.calls == [(0.0, 10.0)]
    with read_session(appliance.db) as s:
        rec = s.exec(select(Recording)).one()
        assert (rec.state, rec.chunks_done, rec.n_chunks) == ("running", 1, 3)
    assert recording_progress(appliance, rec.id) == pytest.approx(1 / 3)
    assert [s.text for s in recording_segments(appliance, rec.id)] == ["Welkom op de gemeenteraad."]

    # "After a restart": a new engine object, same file, same settings.
    second = FakeTranscriber(SCRIPT)
    result = transcribe_recording(appliance, meeting, transcriber=second, chunk_seconds=10)
    assert second.calls == [(10.0, 10.0), (20.0, 5.0)]  # chunk 0 never again
    assert result.resumed_from == 1 and result.recording_id == rec.id
    assert [s.start for s in result.segments] == [1.0, 11.25, 18.5]
    with read_session(appliance.db) as s:
        assert len(s.exec(select(TranscriptSegment)).all()) == 3

    # Done is done: a third call returns the stored transcript without transcribing.
    third = FakeTranscriber(SCRIPT)
    again = transcribe_recording(appliance, meeting, transcriber=third, chunk_seconds=10)
    assert third.calls == [] and [s.start for s in again.segments] == [1.0, 11.25, 18.5]


def test_repeats_are_caught_across_a_resumed_chunk_boundary(appliance: Appliance, meeting: Path) -> None:
    loop = [Segment(float(t), t + 1.0, "Dank u wel.", avg_logprob=-0.2) for t in (7, 8, 10, 11)]

    def stop(progress: float) -> None:
        raise RuntimeError("restart")

    with pytest.raises(RuntimeError):
        transcribe_recording(appliance, meeting, transcriber=FakeTranscriber(loop), chunk_seconds=10,
                             progress_cb=stop)
    result = transcribe_recording(appliance, meeting, transcriber=FakeTranscriber(loop), chunk_seconds=10)
    assert [s.start for s in result.segments] == [7.0, 8.0]


def test_detected_language_is_tagged_per_segment(appliance: Appliance, meeting: Path) -> None:
    script = [Segment(1.0, 4.0, "De gemeenteraad keurt het reglement voor de markten goed."),
              Segment(12.0, 15.0, "Le conseil communal approuve le règlement des marchés.")]
    result = transcribe_recording(appliance, meeting, transcriber=FakeTranscriber(script), chunk_seconds=10,
                                  language=None)
    assert [s.language for s in result.segments] == ["nl", "fr"]


def test_bad_recordings_fail_with_stable_codes(appliance: Appliance, tmp_path: Path) -> None:
    (tmp_path / "leeg.mp3").write_bytes(b"")
    with pytest.raises(BelfortError) as err:
        transcribe_recording(appliance, tmp_path / "leeg.mp3", transcriber=FakeTranscriber())
    assert err.value.code == "asr.empty_audio"
    import numpy as np

    mute = encode(np.zeros(0, np.int16), 16000, tmp_path / "mute.mp4", "aac", video=True, audio=False)
    with pytest.raises(BelfortError) as err:
        transcribe_recording(appliance, mute, transcriber=FakeTranscriber())
    assert err.value.code == "asr.no_audio_track" and err.value.hint


def test_unprovisioned_model_fails_with_the_install_hint(appliance: Appliance) -> None:
    from appliance.recordings.transcripts import build_transcriber

    with pytest.raises(BelfortError) as err:
        build_transcriber(appliance)  # the test settings' models folder is empty
    assert err.value.code == "asr.missing_model"
    assert "belfort models install-defaults" in err.value.hint
