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
    assert out["chunks"] == -(-out["duration"] // 3) and out["segments"], out
    assert all(s["start"] >= 3.0 for s in out["segments"]), out
    assert abs(out["segments"][0]["start"] - 4.0) < 1.0, out  # the recording's clock, not the window's
    assert "goede" in " ".join(s["text"] for s in out["segments"]).lower(), out  # espeak via whisper-base
    assert main(["transcribe", str(env / "raad.wav"), "--chunk-seconds", "3"]) == 0  # stored: no rework
    assert "--> " in capsys.readouterr().out


def test_transcribe_reports_a_bad_file_with_its_code(env: Path, capsys: pytest.CaptureFixture) -> None:
    (env / "kapot.mp3").write_bytes(b"ID3\x03\x00garbage" * 50)
    assert main(["transcribe", str(env / "kapot.mp3")]) == 2
    err = capsys.readouterr().err
    assert "asr.corrupt_audio" in err or "asr.empty_audio" in err
    assert "hint:" in err


def test_eval_asr_prints_one_json_object(env: Path, capsys: pytest.CaptureFixture) -> None:
    # Silence against a reference: both systems must say nothing, so every word is an error
    # (the plumbing end to end, in seconds; the real figures come from the fillets set).
    silence(env / "a.wav", 2.0)
    (env / "set.tsv").write_text("a.wav\tGoedemorgen allemaal.\n", "utf-8")
    assert main(["eval", "asr", str(env / "set.tsv"), "--language", "nl", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 1 and result["audio_seconds"] == pytest.approx(2.0)
    for system in ("belfort", "raw"):
        assert result[system]["wer"] == 1.0 and result[system]["cer"] == 1.0 and result[system]["rtf"] > 0
