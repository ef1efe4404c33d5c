"""Recordings -> transcripts: chunked, resumable, guarded against hallucinated text.

A long meeting is cut into fixed windows of `chunk_seconds`; each window is transcribed on its own
(the engine decodes only that window) and its segments are stored together with the recording's
`chunks_done` counter in one write transaction. A worker killed half-way through a 2-hour meeting
therefore resumes at the first unfinished window, and every timestamp stays relative to the start
of the original recording. Progress (0..1) is `chunks_done / n_chunks`, for the UI.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import select

from appliance.db.engine import read_session, write_session
from appliance.db.tables import Recording, TranscriptSegment, utcnow
from appliance.errors import BelfortError, NotFound
from appliance.recordings.asr_guard import DEFAULT_GUARD, Guard, GuardConfig, normalise
from models.base import Diarizer, ModelError, Segment, Transcriber, Turn

if TYPE_CHECKING:
    from appliance.context import Appliance
    from appliance.settings import Settings

DEFAULT_CHUNK_SECONDS = 300.0
FROM_SETTINGS = "settings"  # `language` default: the `asr` settings decide (None detects per window)
ProgressCallback = Callable[[float], None]


def as_belfort_error(exc: ModelError) -> BelfortError:
    return BelfortError(exc.code, exc.message, hint=exc.hint, status=422)


@dataclass(frozen=True)
class AsrOptions:
    language: str | None  # None: detected per window
    chunk_seconds: float
    hotwords: tuple[str, ...]


def asr_options(settings: Settings, *, language: str | None = FROM_SETTINGS,
                chunk_seconds: float | None = None, hotwords: Sequence[str] = ()) -> AsrOptions:
    """The organisation's `asr` settings, with what a caller chose on top (extra hotwords add up)."""
    lang = settings.asr.language if language == FROM_SETTINGS else language
    words = dict.fromkeys(w.strip() for w in (*settings.asr.hotwords, *hotwords) if w and w.strip())
    return AsrOptions(None if lang in (None, "", "auto") else lang,
                      float(chunk_seconds or settings.asr.chunk_seconds), tuple(words))


def build_diarizer(app: Appliance, name: str | None = None) -> Diarizer | None:
    """The speaker diarizer: the appliance's (`asr.diarizer`) or the one named; None when speakers
    are set by people."""
    try:
        return app.diarizer if name is None else app.registry.diarizer(name)
    except ModelError as exc:
        raise as_belfort_error(exc) from exc


def build_transcriber(app: Appliance, model: str | None = None, *, device: str = "",
                      compute_type: str = "", word_timestamps: bool | None = None) -> Transcriber:
    """The appliance's speech engine (`asr.model`, loaded once per process), or one built for `model`,
    device, precision or word times other than the profile's (the CLI, evaluations)."""
    try:
        if model is None and not device and not compute_type and word_timestamps is None:
            return app.transcriber
        return app.registry.transcriber(model, device=device, compute_type=compute_type,
                                        word_timestamps=word_timestamps)
    except ModelError as exc:
        raise as_belfort_error(exc) from exc


def tag_language(seg: Segment) -> Segment:
    # Detected-language runs give no language per segment; tag it from the text so Dutch and
    # French passages of one meeting stay apart for minutes and search.
    if not seg.language:
        from ingest.chunk import detect_language

        seg.language = detect_language(seg.text)
    return seg


def transcribe_file(path: Path, transcriber: Transcriber, *, language: str | None = "nl",
                    hotwords: Sequence[str] = (), guard: GuardConfig = DEFAULT_GUARD) -> list[Segment]:
    """One short file at once, guarded; no database (evaluation, quick checks)."""
    g = Guard(guard)
    try:
        segs = transcriber.transcribe(Path(path), language=language, hotwords=hotwords)
        return [tag_language(s) for s in g.filter(segs)]
    except ModelError as exc:
        raise as_belfort_error(exc) from exc


@dataclass
class RecordingResult:
    recording_id: int
    state: str
    duration: float
    n_chunks: int
    chunks_done: int
    resumed_from: int  # first chunk this call transcribed (0 for a fresh run)
    segments: list[Segment] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # guard: reason -> segments dropped

    @property
    def progress(self) -> float:
        return self.chunks_done / self.n_chunks if self.n_chunks else 1.0

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


def _to_segment(row: TranscriptSegment) -> Segment:
    return Segment(start=row.start, end=row.end, text=row.text, language=row.language,
                   speaker=row.speaker, no_speech_prob=row.no_speech_prob,
                   avg_logprob=row.avg_logprob, compression_ratio=row.compression_ratio)


def recording_segments(app: Appliance, recording_id: int) -> list[Segment]:
    with read_session(app.db) as s:
        rows = s.exec(select(TranscriptSegment).where(TranscriptSegment.recording_id == recording_id)
                      .order_by(TranscriptSegment.start, TranscriptSegment.id)).all()  # type: ignore[arg-type]
        return [_to_segment(r) for r in rows]


def get_recording(app: Appliance, recording_id: int) -> Recording:
    with read_session(app.db) as s:
        rec = s.get(Recording, recording_id)
    if rec is None:
        raise NotFound("recording.not_found", f"no recording {recording_id}")
    return rec


def recording_progress(app: Appliance, recording_id: int) -> float:
    rec = get_recording(app, recording_id)
    return 1.0 if rec.state == "done" else (rec.chunks_done / rec.n_chunks if rec.n_chunks else 0.0)


def n_chunks_for(duration: float, chunk_seconds: float) -> int:
    # A few ms of container rounding past a window edge do not make an extra chunk.
    return max(1, math.ceil(duration / chunk_seconds - 1e-3))


def _claim(app: Appliance, recording_id: int, duration: float, model: str) -> Recording:
    """An uploaded recording (its row made at upload) gets the engine's name on its first run."""
    with write_session(app.db) as s:
        rec = s.get(Recording, recording_id)
        if rec is None:
            raise NotFound("recording.not_found", f"no recording {recording_id}")
        if rec.chunks_done == 0:
            rec.model, rec.duration = model, duration
            rec.n_chunks = n_chunks_for(duration, rec.chunk_seconds)
        if rec.state == "failed":
            rec.state, rec.code, rec.message = "pending", "", ""  # a retry
        s.add(rec)
        return rec


def _find_or_create(app: Appliance, path: Path, sha: str, duration: float, chunk_seconds: float,
                    language: str, model: str) -> Recording:
    n_chunks = n_chunks_for(duration, chunk_seconds)
    with write_session(app.db) as s:
        rec = s.exec(select(Recording).where(
            Recording.sha256 == sha, Recording.chunk_seconds == chunk_seconds,
            Recording.language == language, Recording.model == model,
        ).order_by(Recording.id.desc())).first()  # type: ignore[union-attr]
        if rec is None:
            rec = Recording(sha256=sha, source_name=path.name, source_path=str(path), duration=duration,
                            chunk_seconds=chunk_seconds, n_chunks=n_chunks, language=language, model=model)
            s.add(rec)
            s.flush()
        return rec


def _store_chunk(app: Appliance, rec_id: int, chunk: int, segs: list[Segment], done: bool) -> None:
    with write_session(app.db) as s:
        rec = s.get(Recording, rec_id)
        assert rec is not None
        # Idempotent: a chunk that was half-written by a crashed run never committed; still, clear it.
        for old in s.exec(select(TranscriptSegment).where(TranscriptSegment.recording_id == rec_id,
                                                          TranscriptSegment.chunk == chunk)).all():
            s.delete(old)
        for seg in segs:
            s.add(TranscriptSegment(recording_id=rec_id, chunk=chunk, start=seg.start, end=seg.end,
                                    text=seg.text, language=seg.language, speaker=seg.speaker,
                                    no_speech_prob=seg.no_speech_prob, avg_logprob=seg.avg_logprob,
                                    compression_ratio=seg.compression_ratio))
        rec.chunks_done = chunk + 1
        rec.state = "done" if done else "running"
        rec.code, rec.message = "", ""  # a retry that gets this far no longer carries the old failure
        if done:
            rec.finished_at = utcnow()
        s.add(rec)


def _fail(app: Appliance, rec_id: int, code: str, message: str) -> None:
    with write_session(app.db) as s:
        rec = s.get(Recording, rec_id)
        if rec is not None:
            rec.state, rec.code, rec.message = "failed", code, message
            s.add(rec)


def _seed_guard(g: Guard, done_segments: list[Segment]) -> None:
    # Repeats are counted across the chunk boundary of a resumed run too.
    for seg in done_segments[-g.cfg.max_repeats:]:
        norm = normalise(seg.text)
        g.run = g.run + 1 if norm == g.last else 1
        g.last = norm


def _chunk_segments(transcriber: Transcriber, path: Path, g: Guard, offset: float, length: float,
                    language: str | None, hotwords: Sequence[str]) -> Iterator[Segment]:
    for seg in g.filter(transcriber.transcribe(path, language=language, hotwords=hotwords,
                                               offset=offset, duration=length)):
        # A segment belongs to the window it starts in; its end may not run past the window.
        seg.end = min(seg.end, offset + length)
        yield tag_language(seg)


def transcribe_recording(
    app: Appliance, audio_path: Path, *, transcriber: Transcriber | None = None,
    chunk_seconds: float | None = None, language: str | None = FROM_SETTINGS,
    hotwords: Sequence[str] = (), progress_cb: ProgressCallback | None = None,
    guard: GuardConfig = DEFAULT_GUARD, recording_id: int | None = None, diarizer: Diarizer | None = None,
) -> RecordingResult:
    """Transcribe a recording in windows, resuming a previous unfinished run of the same file.

    Language, window length and hotwords default to the `asr` settings; `language=None` detects the
    language per window. `recording_id` continues a row made at upload (its own chunking and
    language). With a `diarizer`, its speaker turns (found first, for the whole file) cut segments
    where the speaker changes and label them. Raises BelfortError (asr.*) for files that hold no
    audio; an exception from `progress_cb` (or a crash) leaves finished chunks stored.
    """
    from ingest.detect import sha256_file
    from models.whisper import probe

    path = Path(audio_path)
    if chunk_seconds is not None and chunk_seconds <= 0:
        raise BelfortError("asr.bad_chunk", "chunk_seconds must be positive", hint="use e.g. 300")
    opts = asr_options(app.settings, language=language, chunk_seconds=chunk_seconds, hotwords=hotwords)
    try:
        info = probe(path)
    except ModelError as exc:
        if recording_id is not None:
            _fail(app, recording_id, exc.code, exc.message)
        raise as_belfort_error(exc) from exc
    engine = transcriber or build_transcriber(app)
    if recording_id is not None:
        rec = _claim(app, recording_id, info.duration, engine.name)
        opts = AsrOptions(rec.language or None, rec.chunk_seconds, (*opts.hotwords, *_primed(app, recording_id)))
    else:
        rec = _find_or_create(app, path, sha256_file(path), info.duration, opts.chunk_seconds,
                              opts.language or "", engine.name)
    assert rec.id is not None
    done_before = recording_segments(app, rec.id) if rec.chunks_done else []
    result = RecordingResult(rec.id, rec.state, info.duration, rec.n_chunks, rec.chunks_done,
                             resumed_from=rec.chunks_done if rec.state != "done" else rec.n_chunks)
    if rec.state == "done":
        result.segments = done_before
        return result
    turns = _turns(app, rec.id, path, diarizer) if diarizer is not None else None
    g = Guard(guard)
    _seed_guard(g, done_before)
    _transcribe_windows(app, rec, path, engine, opts, g, turns, result, progress_cb)
    _audit_made(app, rec.id, engine, diarizer, dict(g.dropped))
    result.state = "done"
    result.segments = recording_segments(app, rec.id)
    result.dropped = dict(g.dropped)
    return result


def _primed(app: Appliance, recording_id: int) -> tuple[str, ...]:
    """The recording's meeting vocabulary (agenda titles, names, places) as hotwords."""
    from appliance.recordings.vocabulary import primed_vocabulary, priming_terms

    agenda, names, places = primed_vocabulary(app, recording_id)
    if not (agenda or names or places or app.settings.asr.place_names):  # nothing known: asr.hotwords alone
        return ()
    return tuple(priming_terms(app, agenda=agenda, names=names, places=places))


def _transcribe_windows(app: Appliance, rec: Recording, path: Path, engine: Transcriber, opts: AsrOptions,
                        g: Guard, turns: list[Turn] | None, result: RecordingResult,
                        progress_cb: ProgressCallback | None) -> None:
    """Transcribe and store the windows not done yet, one transaction each (a crash resumes there)."""
    assert rec.id is not None
    for chunk in range(rec.chunks_done, rec.n_chunks):
        offset = chunk * rec.chunk_seconds
        length = min(rec.chunk_seconds, result.duration - offset)
        try:
            segs = list(_chunk_segments(engine, path, g, offset, length, opts.language, opts.hotwords))
        except ModelError as exc:
            _fail(app, rec.id, exc.code, exc.message)
            raise as_belfort_error(exc) from exc
        if turns is not None:
            from models.diarize import split_at_turns

            segs = split_at_turns(segs, turns)
        last = chunk == rec.n_chunks - 1
        _store_chunk(app, rec.id, chunk, segs, done=last)
        result.chunks_done = chunk + 1
        if progress_cb is not None:
            progress_cb(result.progress)


def _turns(app: Appliance, rec_id: int, path: Path, diarizer: Diarizer) -> list[Turn]:
    """Speaker turns of the whole recording (a resumed run finds them again: the channel diarizer
    streams the file in seconds; a neural one takes longer but keeps its labels consistent)."""
    try:
        return sorted(diarizer.diarize(path), key=lambda t: t.start)
    except ModelError as exc:
        _fail(app, rec_id, exc.code, exc.message)
        raise as_belfort_error(exc) from exc


def _audit_made(app: Appliance, rec_id: int, engine: Transcriber, diarizer: Diarizer | None,
                dropped: dict[str, int]) -> None:
    # A transcript is AI output: which model made it (and its file's sha256) stays on record.
    from appliance.db.tables import AuditEvent

    model_dir = getattr(engine, "model_dir", None)
    sha = ""
    if model_dir is not None and (Path(model_dir) / "model.bin").is_file():
        from models.catalog import file_sha256

        sha = file_sha256(Path(model_dir) / "model.bin")
    with write_session(app.db) as s:
        s.add(AuditEvent(actor="system", action="transcript.made", target=f"recording:{rec_id}",
                         detail={"model": engine.name, "model_sha256": sha, "dropped": dropped,
                                 "diarizer": diarizer.name if diarizer is not None else "none"}))
