"""A recording goes through the job queue: progress is recorded, segments are stored, a re-run resumes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from appliance.context import open_appliance
from appliance.documents.ingest import list_jobs
from appliance.jobs import enqueue_transcription, queue_for, use_appliance
from appliance.recordings.transcripts import recording_segments
from models.fakes import FakeTranscriber
from tests.conftest import make_settings

pytestmark = pytest.mark.skipif(shutil.which("sox") is None, reason="sox not installed (ops/setup.sh)")


def test_transcription_job_records_progress_and_segments(tmp_path: Path) -> None:
    from tests.asr_fixture import silence

    audio = silence(tmp_path / "raad.wav", 12.0)
    fake = FakeTranscriber([(1.0, 3.0, "De voorzitter opent de zitting."), (7.5, 9.0, "Punt twee.")])
    settings = make_settings(tmp_path)
    app = open_appliance(settings, transcriber=fake)
    use_appliance(app)
    huey = queue_for(settings, immediate=True)
    enqueue_transcription(app, huey, audio)
    [job] = [j for j in list_jobs(app) if j.kind == "transcribe"]
    assert job.state == "done" and job.progress == 1.0 and job.code == "transcribed"
    recording_id = int(job.message.split()[-1])
    texts = [s.text for s in recording_segments(app, recording_id)]
    assert texts == ["De voorzitter opent de zitting.", "Punt twee."]

    calls = len(fake.calls)
    enqueue_transcription(app, huey, audio)  # the same recording again: finished, nothing redone
    assert len(fake.calls) == calls


def test_a_file_without_audio_fails_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "leeg.wav").write_bytes(b"")
    settings = make_settings(tmp_path)
    app = open_appliance(settings, transcriber=FakeTranscriber())
    use_appliance(app)
    enqueue_transcription(app, queue_for(settings, immediate=True), tmp_path / "leeg.wav")
    [job] = [j for j in list_jobs(app) if j.kind == "transcribe"]
    assert job.state == "failed" and job.code.startswith("asr.")
