"""A worker that stopped in the middle of an uploaded 1-hour meeting: the next worker queues it again
and it resumes at its first unfinished window, with the organisation's asr settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from appliance.access.principals import Principal
from appliance.context import open_appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import JobOutcome, Recording
from appliance.jobs import enqueue_unfinished_transcriptions, queue_for, use_appliance
from appliance.recordings.store import store_upload
from models.base import Segment
from models.fakes import FakeEmbedder, FakeTranscriber
from tests.conftest import make_settings
from tests.recording_support import sparse_wav

pytest.importorskip("av")
ONE_HOUR = 3600


def test_an_interrupted_upload_resumes_after_a_restart(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, asr={"chunk_seconds": 300, "language": "fr", "hotwords": ["Belveld"]})
    script = [Segment(30.0, 34.0, "La séance est ouverte.", avg_logprob=-0.2),
              Segment(1850.0, 1855.0, "Point deux.", avg_logprob=-0.2),
              Segment(3550.0, 3554.0, "La séance est levée.", avg_logprob=-0.2)]
    fake = FakeTranscriber(script)
    app = open_appliance(settings, embedder=FakeEmbedder(), transcriber=fake)
    use_appliance(app)
    meeting = sparse_wav(tmp_path / "raad.wav", ONE_HOUR)
    with meeting.open("rb") as upload:
        rec = store_upload(app, Principal(7, "anna", "staff"), "raad.wav", upload)
    assert (rec.n_chunks, rec.chunk_seconds, rec.language) == (12, 300.0, "fr")

    # The previous worker transcribed 5 windows, then died with its job "running".
    from appliance.recordings.transcripts import transcribe_recording

    def die_after_five(progress: float) -> None:
        if progress >= 5 / 12:
            raise SystemExit("worker killed")

    with write_session(app.db) as s:
        s.add(JobOutcome(job_id="old", kind="transcribe", target=f"recording:{rec.id}", state="running"))
    with pytest.raises(SystemExit):
        transcribe_recording(app, Path(rec.source_path), transcriber=fake, recording_id=rec.id,
                             progress_cb=die_after_five)
    assert len(fake.calls) == 5

    jobs = enqueue_unfinished_transcriptions(app, queue_for(settings, immediate=True))  # the new worker starts
    assert len(jobs) == 1
    assert fake.calls[5:] == [(300.0 * k, 300.0) for k in range(5, 12)]  # only the unfinished windows
    with read_session(app.db) as s:
        done = s.get(Recording, rec.id)
        assert done is not None and (done.state, done.chunks_done) == ("done", 12)
        old = s.exec(select(JobOutcome).where(JobOutcome.job_id == "old")).one()
        assert (old.state, old.code) == ("failed", "job.interrupted")
        new = s.exec(select(JobOutcome).where(JobOutcome.job_id == jobs[0])).one()
        assert (new.state, new.progress, new.target) == ("done", 1.0, f"recording:{rec.id}")
    assert enqueue_unfinished_transcriptions(app, queue_for(settings, immediate=True)) == []  # nothing left
    from appliance.recordings.transcripts import recording_segments

    segs = recording_segments(app, rec.id or 0)
    assert [s.start for s in segs] == [30.0, 1850.0, 3550.0] and {s.language for s in segs} == {"fr"}
