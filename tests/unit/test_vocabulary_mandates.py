"""The governing body's mandatarissen prime transcription: given as `set_vocabulary(body_uri=...)`
(the demo council) or read from the meeting the recording's minutes belong to; only those who hold
their mandate today, so an edit or an ended mandate reaches the next transcription."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from appliance.access.principals import SYSTEM, Principal
from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import Minutes
from appliance.mandates import current_names, end_mandatary, import_mandates, save_mandatary
from appliance.minutes.lblod import save_meeting
from appliance.recordings import primed_vocabulary, priming_terms, set_vocabulary, store_upload, vocabulary_of
from appliance.recordings.transcripts import transcribe_recording
from models.base import Segment
from models.fakes import FakeTranscriber
from ops.demo.seed_lblod import MANDATES_FILE, RAAD
from tests.asr_fixture import silence

WHO = Principal(3, "archie", "archivist")
AGENDA = [{"number": 1, "title": "Heraanleg van de Molenstraat"}]


class _Listening(FakeTranscriber):
    def __init__(self, script: Sequence[Any]) -> None:
        super().__init__(script)
        self.hotwords: list[tuple[str, ...]] = []

    def transcribe(self, audio: Any, *, hotwords: Sequence[str] = (), **kw: Any) -> Iterator[Any]:
        self.hotwords.append(tuple(hotwords))
        return super().transcribe(audio, hotwords=hotwords, **kw)


def _upload(app: Appliance, tmp_path: Path) -> int:
    with silence(tmp_path / "raad.wav", 3.0).open("rb") as fh:
        rec = store_upload(app, WHO, "raad.wav", fh)
    assert rec.id is not None
    return rec.id


def test_set_vocabulary_with_the_demo_council_adds_its_current_mandatarissen(appliance: Appliance,
                                                                           tmp_path: Path) -> None:
    import_mandates(appliance, MANDATES_FILE)
    council = current_names(appliance, RAAD)
    assert "Els Van Damme" in council and len(council) == 8  # 7 mandatarissen and the algemeen directeur
    rec = _upload(appliance, tmp_path)
    set_vocabulary(appliance, rec, agenda=AGENDA, names=["An Verhulst"], body_uri=RAAD)
    _agenda, names, _places = primed_vocabulary(appliance, rec)
    assert names[0] == "An Verhulst" and set(names[1:]) == set(council)
    assert vocabulary_of(appliance, rec)[1] == ["An Verhulst"]  # a draft's attendees stay the names given
    # Read when transcribing: a mandate ended since no longer primes.
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    end_mandatary(appliance, WHO, "http://data.lblod.info/id/mandatarissen/demo-belveld-gemeenteraad-p7", yesterday)
    _agenda, names, _places = primed_vocabulary(appliance, rec)
    assert set(names[1:]) == set(council) - {"Ann Claes"}
    terms = priming_terms(appliance, agenda=AGENDA, names=names)
    assert terms[0] == "Heraanleg van de Molenstraat" and "Els Van Damme" in terms and "Ann Claes" not in terms


def test_a_recording_of_a_meeting_with_a_body_is_primed_with_that_bodys_names(appliance: Appliance,
                                                                            tmp_path: Path) -> None:
    import_mandates(appliance, MANDATES_FILE)
    rec = _upload(appliance, tmp_path)
    assert primed_vocabulary(appliance, rec)[1] == []  # no meeting yet: nothing to prime with
    with write_session(appliance.db) as s:
        minutes = Minutes(recording_id=rec, title="Gemeenteraad", state="draft")
        s.add(minutes)
        s.flush()
        minutes_id = minutes.id or 0
    save_meeting(appliance, SYSTEM, minutes_id, body_uri=RAAD)
    # An archivist adds a mandataris on /mandates: the next transcription knows the name.
    save_mandatary(appliance, WHO, uri="https://www.belveld.be/id/mandatarissen/nieuw", body_uri=RAAD,
                   name="Wim Vercruysse", role="Gemeenteraadslid")
    engine = _Listening([Segment(0.0, 2.0, "De raad is geopend.")])
    transcribe_recording(appliance, tmp_path / "raad.wav", transcriber=engine, recording_id=rec)
    assert engine.hotwords and "Els Van Damme" in engine.hotwords[0] and "Wim Vercruysse" in engine.hotwords[0]
    assert "Luc Janssens" in engine.hotwords[0]
