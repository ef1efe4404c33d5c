"""A meeting's vocabulary: what it is about, to prime transcription and to correct towards.

The agenda's titles, the names of the people who speak (the governing body's mandatarissen where
known, else the meeting's participants and the `asr.attendees` list) and the municipality's
street and place names (`asr.place_names`). Whisper takes them as hotwords: a text put before
every 30-second window, so the decoder prefers their spelling ("Molenstraat", not "morrenstraat").
They go in as a list, without item numbers: given as sentences ("Agendapunt 2: ...") whisper-base
copied them into the transcript, numbers included, where the chair said another item
(bench/demo_minutes_bench.py).
The governing body's names are those of its mandatarissen who hold their mandate when the recording is
transcribed or cleaned up (`primed_vocabulary`): the body given with `set_vocabulary(body_uri=...)`
(the demo council) and the body of the meeting the recording's minutes belong to
(`MeetingRecord.body_uri`), so an edit on /mandates reaches the next transcription. They prime
only: a draft's attendees stay the names given (`vocabulary_of`).
Whisper reads at most about 220 prompt tokens; the terms are cut to `MAX_PROMPT_CHARS`, agenda
first, then names, then places, and a place already named in a title is not repeated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import MeetingRecord, Minutes, Recording, RecordingVocabulary
from appliance.errors import NotFound
from appliance.mandates import current_names
from appliance.recordings.asr_guard import normalise

_NUMBER = re.compile(r"^\s*(?:(?:agenda)?punt\s*)?\d{1,3}(?!\d)\s*[.):\-–]?\s*", re.IGNORECASE)
MAX_PROMPT_CHARS = 600  # about 200 Whisper tokens of Dutch: the prompt holds at most ~220
MAX_TERMS = 500


def _clean(terms: Sequence[str]) -> list[str]:
    out: dict[str, str] = {}
    for term in terms:
        t = " ".join(str(term or "").split())[:300]
        if t and normalise(t) not in out:
            out[normalise(t)] = t
    return list(out.values())[:MAX_TERMS]


def agenda_titles(agenda: Sequence[Any]) -> list[str]:
    """Titles from [{"number", "title"}] or lines ("3. Title", "Punt 3: Title")."""
    return _clean([a.get("title", "") if isinstance(a, dict) else _NUMBER.sub("", str(a)) for a in agenda])


def meeting_terms(app: Appliance, *, agenda: Sequence[Any] = (), names: Sequence[str] = (),
                  places: Sequence[str] = ()) -> list[str]:
    """Every term of the meeting's vocabulary, agenda titles first (for correcting towards)."""
    people = _clean([*names, *app.settings.asr.attendees])
    return _clean([*agenda_titles(agenda), *people, *places, *app.settings.asr.place_names])


def priming_terms(app: Appliance, *, agenda: Sequence[Any] = (), names: Sequence[str] = (),
                  places: Sequence[str] = (), max_chars: int = MAX_PROMPT_CHARS) -> list[str]:
    """The terms that fit Whisper's prompt: agenda titles, then names, then places not in a title."""
    titles = agenda_titles(agenda)
    said = normalise(" ".join(titles))
    places = [p for p in _clean([*places, *app.settings.asr.place_names]) if normalise(p) not in said]
    out: list[str] = []
    used = 0
    for term in _clean([*titles, *names, *app.settings.asr.attendees, *places]):
        if used + len(term) + 2 > max_chars:
            continue  # a shorter term further on may still fit
        out.append(term)
        used += len(term) + 2
    return out


def body_names(app: Appliance, recording_id: int) -> list[str]:
    """The current mandatarissen of the recording's governing body: the one kept with its vocabulary and
    that of the meeting(s) whose minutes hold the recording."""
    with read_session(app.db) as s:
        row = s.get(RecordingVocabulary, recording_id)
        bodies = [row.body_uri] if row is not None and row.body_uri else []
        ids = [m.id for m in s.exec(select(Minutes).where(Minutes.recording_id == recording_id)).all()]
        if ids:
            bodies += [r.body_uri for r in s.exec(select(MeetingRecord).where(col(MeetingRecord.minutes_id).in_(ids)))
                       .all() if r.body_uri]
    return _clean([n for uri in dict.fromkeys(bodies) for n in current_names(app, uri)])


def set_vocabulary(app: Appliance, recording_id: int, *, agenda: Sequence[Any] = (), names: Sequence[str] = (),
                   places: Sequence[str] = (), body_uri: str = "") -> None:
    """Keep what a recording's meeting is about (before it is transcribed); the current mandatarissen of
    the governing body `body_uri` prime it too."""
    items = [{"number": int(a.get("number") or i), "title": str(a.get("title", ""))[:300]} if isinstance(a, dict)
             else {"number": i, "title": str(a)[:300]} for i, a in enumerate(agenda, start=1)]
    with write_session(app.db) as s:
        if s.get(Recording, recording_id) is None:
            raise NotFound("recording.not_found", f"no recording {recording_id}", hint="see the list of recordings")
        row = s.get(RecordingVocabulary, recording_id) or RecordingVocabulary(recording_id=recording_id)
        row.agenda = [i for i in items if str(i["title"]).strip()][:200]
        row.names = _clean(names)[:200]
        row.places = _clean(places)
        row.body_uri = body_uri if body_uri.startswith(("http://", "https://")) else ""
        s.add(row)


def vocabulary_of(app: Appliance, recording_id: int) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """(agenda, names, places) kept for a recording; empty when none were given."""
    with read_session(app.db) as s:
        row = s.get(RecordingVocabulary, recording_id)
        return (list(row.agenda), list(row.names), list(row.places)) if row is not None else ([], [], [])


def primed_vocabulary(app: Appliance, recording_id: int) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """(agenda, names, places) to prime and correct towards: the names given, then the current
    mandatarissen of the recording's governing body."""
    agenda, names, places = vocabulary_of(app, recording_id)
    return agenda, _clean([*names, *body_names(app, recording_id)]), places
