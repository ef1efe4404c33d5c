"""A meeting recording through the web UI: upload, transcription in the queue with the real
whisper-base model, the transcript editor (versioned corrections, speakers, search), playback with
HTTP ranges, who may see what, and the JSON API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import JobOutcome, Recording
from models.fakes import FakeEmbedder
from tests.asr_fixture import encode, require_whisper, silence, sox, speak
from tests.conftest import make_settings
from tests.integration.web_support import World, bearer, build_world, csrf, sign_in

ATTENDEES = ["Burgemeester Peeters", "Schepen Dupré"]


@pytest.fixture
def world(tmp_path: Path) -> World:
    model = require_whisper()
    settings = make_settings(tmp_path, models_dir=str(model.parent), asr={"attendees": ATTENDEES})
    app: Appliance = open_appliance(settings, embedder=FakeEmbedder())
    return build_world(app, tmp_path)


@pytest.fixture
def meeting(tmp_path: Path) -> Path:
    voice = speak(tmp_path / "v.wav", "Welkom op de gemeenteraad. Ik heb een vraag.")
    sox(str(silence(tmp_path / "pad.wav", 1.0)), str(voice), str(tmp_path / "raad.wav"))
    return tmp_path / "raad.wav"


def _upload(client, path: Path, name: str = "Gemeenteraad maart.wav"):  # type: ignore[no-untyped-def]
    # Filed under bouw: its readers (archie) see it; wout (welzijn) does not.
    return client.post("/recordings", files={"file": (name, path.read_bytes(), "audio/wav")},
                       data={"_csrf_token": csrf(client), "language": "nl", "collection": "bouw"},
                       follow_redirects=False)


def test_upload_transcribe_edit_and_play(world: World, meeting: Path) -> None:
    client = world.client()
    sign_in(client, "anna")
    assert client.get("/recordings").status_code == 200
    r = _upload(client, meeting)
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    rec_id = int(url.rsplit("/", 1)[-1])

    page = client.get(url)  # the queue ran immediately, with the real whisper-base model
    assert page.status_code == 200
    ids = [int(i) for i in re.findall(r'id="seg-(\d+)"', page.text)]
    assert ids, page.text
    texts = re.findall(r'<p class="segment-text"[^>]*>(.*?)</p>', page.text, flags=re.DOTALL)
    assert "ik heb een" in " ".join(texts).lower(), texts  # espeak's Dutch as whisper-base hears it
    assert f'href="/recordings/{rec_id}/audio#t=' in page.text and '?t=' in page.text
    assert '<audio id="recording-audio" controls preload="none"' in page.text
    assert "/static/transcript.js" in page.text and "<script>" not in page.text  # no inline script
    with read_session(world.app.db) as s:
        rec = s.get(Recording, rec_id)
        assert rec is not None and rec.state == "done" and rec.uploaded_by == "anna"
        assert re.fullmatch(r"[0-9a-f]{64}\.wav", Path(rec.source_path).name)
    progress = client.get(f"/recordings/{rec_id}/progress").json()
    assert progress["state"] == "done" and progress["progress"] == 1.0

    # A correction, with hostile text: versioned, and escaped wherever it is shown.
    seg = ids[0]
    r = client.post(f"/recordings/{rec_id}/segments/{seg}/text", follow_redirects=False,
                    data={"_csrf_token": csrf(client), "text": "Welkom op de <script>alert(1)</script> gemeenteraad."})
    assert r.status_code == 303 and r.headers["location"].endswith(f"#seg-{seg}")
    r = client.post(f"/recordings/{rec_id}/segments/{seg}/speaker", follow_redirects=False,
                    data={"_csrf_token": csrf(client), "speaker": "burgemeester peeters"})
    assert r.status_code == 303
    page = client.get(f"/recordings/{rec_id}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    assert "Burgemeester Peeters" in page.text and '<option value="Schepen Dupré">' in page.text
    history = client.get(f"/recordings/{rec_id}/segments/{seg}/history")
    assert history.status_code == 200 and texts[0].strip() in history.text and "anna" in history.text
    assert history.text.count("<tr>") == 3  # header + text edit + speaker change

    found = client.get(f"/recordings/{rec_id}", params={"q": "SCRIPT"})
    assert "<mark>script</mark>" in found.text and found.text.count('class="segment"') == 1

    # Split the turn where the next words begin: a new segment right after it, same speaker.
    r = client.post(f"/recordings/{rec_id}/segments/{seg}/split", follow_redirects=False,
                    data={"_csrf_token": csrf(client), "before": "Gemeenteraad", "at": ""})
    assert r.status_code == 303
    new = int(r.headers["location"].rsplit("#seg-", 1)[1])
    after = [int(i) for i in re.findall(r'id="seg-(\d+)"', client.get(f"/recordings/{rec_id}").text)]
    assert after[:2] == [seg, new] and len(after) == len(ids) + 1
    got = client.get(f"/api/v1/recordings/{rec_id}", headers=bearer(world, "anna")).json()["segments"]
    assert got[1]["text"] == "gemeenteraad." and got[1]["speaker"] == "Burgemeester Peeters"
    assert got[0]["end"] == got[1]["start"] > got[0]["start"]
    moment = client.get(f"/recordings/{rec_id}", params={"t": got[1]["start"]}).text  # a link to a moment
    assert f'src="/recordings/{rec_id}/audio#t={got[1]["start"]}"' in moment

    # Playback: the stored file, with Range requests answered 206 so the player can seek.
    data = Path(rec.source_path).read_bytes()
    whole = client.get(f"/recordings/{rec_id}/audio")
    assert whole.status_code == 200 and whole.content == data and whole.headers["accept-ranges"] == "bytes"
    part = client.get(f"/recordings/{rec_id}/audio", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}" and part.headers["content-type"] == "audio/wav"
    tail = client.get(f"/recordings/{rec_id}/audio", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    assert client.get(f"/recordings/{rec_id}/audio", headers={"Range": f"bytes={len(data)}-"}).status_code == 416

    # Who may see it: the uploader and the readers of its collection; anyone else gets "not found".
    other = world.client()
    sign_in(other, "wout")
    assert other.get(f"/recordings/{rec_id}").status_code == 404
    assert other.get(f"/recordings/{rec_id}/audio").status_code == 404
    assert "Gemeenteraad maart" not in other.get("/recordings").text
    assert other.post(f"/recordings/{rec_id}/segments/{seg}/text", data={"_csrf_token": csrf(other), "text": "x"},
                      follow_redirects=False).status_code == 404
    archivist = world.client()
    sign_in(archivist, "archie")
    assert "Gemeenteraad maart" in archivist.get("/recordings").text
    minutes_form = f'action="/recordings/{rec_id}/minutes"'
    assert minutes_form not in client.get(f"/recordings/{rec_id}").text  # staff: no minutes button
    assert minutes_form in archivist.get(f"/recordings/{rec_id}").text
    r = archivist.post(f"/recordings/{rec_id}/minutes", follow_redirects=False,
                       data={"_csrf_token": csrf(archivist), "title": "Gemeenteraad", "meeting_date": "2026-03-12"})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=minutes")
    with read_session(world.app.db) as s:
        assert s.exec(select(JobOutcome).where(JobOutcome.kind == "minutes",
                                               JobOutcome.target == f"recording:{rec_id}")).first() is not None

    # The API gives the same transcript to the same people.
    api = world.client()
    got = api.get(f"/api/v1/recordings/{rec_id}", headers=bearer(world, "anna")).json()
    assert got["state"] == "done" and got["ai_generated"] is True
    assert got["segments"][0]["speaker"] == "Burgemeester Peeters" and "<script>" in got["segments"][0]["text"]
    assert api.get(f"/api/v1/recordings/{rec_id}", headers=bearer(world, "wout")).status_code == 404
    assert [r["id"] for r in api.get("/api/v1/recordings", headers=bearer(world, "wout")).json()] == []


def test_unusable_uploads_are_refused_with_their_reason(world: World, tmp_path: Path) -> None:
    import numpy as np

    mute = encode(np.zeros(0, np.int16), 16000, tmp_path / "mute.mp4", "aac", video=True, audio=False)
    client = world.client()
    sign_in(client, "anna")
    r = client.post("/recordings", files={"file": ("zitting.mp4", mute.read_bytes(), "video/mp4")},
                    data={"_csrf_token": csrf(client)}, follow_redirects=False)
    assert r.status_code == 422 and "geen geluidsspoor" in r.text  # Dutch UI: "no audio track"
    r = client.post("/recordings", files={"file": ("notulen.pdf", b"%PDF-1.4", "application/pdf")},
                    data={"_csrf_token": csrf(client)}, follow_redirects=False)
    assert r.status_code == 415
    api = world.client()
    r = api.post("/api/v1/recordings", files={"file": ("zitting.mp4", mute.read_bytes(), "video/mp4")},
                 headers=bearer(world, "anna"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "asr.no_audio_track" and r.json()["error"]["hint"]
    with read_session(world.app.db) as s:
        assert s.exec(select(Recording)).all() == []


def test_api_upload_queues_and_reports_progress(world: World, meeting: Path) -> None:
    api = world.client()
    r = api.post("/api/v1/recordings", files={"file": ("raad.wav", meeting.read_bytes(), "audio/wav")},
                 data={"language": "nl"}, headers=bearer(world, "wout"))
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["job_id"] and body["state"] == "done" and body["progress"] == 1.0 and body["uploaded_by"] == "wout"
    listed = api.get("/api/v1/recordings", headers=bearer(world, "wout")).json()
    assert [x["id"] for x in listed] == [body["id"]]
    detail = api.get(f"/api/v1/recordings/{body['id']}", headers=bearer(world, "wout")).json()
    assert "ik heb een" in " ".join(s["text"] for s in detail["segments"]).lower()


def test_progress_and_failure_are_shown_while_there_is_no_transcript(world: World) -> None:
    from appliance.db.engine import write_session

    with write_session(world.app.db) as s:
        running = Recording(sha256="a" * 64, source_name="lang.wav", source_path="/nonexistent/a.wav", duration=7200,
                            n_chunks=24, chunks_done=6, state="running", uploaded_by="anna")
        failed = Recording(sha256="b" * 64, source_name="kapot.mp3", source_path="/nonexistent/b.mp3", duration=60,
                           n_chunks=1, state="failed", code="asr.corrupt_audio", message="cannot be decoded",
                           uploaded_by="anna")
        s.add(running)
        s.add(failed)
        s.flush()
        ids = running.id, failed.id
    client = world.client()
    sign_in(client, "anna")
    listing = client.get("/recordings").text
    assert f'data-progress-url="/recordings/{ids[0]}/progress"' in listing and 'value="25"' in listing
    assert f'data-progress-url="/recordings/{ids[1]}/progress"' not in listing  # nothing to wait for
    page = client.get(f"/recordings/{ids[0]}")
    assert page.status_code == 200 and "6 van 24 delen klaar" in page.text
    assert client.get(f"/recordings/{ids[0]}/progress").json()["progress"] == 0.25
    assert client.get(f"/recordings/{ids[0]}/audio").status_code == 410  # the file is gone
    page = client.get(f"/recordings/{ids[1]}")
    assert "beschadigd" in page.text and "asr.corrupt_audio" in page.text  # translated reason, and its code
    assert f'action="/recordings/{ids[1]}/retry"' in page.text
