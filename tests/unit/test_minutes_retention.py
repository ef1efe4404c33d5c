"""Retention: stored audio goes after N days; transcripts, minutes and people's own files stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import inspect
from sqlmodel import select

from appliance.context import open_appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Minutes, MinutesItem, Recording, TranscriptSegment
from appliance.recordings.retention import plan_purge, purge_recordings
from models.fakes import FakeEmbedder
from tests.conftest import make_settings

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def _recording(app, path: Path, *, age_days: float, state: str = "done", sha: str = "") -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(b"RIFF....WAVEfmt ")
    with write_session(app.db) as s:
        rec = Recording(sha256=sha or path.stem, source_name="raad An Peeters.wav", source_path=str(path),
                        state=state, created_at=NOW - timedelta(days=age_days))
        s.add(rec)
        s.flush()
        s.add(TranscriptSegment(recording_id=rec.id, start=0.0, end=4.0, text="de zitting wordt geopend"))
        m = Minutes(recording_id=rec.id, title="Raad", state="approved", approved_by="archie")
        s.add(m)
        s.flush()
        s.add(MinutesItem(minutes_id=m.id, kind="summary", text="opening", state="accepted"))
        return rec.id  # type: ignore[return-value]


def test_old_stored_audio_is_deleted_and_the_rest_stays(appliance, tmp_path):
    stored = appliance.settings.data_dir / "recordings"
    old = _recording(appliance, stored / ("a" * 64 + ".wav"), age_days=45)
    recent = _recording(appliance, stored / ("b" * 64 + ".wav"), age_days=3)
    busy = _recording(appliance, stored / ("c" * 64 + ".wav"), age_days=90, state="running")
    own_file = tmp_path / "home" / "raad.wav"  # `belfort transcribe ~/raad.wav`: the person's own file
    outside = _recording(appliance, own_file, age_days=400)

    assert purge_recordings(appliance, now=NOW) == 1
    assert not (stored / ("a" * 64 + ".wav")).exists()
    assert (stored / ("b" * 64 + ".wav")).exists() and (stored / ("c" * 64 + ".wav")).exists()
    assert own_file.exists()
    with read_session(appliance.db) as s:
        recs = {r.id: r for r in s.exec(select(Recording)).all()}
        assert recs[old].audio_deleted_at is not None
        assert all(recs[i].audio_deleted_at is None for i in (recent, busy, outside))
        # Transcripts and minutes are kept.
        assert len(s.exec(select(TranscriptSegment)).all()) == 4
        assert len(s.exec(select(MinutesItem)).all()) == 4
        (event,) = s.exec(select(AuditEvent).where(AuditEvent.action == "recording.audio_deleted")).all()
    assert event.target == f"recording:{old}" and event.actor == "system"
    assert event.detail["retention_days"] == 30 and event.detail["age_days"] == 45
    assert "Peeters" not in str(event.detail)  # no file name (personal data) in the audit detail
    # Idempotent: a second run deletes nothing and logs nothing more.
    assert purge_recordings(appliance, now=NOW) == 0


def test_a_shared_file_goes_only_when_every_recording_using_it_is_old(appliance):
    shared = appliance.settings.data_dir / "recordings" / ("d" * 64 + ".mp3")
    first = _recording(appliance, shared, age_days=60, sha="d" * 64)
    second = _recording(appliance, shared, age_days=10, sha="d" * 64)  # a colleague uploaded it again
    assert purge_recordings(appliance, now=NOW) == 0 and shared.exists()
    assert purge_recordings(appliance, now=NOW + timedelta(days=25)) == 1 and not shared.exists()
    with read_session(appliance.db) as s:
        assert all(s.get(Recording, i).audio_deleted_at is not None for i in (first, second))


def test_a_symlink_out_of_the_folder_is_not_followed(appliance, tmp_path):
    target = tmp_path / "elsewhere" / "precious.wav"
    target.parent.mkdir()
    target.write_bytes(b"keep me")
    link = appliance.settings.data_dir / "recordings" / ("e" * 64 + ".wav")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    _recording(appliance, link, age_days=100)
    assert purge_recordings(appliance, now=NOW) == 0
    assert target.read_bytes() == b"keep me"
    assert plan_purge(appliance, now=NOW).outside == 1


def test_zero_days_keeps_everything(tmp_path):
    app = open_appliance(make_settings(tmp_path, minutes={"recording_retention_days": 0}), embedder=FakeEmbedder())
    path = app.settings.data_dir / "recordings" / ("f" * 64 + ".wav")
    _recording(app, path, age_days=3650)
    assert purge_recordings(app, now=NOW) == 0 and path.exists()
    assert plan_purge(app, now=NOW).cutoff is None


def test_the_worker_runs_the_purge_daily(settings):
    from appliance.jobs import queue_for

    huey = queue_for(settings, immediate=False)
    assert "purge_recordings" in {t.name for t in huey.read_periodic(datetime(2026, 6, 1, 3, 30))}
    assert "purge_recordings" not in {t.name for t in huey.read_periodic(datetime(2026, 6, 1, 4, 30))}


def test_cli_purge_and_export(tmp_path, capsys):
    from datetime import datetime as real_datetime

    from appliance.settings import load_settings
    from ops.cli import main
    from tests.minutes_support import make_minutes

    config = tmp_path / "belfort.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\nmodels_dir = "{tmp_path / "models"}"\nprofile = "test"\n'
                      '[search]\nembedder = "fake"\n[llm]\nengine = "none"\n[minutes]\nrecording_retention_days = 7\n',
                      "utf-8")
    app = open_appliance(load_settings(config), embedder=FakeEmbedder())
    stored = app.settings.data_dir / "recordings" / ("a" * 64 + ".wav")
    age = max(0, (real_datetime.now(UTC) - NOW).days) + 10  # past the 7 days whatever today is
    _recording(app, stored, age_days=age)
    mid = make_minutes(app, approved=True)["minutes"]

    assert main(["--config", str(config), "minutes", "purge", "--dry-run"]) == 0
    assert "1 audio file(s) older than 7 days would be deleted" in capsys.readouterr().out and stored.exists()
    assert main(["--config", str(config), "minutes", "purge"]) == 0
    assert "1 audio file(s) older than 7 days deleted" in capsys.readouterr().out and not stored.exists()

    out = tmp_path / "exports"
    out.mkdir()
    assert main(["--config", str(config), "minutes", "export", str(mid), "--format", "besluit.jsonld",
                 "--out", str(out)]) == 0
    (written,) = out.iterdir()
    assert written.name == f"minutes-{mid}-gemeenteraad-3-2026-etc-passwd.besluit.jsonld"
    assert '"@type": "Zitting"' in written.read_text("utf-8")


def test_migration_11_adds_the_column_to_an_older_database(appliance):
    from appliance.db.engine import migrate

    with appliance.db.begin() as conn:  # an older database: recording without the column
        conn.exec_driver_sql("ALTER TABLE recording DROP COLUMN audio_deleted_at")
        conn.exec_driver_sql("DELETE FROM schema_version WHERE version >= 11")
    migrate(appliance.db)
    with appliance.db.begin() as conn:
        cols = {c["name"] for c in inspect(conn).get_columns("recording")}
    assert "audio_deleted_at" in cols
    stored = appliance.settings.data_dir / "recordings" / ("9" * 64 + ".wav")
    _recording(appliance, stored, age_days=60)
    assert purge_recordings(appliance, now=NOW) == 1
