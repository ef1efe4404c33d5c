"""Recordings as they come in: a speaker per stereo channel, telephone audio, a 6-hour meeting,
and uploads that hold no usable audio (refused at once, nothing left on disk).

Silence, noise and music only are in tests/contract/test_transcriber_contract.py; empty, 0-second,
corrupt and video-without-sound files at the decoder in test_asr_audio.py and test_asr_recording.py.
"""

from __future__ import annotations

import io
import re
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from appliance.access.principals import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.recordings.store import store_upload
from appliance.recordings.transcripts import transcribe_recording
from models.base import Segment
from models.diarize import ChannelDiarizer
from models.fakes import FakeTranscriber
from models.whisper import SAMPLE_RATE, WhisperTranscriber, decode_window, probe
from tests.asr_fixture import encode, require_whisper, silence, sox, speak
from tests.recording_support import sparse_wav

pytest.importorskip("av")
ANNA = Principal(7, "anna", "staff")
SIX_HOURS = 6 * 3600


@pytest.fixture(scope="module")
def whisper() -> WhisperTranscriber:
    return WhisperTranscriber(require_whisper())


@pytest.fixture(scope="module")
def whisper_words() -> WhisperTranscriber:
    return WhisperTranscriber(require_whisper(), word_timestamps=True)  # as built when a diarizer is set


def interview(folder: Path) -> Path:
    """The chair speaks first, on the left; a council member answers on the right. Whisper writes
    both in one segment; word times cut it where the speaker changes."""
    left = speak(folder / "a.wav", "Welkom op de gemeenteraad.")
    right = speak(folder / "b.wav", "Ik heb een vraag.")
    sox(str(left), str(folder / "l.wav"), "pad", "0", "4")
    sox(str(right), str(folder / "r.wav"), "pad", "3.5", "1")
    sox("-M", str(folder / "l.wav"), str(folder / "r.wav"), str(folder / "interview.wav"))
    return folder / "interview.wav"


def test_stereo_with_one_speaker_per_channel_transcribes_both_and_tells_them_apart(
    appliance: Appliance, tmp_path: Path, whisper_words: WhisperTranscriber
) -> None:
    interview(tmp_path)
    assert probe(tmp_path / "interview.wav").channels == 2
    result = transcribe_recording(appliance, tmp_path / "interview.wav", transcriber=whisper_words, language="nl",
                                  diarizer=ChannelDiarizer())
    by_speaker: dict[str, str] = {}
    for seg in result.segments:
        by_speaker[seg.speaker] = (by_speaker.get(seg.speaker, "") + " " + seg.text.lower()).strip()
    # (A stray word in a pause belongs to no turn and stays unlabelled: "" may come too.)
    assert {"S1", "S2"} <= set(by_speaker), result.segments
    # whisper-base hears espeak's "Welkom op de gemeenteraad" as "Meel kom op de gemeente rat" and the
    # like (its decoding varies a little with CPU load): the left voice's words, however spelt.
    assert any(w in by_speaker["S1"] for w in ("gemeent", "kom op", "welkom")), by_speaker
    assert "ik heb" in by_speaker["S2"], by_speaker  # ... and the right one's
    labelled = [s for s in result.segments if s.speaker]
    # The left voice speaks first (0-2.5 s), the right one from 3.5 s: no S1 after S2 (word times are
    # approximate, so no tighter bound).
    assert max(s.end for s in labelled if s.speaker == "S1") <= min(s.start for s in labelled if s.speaker == "S2")


def test_cli_labels_speakers_with_the_channel_diarizer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture) -> None:
    import json

    from ops.cli import main

    model = require_whisper()
    monkeypatch.setenv("BELFORT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BELFORT_MODELS_DIR", str(model.parent))
    monkeypatch.setenv("BELFORT_PROFILE", "test")
    monkeypatch.setenv("BELFORT_ASR__HOTWORDS", "[gemeenteraad]")
    assert main(["transcribe", str(interview(tmp_path)), "--diarizer", "channel", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    speakers = [s["speaker"] for s in out["segments"] if s["speaker"]]
    assert speakers[0] == "S1" and "S2" in speakers and speakers == sorted(speakers), out
    assert main(["transcribe", str(tmp_path / "interview.wav"), "--diarizer", "channel"]) == 0  # stored
    assert "] S2: " in capsys.readouterr().out


def test_telephone_audio_at_8_khz_is_resampled_and_transcribed(
    appliance: Appliance, tmp_path: Path, whisper: WhisperTranscriber
) -> None:
    voice = speak(tmp_path / "v.wav", "Ik heb een vraag.")
    # A phone line: 8 kHz, 8-bit mu-law, 300-3400 Hz.
    sox(str(voice), "-r", "8000", "-e", "u-law", str(tmp_path / "tel.wav"), "sinc", "300-3400")
    info = probe(tmp_path / "tel.wav")
    assert (info.sample_rate, info.codec) == (8000, "pcm_mulaw")
    result = transcribe_recording(appliance, tmp_path / "tel.wav", transcriber=whisper, language="nl")
    # The words are heard (int8 whisper-base on synthetic speech varies a little between CPUs: "ik heb
    # een vraag" on one, "ik heb het een paar" on another); a line not resampled gives none of them.
    heard = set(re.findall(r"\w+", result.text.lower()))
    assert len(heard & {"ik", "heb", "een", "vraag"}) >= 3, result.segments


def test_a_six_hour_meeting_is_accepted_and_planned_in_72_windows(appliance: Appliance, tmp_path: Path) -> None:
    meeting = sparse_wav(tmp_path / "marathon.wav", SIX_HOURS)
    assert probe(meeting).duration == pytest.approx(SIX_HOURS, abs=0.01)
    # The last window decodes by seeking: memory and time stay those of one window, not of 6 hours
    # (the whole recording at 16 kHz float32 would be 1.4 GB).
    tracemalloc.start()
    started = time.perf_counter()
    tail = decode_window(meeting, offset=SIX_HOURS - 300, duration=300)
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert tail.size == 300 * SAMPLE_RATE
    assert peak < 100 * 2**20 and took < 10, (peak, took)

    script = [Segment(12.0, 15.0, "De zitting is geopend.", avg_logprob=-0.2),
              Segment(SIX_HOURS - 20.0, SIX_HOURS - 15.0, "De zitting is gesloten.", avg_logprob=-0.2)]
    fake = FakeTranscriber(script)
    seen: list[float] = []
    result = transcribe_recording(appliance, meeting, transcriber=fake, progress_cb=seen.append)  # asr settings: 300 s
    assert result.n_chunks == 72 and len(fake.calls) == 72 and len(seen) == 72
    assert fake.calls[0] == (0.0, 300.0) and fake.calls[-1] == (SIX_HOURS - 300.0, 300.0)
    assert [s.start for s in result.segments] == [12.0, SIX_HOURS - 20.0]


@pytest.fixture
def mute_video(tmp_path: Path) -> bytes:
    return encode(np.zeros(0, np.int16), 16000, tmp_path / "mute.mp4", "aac", video=True, audio=False).read_bytes()


def test_uploads_without_usable_audio_are_refused_and_leave_nothing(appliance: Appliance, tmp_path: Path,
                                                                    mute_video: bytes) -> None:
    corrupt = bytes(np.random.default_rng(1).integers(0, 256, 20000, dtype=np.uint8))
    zero = silence(tmp_path / "zero.wav", 0.0).read_bytes()
    cases = [("vergadering.mp4", mute_video, "asr.no_audio_track", 422), ("kapot.mp3", corrupt, "asr.corrupt_audio", 422),
             ("leeg.wav", b"", "upload.empty", 400), ("nul.wav", zero, "asr.empty_audio", 422),
             ("notulen.pdf", b"%PDF-1.4", "recording.bad_type", 415)]
    for name, data, code, status in cases:
        with pytest.raises(BelfortError) as err:
            store_upload(appliance, ANNA, name, io.BytesIO(data))
        assert (err.value.code, err.value.status) == (code, status), name
        assert err.value.hint, name
    folder = appliance.layout.recordings
    assert not folder.exists() or list(folder.iterdir()) == []


def test_an_upload_over_the_limit_is_cut_off(tmp_path: Path) -> None:
    from appliance.context import open_appliance
    from tests.conftest import make_settings

    app = open_appliance(make_settings(tmp_path, asr={"max_upload_mb": 1}))
    with pytest.raises(BelfortError) as err:
        store_upload(app, ANNA, "lang.wav", io.BytesIO(b"\0" * (2 * 2**20)))
    assert (err.value.code, err.value.status) == ("upload.too_large", 413)
    assert list(app.layout.recordings.iterdir()) == []


def test_a_good_upload_is_stored_under_its_hash_once_per_uploader(appliance: Appliance, tmp_path: Path) -> None:
    data = silence(tmp_path / "raad.wav", 2.0).read_bytes()
    first = store_upload(appliance, ANNA, "..\\..\\Raad 12 maart.WAV", io.BytesIO(data), language=None)
    again = store_upload(appliance, ANNA, "kopie.wav", io.BytesIO(data))
    other = store_upload(appliance, Principal(8, "wout", "staff"), "raad.wav", io.BytesIO(data))
    assert first.id == again.id != other.id
    assert first.source_name == "Raad 12 maart.WAV" and first.language == "" and first.uploaded_by == "anna"
    assert other.language == "nl" and first.state == "pending" and first.n_chunks == 1
    import hashlib

    stored = Path(first.source_path)
    assert stored.parent == appliance.layout.recordings and stored.name == hashlib.sha256(data).hexdigest() + ".wav"
    assert stored.read_bytes() == data and len(list(appliance.layout.recordings.iterdir())) == 1
