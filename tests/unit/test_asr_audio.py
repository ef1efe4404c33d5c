"""Audio decoding through PyAV: formats, exact windows, and bad input with stable codes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.base import ModelError
from models.whisper import SAMPLE_RATE, WhisperTranscriber, decode_window, probe
from tests.asr_fixture import encode, read_wav, silence, sox, tone_ramp

pytest.importorskip("av")


@pytest.fixture(scope="module")
def ramp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_ramp(tmp_path_factory.mktemp("asr") / "ramp.wav", 12.0)


@pytest.mark.parametrize("ext", ["wav", "ogg"])
def test_window_is_exactly_the_slice_of_the_full_decode(ramp: Path, ext: str) -> None:
    if ext != "wav":
        sox(str(ramp), str(ramp.with_suffix(f".{ext}")))
        ramp = ramp.with_suffix(f".{ext}")
    full = decode_window(ramp)
    assert full.size == 12 * SAMPLE_RATE
    win = decode_window(ramp, offset=7.25, duration=3.0)
    start = int(7.25 * SAMPLE_RATE)
    assert win.size == 3 * SAMPLE_RATE
    np.testing.assert_array_equal(win, full[start:start + win.size])
    tail = decode_window(ramp, offset=10.0, duration=5.0)  # past the end: what is left
    assert tail.size == 2 * SAMPLE_RATE
    assert decode_window(ramp, offset=20.0, duration=5.0).size == 0


@pytest.mark.parametrize("name,codec,kw", [
    ("m.m4a", "aac", {}), ("m.mp3", "libmp3lame", {}), ("m.opus", "libopus", {}),
    ("m.webm", "libopus", {}), ("m.mp4", "aac", {"video": True}),
])
def test_formats_decode_to_the_same_length(tmp_path: Path, ramp: Path, name: str, codec: str, kw: dict) -> None:
    samples, rate = read_wav(ramp)
    path = encode(samples[: 4 * rate], rate, tmp_path / name, codec, **kw)
    info = probe(path)
    assert info.duration == pytest.approx(4.0, abs=0.1)
    audio = decode_window(path)
    assert audio.size / SAMPLE_RATE == pytest.approx(4.0, abs=0.1)
    assert 0.2 < float(np.abs(audio).max()) <= 1.0


def test_ogg_and_8khz_telephone_audio(tmp_path: Path, ramp: Path) -> None:
    sox(str(ramp), str(tmp_path / "m.ogg"))
    sox(str(ramp), "-r", "8000", str(tmp_path / "tel.wav"))
    assert decode_window(tmp_path / "m.ogg").size / SAMPLE_RATE == pytest.approx(12.0, abs=0.1)
    tel = decode_window(tmp_path / "tel.wav")  # resampled up to 16 kHz
    assert tel.size == pytest.approx(12 * SAMPLE_RATE, abs=32)
    assert probe(tmp_path / "tel.wav").sample_rate == 8000


def test_stereo_with_one_speaker_per_channel_is_downmixed(tmp_path: Path, ramp: Path) -> None:
    left, rate = read_wav(ramp)
    left = left[: 2 * rate]
    stereo = np.stack([left, np.zeros_like(left)], axis=1)  # speaker A left, speaker B silent right
    path = encode(stereo, rate, tmp_path / "two.wav", "pcm_s16le", channels=2)
    assert probe(path).channels == 2
    mono = decode_window(path)
    assert mono.ndim == 1 and mono.size == 2 * SAMPLE_RATE
    assert float(np.abs(mono).max()) > 0.2  # the left speaker survives the downmix


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp3").write_bytes(b"")
    with pytest.raises(ModelError) as err:
        probe(tmp_path / "empty.mp3")
    assert err.value.code == "asr.empty_audio" and err.value.hint


def test_zero_second_wav(tmp_path: Path) -> None:
    path = silence(tmp_path / "zero.wav", 0.0)
    with pytest.raises(ModelError) as err:
        probe(path)
    assert err.value.code == "asr.empty_audio"


def test_corrupt_mp3(tmp_path: Path) -> None:
    path = tmp_path / "broken.mp3"
    path.write_bytes(bytes(np.random.default_rng(1).integers(0, 256, 20000, dtype=np.uint8)))
    with pytest.raises(ModelError) as err:
        probe(path)
    assert err.value.code == "asr.corrupt_audio" and "export" in err.value.hint


def test_video_without_audio_track(tmp_path: Path) -> None:
    path = encode(np.zeros(0, np.int16), 16000, tmp_path / "mute.mp4", "aac", video=True, audio=False)
    with pytest.raises(ModelError) as err:
        probe(path)
    assert err.value.code == "asr.no_audio_track" and err.value.hint


def test_missing_model_folder_names_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        WhisperTranscriber(tmp_path / "whisper-base")
    assert err.value.code == "asr.missing_model"
    assert "belfort models install-defaults" in err.value.hint
