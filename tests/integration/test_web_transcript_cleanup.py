"""The editor's clean-up towards the meeting's vocabulary, and undoing a change from the history."""

from __future__ import annotations

import re
from pathlib import Path

from appliance.context import open_appliance
from appliance.db.engine import write_session
from appliance.db.tables import Recording
from appliance.evaluation.minutes import store_transcript
from appliance.recordings import segments_of, set_vocabulary
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.integration.web_support import build_world, csrf, sign_in


def test_clean_up_shows_its_changes_and_each_can_be_undone(tmp_path: Path) -> None:
    app = open_appliance(make_settings(tmp_path, asr={"place_names": ["Kerkstraat"]}), embedder=FakeEmbedder())
    world = build_world(app, tmp_path)
    rec = store_transcript(app, [{"start": 0.0, "end": 4.0, "text": "Punt twee: de heranleg van de morrenstraat."},
                                 {"start": 4.0, "end": 8.0, "text": "Parkeren in de kerkstrat."}])
    with write_session(app.db) as s:
        row = s.get(Recording, rec)
        assert row is not None
        row.uploaded_by = "anna"
        s.add(row)
    set_vocabulary(app, rec, agenda=[{"number": 2, "title": "Heraanleg van de Molenstraat"}])
    client = world.client()
    sign_in(client, "anna")
    page = client.get(f"/recordings/{rec}")
    assert f'action="/recordings/{rec}/cleanup"' in page.text
    r = client.post(f"/recordings/{rec}/cleanup", data={"_csrf_token": csrf(client)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?notice=cleaned")
    assert [s.text for s in segments_of(app, rec)] == ["Punt twee: de heraanleg van de Molenstraat.",
                                                       "Parkeren in de Kerkstraat."]
    seg = segments_of(app, rec)[0].id
    history = client.get(f"/recordings/{rec}/segments/{seg}/history")
    assert "verbeterd naar de woordenlijst" in history.text and "de heranleg van de morrenstraat" in history.text
    action = re.search(r'action="(/recordings/\d+/revisions/\d+/revert)"', history.text)
    assert action is not None
    r = client.post(action.group(1), data={"_csrf_token": csrf(client)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?notice=reverted")
    assert segments_of(app, rec)[0].text == "Punt twee: de heranleg van de morrenstraat."
    assert "ongedaan gemaakt" in client.get(r.headers["location"]).text

    other = world.client()
    sign_in(other, "wout")  # may not see anna's recording: neither clean it up nor undo anything
    assert other.post(f"/recordings/{rec}/cleanup", data={"_csrf_token": csrf(other)},
                      follow_redirects=False).status_code == 404
    assert other.post(action.group(1), data={"_csrf_token": csrf(other)}, follow_redirects=False).status_code == 404
