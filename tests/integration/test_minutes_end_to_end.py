"""Issue 5 end to end, with the real engines: a spoken meeting (espeak-ng) is uploaded, transcribed by
whisper-base in the job queue, drafted into minutes by the demo LLM (Qwen2.5-0.5B, greedy, so the
run is reproducible), reviewed item by item, approved and exported as DOCX, iCalendar and OSLO
JSON-LD with only the accepted items."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from sqlmodel import select

from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import Minutes, MinutesItem, TranscriptSegment
from models.fakes import FakeEmbedder
from tests.asr_fixture import require_whisper, speak
from tests.conftest import REPO, make_settings
from tests.integration.web_support import World, build_world, csrf, sign_in

pytestmark = pytest.mark.llm

QWEN = REPO / "var" / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m"
MEETING = ("Punt één. Goedkeuring van de notulen van de vorige zitting. "
           "De raad keurt de notulen goed met vijftien stemmen voor. "
           "Punt twee. Heraanleg van het speelplein in de Kerkstraat. "
           "De raad keurt het ontwerp van het nieuwe speelplein goed. "
           "Schepen Peeters bezorgt de planning van de werken aan de raad tegen vijftien juni.")
AGENDA = "1. Goedkeuring notulen vorige zitting\n2. Heraanleg speelplein Kerkstraat"
ATTENDEES = ["Jan Peeters", "An Claes"]


def _qwen() -> Path:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        pytest.skip("llama-cpp-python not installed")
    found = sorted(QWEN.glob("*.gguf"))
    if not found:
        pytest.skip("the demo LLM is not provisioned; run: belfort models install-defaults")
    return found[0]


@pytest.fixture
def world(tmp_path: Path) -> World:
    whisper = require_whisper()
    settings = make_settings(tmp_path, models_dir=str(whisper.parent),
                             llm={"engine": "llama-cpp", "model": str(_qwen()), "threads": 2},
                             asr={"attendees": ATTENDEES})
    # A whisper engine of this test's own: CTranslate2 seeds its per-thread random generators once,
    # so the temperature-fallback samples of a shared engine depend on what it transcribed before.
    from models.whisper import WhisperTranscriber

    app: Appliance = open_appliance(settings, embedder=FakeEmbedder(),
                                    transcriber=WhisperTranscriber(whisper, device="cpu", compute_type="int8"))
    return build_world(app, tmp_path)


def _post(client, url: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"_csrf_token": csrf(client), **data}, follow_redirects=False)


def test_recording_becomes_reviewed_minutes_and_exports(world: World, tmp_path: Path) -> None:
    import docx
    from icalendar import Calendar
    from pyld import jsonld

    wav = speak(tmp_path / "raad.wav", MEETING, words_per_minute=110, word_gap=4)
    archie = world.client()
    sign_in(archie, "archie")
    r = archie.post("/recordings", files={"file": ("Gemeenteraad mei.wav", wav.read_bytes(), "audio/wav")},
                    data={"_csrf_token": csrf(archie), "language": "nl"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    rec_id = int(r.headers["location"].rsplit("/", 1)[-1])
    assert re.search(r'id="seg-\d+"', archie.get(f"/recordings/{rec_id}").text)  # transcribed in the queue

    r = _post(archie, f"/recordings/{rec_id}/minutes", title="Gemeenteraad", meeting_date="2026-05-27",
              agenda=AGENDA)
    assert r.status_code == 303
    with read_session(world.app.db) as s:
        minutes = s.exec(select(Minutes).where(Minutes.recording_id == rec_id)).one()
        items = s.exec(select(MinutesItem).where(MinutesItem.minutes_id == minutes.id)
                       .order_by(MinutesItem.ordinal)).all()
        segments = {seg.id: seg for seg in s.exec(select(TranscriptSegment)
                                                  .where(TranscriptSegment.recording_id == rec_id)).all()}
    assert minutes.state == "draft", minutes.error
    assert minutes.model and len(minutes.model_sha256) == 64
    assert items, "the draft has items"
    for item in items:  # an item cites real moments of this recording, or is flagged for the reviewer
        if item.segment_ids:
            assert set(item.segment_ids) <= set(segments)
            assert item.start == min(segments[i].start for i in item.segment_ids)
            assert item.end == max(segments[i].end for i in item.segment_ids)
        else:
            assert not item.supported and "unsupported" in item.flags
    linked = [item for item in items if item.segment_ids]
    assert linked, "whisper-base and the 0.5B model link at least one item to the recording"

    page = archie.get(f"/minutes/{minutes.id}")
    assert page.status_code == 200
    assert f'href="/recordings/{rec_id}#seg-{linked[0].segment_ids[0]}"' in page.text  # clickable timestamp

    # Review: the first linked AI item is accepted, every other one rejected; the secretary adds the
    # decision and the action as she heard them.
    kept = linked[0]
    dropped = [item for item in items if item.id != kept.id]
    assert _post(archie, f"/minutes/{minutes.id}/items/{kept.id}/state", state="accepted").status_code == 303
    for item in dropped:
        assert _post(archie, f"/minutes/{minutes.id}/items/{item.id}/state", state="rejected").status_code == 303
    assert _post(archie, f"/minutes/{minutes.id}/items", kind="decision", agenda_number="2",
                 text="De raad keurt het ontwerp van het nieuwe speelplein goed.").status_code == 303
    assert _post(archie, f"/minutes/{minutes.id}/items", kind="action", agenda_number="2",
                 text="Planning van de werken bezorgen", owner="Jan Peeters",
                 deadline="2026-06-15").status_code == 303
    assert _post(archie, f"/minutes/{minutes.id}/approve").status_code == 303
    with read_session(world.app.db) as s:
        assert s.get(Minutes, minutes.id).state == "approved"

    body = archie.get(f"/minutes/{minutes.id}/export/docx")
    assert body.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(body.content)).paragraphs)
    assert kept.text.split()[0] in text and "nieuwe speelplein goed" in text
    added = "De raad keurt het ontwerp van het nieuwe speelplein goed. Planning van de werken bezorgen"
    for item in dropped:  # rejected items never reach the export (unless the same words stand elsewhere)
        if not any(item.text in other for other in (kept.text, AGENDA, added, ", ".join(ATTENDEES))):
            assert item.text not in text

    cal = Calendar.from_ical(archie.get(f"/minutes/{minutes.id}/export/actions.ics").content)
    todos = [c for c in cal.walk("VTODO")]
    assert any(str(t["SUMMARY"]).startswith("Planning van de werken") and t["DUE"].dt.isoformat()[:10] == "2026-06-15"
               for t in todos)

    doc = json.loads(archie.get(f"/minutes/{minutes.id}/export/besluit.jsonld").content)
    types = {t for node in jsonld.expand(doc) for t in node.get("@type", [])}
    assert "http://data.vlaanderen.be/ns/besluit#Zitting" in types
    flat = json.dumps(jsonld.expand(doc))
    assert "http://data.vlaanderen.be/ns/besluit#Besluit" in flat and "nieuwe speelplein goed" in flat
