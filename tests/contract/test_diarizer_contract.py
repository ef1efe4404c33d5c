"""One contract for every Diarizer: the channel diarizer, and pyannote when IT provisioned it.

Turns come in time order, inside the recording, with labels S1, S2, ... in order of first speech;
two voices on two channels are two speakers. Word times of the speech engine (what turns cut
segments by) lie inside their segment and in order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.base import Diarizer, ModelError
from models.registry import build_diarizer
from models.whisper import probe
from tests.asr_fixture import require_whisper, sox, speak, test_models_dir


@pytest.fixture(scope="module")
def dialogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two voices, one per channel: left 0-~2.5 s, right from 4 s."""
    folder = tmp_path_factory.mktemp("diarize")
    left = speak(folder / "a.wav", "Welkom op de gemeenteraad.")
    right = speak(folder / "b.wav", "Ik heb een vraag.", voice="nl+f3")
    sox(str(left), str(folder / "l.wav"), "pad", "0", "4")
    sox(str(right), str(folder / "r.wav"), "pad", "4", "1")
    sox("-M", str(folder / "l.wav"), str(folder / "r.wav"), str(folder / "dialogue.wav"))
    return folder / "dialogue.wav"


@pytest.fixture(params=["channel", "pyannote"])
def engine(request: pytest.FixtureRequest) -> Diarizer:
    try:
        built = build_diarizer(request.param, test_models_dir())
    except ModelError as exc:
        pytest.skip(f"{request.param}: {exc.message} ({exc.hint})")
    assert built is not None
    return built


def test_is_a_diarizer(engine: Diarizer) -> None:
    assert isinstance(engine, Diarizer) and engine.name


def test_two_voices_on_two_channels_are_two_speakers_in_time_order(engine: Diarizer, dialogue: Path) -> None:
    turns = engine.diarize(dialogue)
    duration = probe(dialogue).duration
    assert turns == sorted(turns, key=lambda t: t.start)
    assert all(0.0 <= t.start < t.end <= duration + 0.3 for t in turns)
    assert all(re.fullmatch(r"S\d+", t.speaker) for t in turns)
    assert turns[0].speaker == "S1" and {t.speaker for t in turns} == {"S1", "S2"}
    first_s2 = min(t.start for t in turns if t.speaker == "S2")
    assert 3.5 <= first_s2 <= 4.5
    assert engine.diarize(dialogue) == turns  # the same file, the same turns


def test_word_times_lie_inside_their_segment(dialogue: Path) -> None:
    from models.whisper import WhisperTranscriber

    engine = WhisperTranscriber(require_whisper(), threads=2, word_timestamps=True)
    segs = list(engine.transcribe(dialogue, language="nl"))
    words = [w for s in segs for w in s.words]
    assert words, segs
    for seg in segs:
        assert all(seg.start - 0.05 <= w.start <= w.end <= seg.end + 0.05 for w in seg.words), seg
        assert "".join(w.text for w in seg.words).strip() == seg.text
    assert [w.start for w in words] == sorted(w.start for w in words)
