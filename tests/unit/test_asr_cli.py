"""`belfort transcribe` and `belfort eval asr` end to end on the real whisper-base model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.cli import main
from tests.asr_fixture import require_whisper, silence, sox, speak


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    model = require_whisper()
    monkeypatch.setenv("BELFORT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BELFORT_MODELS_DIR", str(model.parent))
    monkeypatch.setenv("BELFORT_PROFILE", "test")
    return tmp_path


def test_transcribe_prints_segments_with_original_timestamps(env: Path, capsys: pytest.CaptureFixture) -> None:
    voice = speak(env / "v.wav", "Goedemorgen allemaal.")
    pad = silence(env / "pad.wav", 4.0)
    sox(str(pad), str(voice), str(env / "raad.wav"))  # speech starts at 4 s: the second 3 s window
    assert main(["transcribe", str(env / "raad.wav"), "--chunk-seconds", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["chunks"] == 3 and out["segments"]
    assert all(s["start"] >= 3.0 for s in out["segments"])
    assert "goedemorgen" in " ".join(s["text"] for s in out["segments"]).lower().replace(" ", "")
    assert main(["transcribe", str(env / "raad.wav"), "--chunk-seconds", "3"]) == 0  # stored: no rework
    assert "--> " in capsys.readouterr().out


def test_transcribe_reports_a_bad_file_with_its_code(env: Path, capsys: pytest.CaptureFixture) -> None:
    (env / "kapot.mp3").write_bytes(b"ID3\x03\x00garbage" * 50)
    assert main(["transcribe", str(env / "kapot.mp3")]) == 2
    err = capsys.readouterr().err
    assert "asr.corrupt_audio" in err or "asr.empty_audio" in err
    assert "hint:" in err


def test_eval_asr_prints_one_json_object(env: Path, capsys: pytest.CaptureFixture) -> None:
    speak(env / "a.wav", "Goedemorgen allemaal.")
    (env / "set.tsv").write_text("a.wav\tGoedemorgen allemaal.\n", "utf-8")
    assert main(["eval", "asr", str(env / "set.tsv"), "--language", "nl", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 1 and result["audio_seconds"] > 0.5
    for system in ("belfort", "raw"):
        assert 0.0 <= result[system]["wer"] <= 1.0 and result[system]["rtf"] > 0
