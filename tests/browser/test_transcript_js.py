"""transcript.js in a real browser: a click on a segment's time seeks the audio element (which loads
the recording through HTTP Range requests) and marks the segment being heard, without leaving the page."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.browser.browser_support import live_app
from tests.browser.test_axe import NODE, _missing, chromium  # noqa: F401
from tests.conftest import make_settings
from tests.integration.web_support import PW, build_world

HERE = Path(__file__).resolve().parent

pytestmark = [pytest.mark.browser, pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


@pytest.fixture
def settings(tmp_path):  # type: ignore[no-untyped-def]
    # The player, not the sign-in: the administrator's second factor is tested in test_second_factor.
    return make_settings(tmp_path, identity={"admin_second_factor": False})


@pytest.fixture
def server(appliance, tmp_path):  # type: ignore[no-untyped-def]

    from appliance.recordings import transcript_edit
    from appliance.recordings.transcripts import transcribe_recording
    from models.base import Segment
    from models.fakes import FakeTranscriber
    from tests.asr_fixture import tone_ramp

    world = build_world(appliance, tmp_path)
    made = transcribe_recording(appliance, tone_ramp(tmp_path / "raad.wav", 12.0), transcriber=FakeTranscriber([
        Segment(1.0, 3.0, "Welkom op de gemeenteraad.", avg_logprob=-0.2),
        Segment(7.5, 9.0, "Ik heb een vraag.", avg_logprob=-0.2)]))
    world.docs["recording"] = made.recording_id
    world.docs["segment"] = transcript_edit.segments_of(appliance, made.recording_id)[1].id or 0
    with live_app(appliance) as base:
        yield world, base


def test_a_click_on_a_time_seeks_the_player(server, chromium) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    world, base = server
    out = subprocess.run([NODE, str(HERE / "run_transcript_js.js"), str(chromium), base, "admin", PW,
                          str(world.docs["recording"]), str(world.docs["segment"])],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["samePage"] is True and r["readyState"] >= 1, r  # seeked in place, metadata loaded
    assert r["currentTime"] == pytest.approx(7.5, abs=0.6), r
    assert r["duration"] == pytest.approx(12.0, abs=0.1), r
    assert r["playing"] == f"seg-{world.docs['segment']}" and r["hash"] == f"#seg-{world.docs['segment']}"
    assert r["csp"] == [] and not [c for c in r["console"] if c.startswith("exception")]


if _missing():
    test_a_click_on_a_time_seeks_the_player = pytest.mark.skip(reason=_missing())(  # type: ignore[misc]
        test_a_click_on_a_time_seeks_the_player
    )
