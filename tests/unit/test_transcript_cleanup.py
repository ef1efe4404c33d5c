"""A meeting's vocabulary primes transcription; the clean-up corrects towards it, reversibly."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from appliance.access.principals import SYSTEM, Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.evaluation.minutes import store_transcript
from appliance.minutes import draft_minutes, get_minutes
from appliance.recordings import (
    clean_up_transcript,
    priming_terms,
    revert_revision,
    segment_history,
    segments_of,
    set_vocabulary,
    store_upload,
)
from appliance.recordings import transcript_edit as edits
from appliance.recordings.cleanup import accept_proposal, correct_text, vocabulary_words
from appliance.recordings.transcripts import transcribe_recording
from models.base import ChatMessage, Segment
from models.fakes import FakeLLM, FakeTranscriber
from tests.asr_fixture import silence

AGENDA = [{"number": 1, "title": "Notulen van de vorige zitting"},
          {"number": 2, "title": "Heraanleg van de Molenstraat"}]
NAMES = ["Pieter Claes", "An Verhulst"]
PLACES = ["Belveld", "Molenstraat", "Kerkstraat"]
HEARD = [
    {"start": 0.0, "end": 4.0, "text": "Ik open de zitting van de gemeenteraad van belvelt."},
    {"start": 4.0, "end": 8.0, "text": "Punt twee, de heranleg van de morrenstraat."},
    {"start": 8.0, "end": 12.0, "text": "Twintig stemmen voor, drie tegen, twee omt houdingen."},
    {"start": 12.0, "end": 16.0, "text": "De raad keurt de rekening goed."},
]


def test_priming_puts_agenda_names_and_places_in_whispers_prompt(appliance: Appliance) -> None:
    terms = priming_terms(appliance, agenda=AGENDA, names=NAMES, places=PLACES)
    assert terms == ["Notulen van de vorige zitting", "Heraanleg van de Molenstraat", "Pieter Claes", "An Verhulst",
                     "Belveld", "Kerkstraat"]  # Molenstraat is already said by a title
    assert priming_terms(appliance, agenda=AGENDA, names=NAMES, max_chars=70) == [
        "Notulen van de vorige zitting", "Heraanleg van de Molenstraat"]
    assert priming_terms(appliance, agenda=["1. Begroting 2025", "Punt 2: Kerkstraat"], names=["An Smet"]) == \
        ["Begroting 2025", "Kerkstraat", "An Smet"]  # numbers are not primed: whisper would copy them


class _Listening(FakeTranscriber):
    def __init__(self, script: Sequence[Any]) -> None:
        super().__init__(script)
        self.hotwords: list[tuple[str, ...]] = []

    def transcribe(self, audio: Any, *, hotwords: Sequence[str] = (), **kw: Any) -> Iterator[Any]:
        self.hotwords.append(tuple(hotwords))
        return super().transcribe(audio, hotwords=hotwords, **kw)


def test_an_uploaded_recording_is_transcribed_primed_with_its_meeting(appliance: Appliance, tmp_path: Path) -> None:
    who = Principal(3, "archie", "archivist")
    with silence(tmp_path / "raad.wav", 3.0).open("rb") as fh:
        rec = store_upload(appliance, who, "raad.wav", fh)
    assert rec.id is not None
    set_vocabulary(appliance, rec.id, agenda=AGENDA, names=NAMES, places=PLACES)
    engine = _Listening([Segment(0.0, 2.0, "Punt twee: de Molenstraat.")])
    transcribe_recording(appliance, tmp_path / "raad.wav", transcriber=engine, recording_id=rec.id)
    assert engine.hotwords and "Heraanleg van de Molenstraat" in engine.hotwords[0]
    assert "Pieter Claes" in engine.hotwords[0] and "Kerkstraat" in engine.hotwords[0]
    minutes = draft_minutes(appliance, rec.id, use_model=False)  # the kept agenda is the draft's agenda
    assert [a["title"] for a in minutes.agenda] == [a["title"] for a in AGENDA]
    assert minutes.attendees == NAMES


def test_clean_up_corrects_towards_the_vocabulary_and_each_change_can_be_undone(appliance: Appliance) -> None:
    rec = store_transcript(appliance, HEARD)
    set_vocabulary(appliance, rec, agenda=AGENDA, names=NAMES, places=PLACES)
    changes = clean_up_transcript(appliance, SYSTEM, rec)
    texts = [s.text for s in segments_of(appliance, rec)]
    assert texts == ["Ik open de zitting van de gemeenteraad van Belveld.",
                     "Punt twee, de heraanleg van de Molenstraat.",
                     "Twintig stemmen voor, drie tegen, twee onthoudingen.",
                     "De raad keurt de rekening goed."]  # nothing close to the vocabulary: untouched
    assert len(changes) == 3
    seg = segments_of(appliance, rec)[1]
    assert seg.id is not None
    history = segment_history(appliance, SYSTEM, rec, seg.id)
    assert [(r.action, r.old_text) for r in history] == [("cleanup", "Punt twee, de heranleg van de morrenstraat.")]
    revert_revision(appliance, SYSTEM, rec, history[0].id or 0)
    assert segments_of(appliance, rec)[1].text == "Punt twee, de heranleg van de morrenstraat."
    assert [r.action for r in segment_history(appliance, SYSTEM, rec, seg.id)] == ["revert", "cleanup"]
    with pytest.raises(BelfortError) as err:  # the segment changed since: undoing would lose that change
        revert_revision(appliance, SYSTEM, rec, history[0].id or 0)
    assert err.value.code == "transcript.changed_since"


def test_a_model_may_only_correct_towards_the_vocabulary(appliance: Appliance) -> None:
    vocab = vocabulary_words(["Heraanleg van de Molenstraat", "Kerkstraat"])
    heard = "de heranleg van de morrenstraat en het zwembad"
    proposed = "de heraanleg van de Molenstraat en de nieuwe sporthal"
    assert accept_proposal(heard, proposed, vocab) == "de heraanleg van de Molenstraat en het zwembad"
    assert correct_text("we gaan naar de kerkstrat", vocab) == "we gaan naar de Kerkstraat"

    rec = store_transcript(appliance, [{"start": 0.0, "end": 3.0, "text": "Het parkeren in de kerk straat."}])

    def reply(messages: Sequence[ChatMessage]) -> str:
        assert "Kerkstraat" in messages[-1].content  # the vocabulary is given to the model
        return json.dumps({"text": "Het gratis parkeren in de Kerkstraat."})

    clean_up_transcript(appliance, SYSTEM, rec, terms=["Kerkstraat"], llm=FakeLLM(reply))
    assert [s.text for s in segments_of(appliance, rec)] == ["Het parkeren in de Kerkstraat."]


def test_a_person_who_cannot_see_the_recording_cannot_undo_its_changes(appliance: Appliance) -> None:
    rec = store_transcript(appliance, HEARD)
    seg = segments_of(appliance, rec)[1]
    assert seg.id is not None
    edits.edit_segment(appliance, SYSTEM, rec, seg.id, "Punt twee: de heraanleg van de Molenstraat.")
    rev = segment_history(appliance, SYSTEM, rec, seg.id)[0]
    with pytest.raises(BelfortError):
        revert_revision(appliance, Principal(8, "otto", "staff"), rec, rev.id or 0)
    _, items = get_minutes(appliance, draft_minutes(appliance, rec, use_model=False).id or 0)
    assert [i.vote for i in items] == [{"for": 20, "against": 3, "abstain": 2}]  # "omt houdingen" read as a label
