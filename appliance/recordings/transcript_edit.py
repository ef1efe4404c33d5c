"""People correct a transcript: text, speaker, split turns; every change is a SegmentRevision.

The transcript is AI output until a person checks it, and minutes are drafted from it, so no change
overwrites silently: each edit stores the old and the new value, who and when (`segment_history`).
Speakers are free text, but a name that matches an attendee of the organisation's list (case and
accents aside) is stored in the list's spelling, so "burgemeester peeters" and "Burgemeester
Peeters" are one speaker for the minutes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from appliance.access import Principal
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import Recording, SegmentRevision, TranscriptSegment
from appliance.errors import BelfortError, NotFound
from appliance.recordings.store import can_see

MAX_TEXT = 5000
MAX_SPEAKER = 100
MAX_QUERY = 200
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Match:
    segment: TranscriptSegment
    parts: list[tuple[str, bool]]  # the text in pieces; True marks a piece that matches the query


def segments_of(app: Appliance, recording_id: int) -> list[TranscriptSegment]:
    with read_session(app.db) as s:
        return list(s.exec(select(TranscriptSegment).where(TranscriptSegment.recording_id == recording_id)
                           .order_by(col(TranscriptSegment.start), col(TranscriptSegment.id))).all())


def _editable(s: Session, who: Principal, recording_id: int, segment_id: int) -> tuple[Recording, TranscriptSegment]:
    rec = s.get(Recording, recording_id)
    seg = s.get(TranscriptSegment, segment_id)
    if rec is None or not can_see(s, who, rec) or seg is None or seg.recording_id != recording_id:
        raise NotFound("recording.segment_not_found", f"no segment {segment_id} in recording {recording_id}",
                       hint="reload the transcript")
    if rec.state != "done":
        raise BelfortError("recording.not_ready", "the transcript is still being made",
                           hint="wait until the transcription is done", status=409)
    return rec, seg


def _revision(seg: TranscriptSegment, action: str, who: Principal, *, old_text: str, old_speaker: str) -> SegmentRevision:
    assert seg.id is not None
    return SegmentRevision(segment_id=seg.id, recording_id=seg.recording_id, action=action, old_text=old_text,
                           new_text=seg.text, old_speaker=old_speaker, new_speaker=seg.speaker, by=who.username)


def _clean_text(text: str) -> str:
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
    if not text:
        raise BelfortError("transcript.empty_text", "a segment needs text",
                           hint="to remove words, keep the rest of the sentence")
    if len(text) > MAX_TEXT:
        raise BelfortError("transcript.too_long", f"a segment holds at most {MAX_TEXT} characters",
                           hint="split the segment first")
    return text


def fold(text: str) -> str:
    """Case and accents aside: 'Schepen Dupré' and 'schepen dupre' fold alike."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def resolve_speaker(name: str, attendees: Sequence[str]) -> str:
    """A free-text speaker, in the attendee list's spelling when it names an attendee."""
    name = _SPACE.sub(" ", unicodedata.normalize("NFC", name or "")).strip()[:MAX_SPEAKER]
    wanted = fold(name)
    for attendee in attendees:
        if fold(_SPACE.sub(" ", attendee).strip()) == wanted:
            return attendee.strip()
    return name


def edit_segment(app: Appliance, who: Principal, recording_id: int, segment_id: int, text: str) -> TranscriptSegment:
    return _change(app, who, recording_id, segment_id, "edit", text=_clean_text(text))


def correct_segment(app: Appliance, who: Principal, recording_id: int, segment_id: int, text: str,
                    action: str = "cleanup") -> TranscriptSegment:
    """A correction made for a person (the vocabulary clean-up): a revision like any edit, reversible."""
    return _change(app, who, recording_id, segment_id, action, text=_clean_text(text))


def revert_revision(app: Appliance, who: Principal, recording_id: int, revision_id: int) -> TranscriptSegment:
    """Undo one text change: the segment gets the revision's old text back (itself a revision), as
    long as nobody changed the segment since."""
    with read_session(app.db) as s:
        rev = s.get(SegmentRevision, revision_id)
    if rev is None or rev.recording_id != recording_id or rev.action not in ("edit", "cleanup"):
        raise NotFound("transcript.revision_not_found", f"no text change {revision_id} in recording {recording_id}",
                       hint="reload the segment's history")
    with write_session(app.db) as s:
        _rec, seg = _editable(s, who, recording_id, rev.segment_id)
        if seg.text != rev.new_text:
            raise BelfortError("transcript.changed_since", "the segment was changed after this revision",
                               hint="undo the later changes first, or edit the text by hand", status=409)
        old = seg.text
        seg.text = rev.old_text
        s.add(seg)
        s.add(_revision(seg, "revert", who, old_text=old, old_speaker=seg.speaker))
        return seg


def set_speaker(app: Appliance, who: Principal, recording_id: int, segment_id: int, speaker: str) -> TranscriptSegment:
    name = resolve_speaker(speaker, app.settings.asr.attendees)
    return _change(app, who, recording_id, segment_id, "speaker", speaker=name)


def _change(app: Appliance, who: Principal, recording_id: int, segment_id: int, action: str, *,
            text: str | None = None, speaker: str | None = None) -> TranscriptSegment:
    """Give an editable segment a new text or speaker and keep a revision; the same value changes nothing."""
    with write_session(app.db) as s:
        _rec, seg = _editable(s, who, recording_id, segment_id)
        old_text, old_speaker = seg.text, seg.speaker
        new_text = old_text if text is None else text
        new_speaker = old_speaker if speaker is None else speaker
        if (new_text, new_speaker) == (old_text, old_speaker):
            return seg
        seg.text, seg.speaker = new_text, new_speaker
        s.add(seg)
        s.add(_revision(seg, action, who, old_text=old_text, old_speaker=old_speaker))
        return seg


def rename_speaker(app: Appliance, who: Principal, recording_id: int, label: str, speaker: str) -> int:
    """Every segment spoken by `label` (a diarizer's S1, or a misspelt name) gets `speaker`."""
    label = _SPACE.sub(" ", label or "").strip()
    name = resolve_speaker(speaker, app.settings.asr.attendees)
    if not label or label == name:
        return 0
    with write_session(app.db) as s:
        rec = s.get(Recording, recording_id)
        if rec is None or not can_see(s, who, rec):
            raise NotFound("recording.not_found", f"no recording {recording_id}", hint="see the list of recordings")
        if rec.state != "done":
            raise BelfortError("recording.not_ready", "the transcript is still being made",
                               hint="wait until the transcription is done", status=409)
        rows = s.exec(select(TranscriptSegment).where(TranscriptSegment.recording_id == recording_id,
                                                      TranscriptSegment.speaker == label)).all()
        for seg in rows:
            seg.speaker = name
            s.add(seg)
            s.add(_revision(seg, "speaker", who, old_text=seg.text, old_speaker=label))
        return len(rows)


def _split_point(text: str, at_char: int | None, at_time: float | None, start: float, end: float) -> int:
    if at_char is None:
        if at_time is None or not start < at_time < end:
            raise BelfortError("transcript.bad_split", "the split time lies outside the segment",
                               hint="choose a time between the segment's start and end")
        guess = round(len(text) * (at_time - start) / (end - start))
        # Never cut a word: move to the nearest space.
        spaces = [m.start() for m in re.finditer(r" ", text)]
        if not spaces:
            raise BelfortError("transcript.bad_split", "a single word cannot be split",
                               hint="split a segment of several words")
        return min(spaces, key=lambda i: abs(i - guess))
    if not 0 < at_char < len(text):
        raise BelfortError("transcript.bad_split", "the split position lies outside the text",
                           hint="put the cursor between two words")
    return at_char


def split_segment(app: Appliance, who: Principal, recording_id: int, segment_id: int, *,
                  at_char: int | None = None, at_time: float | None = None) -> tuple[TranscriptSegment, TranscriptSegment]:
    """Cut a segment in two at a character position (its time interpolated) or at a time (cut at the
    nearest space). The second part is a new segment with the same speaker; both keep their order."""
    with write_session(app.db) as s:
        _rec, seg = _editable(s, who, recording_id, segment_id)
        text = seg.text
        cut = _split_point(text, at_char, at_time, seg.start, seg.end)
        left, right = text[:cut].strip(), text[cut:].strip()
        if not left or not right:
            raise BelfortError("transcript.bad_split", "both parts of a split need text",
                               hint="put the cursor between two words")
        if at_time is not None and at_char is None:
            when = at_time
        else:
            when = seg.start + (seg.end - seg.start) * cut / len(text)
        when = round(min(max(when, seg.start), seg.end), 3)
        second = TranscriptSegment(recording_id=seg.recording_id, chunk=seg.chunk, start=when, end=seg.end,
                                   text=right, language=seg.language, speaker=seg.speaker)
        seg.text, seg.end = left, when
        s.add(seg)
        s.add(second)
        s.flush()
        s.add(_revision(seg, "split", who, old_text=text, old_speaker=seg.speaker))
        s.add(_revision(second, "split", who, old_text="", old_speaker=seg.speaker))
        return seg, second


def split_before_words(app: Appliance, who: Principal, recording_id: int, segment_id: int,
                       words: str) -> tuple[TranscriptSegment, TranscriptSegment]:
    """Split where the next turn begins, given its first words (case and accents aside)."""
    with read_session(app.db) as s:
        _rec, seg = _editable(s, who, recording_id, segment_id)
        text = seg.text
    needle = fold(_SPACE.sub(" ", words).strip())
    folded, where = _folded_with_map(text)
    for m in re.finditer(re.escape(needle), folded) if needle else ():
        at = where[m.start()]
        if at > 0:
            return split_segment(app, who, recording_id, segment_id, at_char=at)
    raise BelfortError("transcript.bad_split", "those words are not inside the segment after its start",
                       hint="copy the first words of the new turn from the segment's text")


def segment_history(app: Appliance, who: Principal, recording_id: int, segment_id: int) -> list[SegmentRevision]:
    """Every change of a segment, newest first."""
    with read_session(app.db) as s:
        rec = s.get(Recording, recording_id)
        seg = s.get(TranscriptSegment, segment_id)
        if rec is None or not can_see(s, who, rec) or seg is None or seg.recording_id != recording_id:
            raise NotFound("recording.segment_not_found", f"no segment {segment_id} in recording {recording_id}",
                           hint="reload the transcript")
        return list(s.exec(select(SegmentRevision).where(SegmentRevision.segment_id == segment_id)
                           .order_by(col(SegmentRevision.id).desc())).all())


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, per folded character, the index of the original character it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for f in fold(ch):
            out.append(f)
            where.append(i)
    return "".join(out), where


def highlight(text: str, query: str) -> list[tuple[str, bool]]:
    """`text` cut into pieces; the pieces matching `query` (case and accents aside) are marked."""
    needle = fold(_SPACE.sub(" ", query).strip())
    if not needle:
        return [(text, False)]
    folded, where = _folded_with_map(text)
    parts: list[tuple[str, bool]] = []
    pos = 0
    for m in re.finditer(re.escape(needle), folded):
        a, b = where[m.start()], where[m.end() - 1] + 1
        if a < pos:
            continue
        if a > pos:
            parts.append((text[pos:a], False))
        parts.append((text[a:b], True))
        pos = b
    if pos < len(text):
        parts.append((text[pos:], False))
    return parts


def search_transcript(segments: Sequence[TranscriptSegment], query: str) -> list[Match]:
    """The segments whose text or speaker holds `query`, with the matches marked for display."""
    query = (query or "").strip()[:MAX_QUERY]
    if not query:
        return [Match(seg, [(seg.text, False)]) for seg in segments]
    needle = fold(_SPACE.sub(" ", query))
    out = []
    for seg in segments:
        if needle in fold(seg.text) or needle in fold(seg.speaker):
            out.append(Match(seg, highlight(seg.text, query)))
    return out


def speaker_choices(app: Appliance, segments: Sequence[TranscriptSegment]) -> list[str]:
    """The attendees, then the other speakers already used in this transcript (S1, a guest, ...)."""
    choices = [a.strip() for a in app.settings.asr.attendees if a.strip()]
    seen = {fold(c) for c in choices}
    for seg in segments:
        if seg.speaker and fold(seg.speaker) not in seen:
            seen.add(fold(seg.speaker))
            choices.append(seg.speaker)
    return choices
