"""Recordings uploaded for transcription: storage, who may see them, listing and the audio file.

An upload is streamed to `data_dir/recordings/<sha256><ext>` (the name never comes from the
uploader), checked to be playable audio before anything is queued (an empty file, a corrupt mp3 or
a video without a sound track is refused at once with its `asr.*` code), and gets a Recording row
that the transcription job continues. Who may see a recording: admins, its uploader and the readers
of the collection it was filed under (finding 7 of issue 19: not every archivist).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import true
from sqlmodel import Session, and_, col, or_, select

from appliance.access import Principal, can_read_collection, readable_collection_ids
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Collection, Minutes, Recording
from appliance.errors import BelfortError, NotFound
from appliance.recordings.transcripts import FROM_SETTINGS, asr_options, n_chunks_for
from appliance.storage.names import display_name
from appliance.storage.staging import MIB, stage_stream
from models.base import ModelError
from models.whisper import AudioInfo

# What people upload from recorders, phones, video conferencing and the council's streaming system.
MEDIA_TYPES = {
    ".wav": "audio/wav", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".aac": "audio/aac",
    ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg", ".flac": "audio/flac",
    ".webm": "audio/webm", ".wma": "audio/x-ms-wma", ".amr": "audio/amr", ".3gp": "video/3gpp",
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".mkv": "video/x-matroska",
    ".avi": "video/x-msvideo", ".mpg": "video/mpeg", ".mpeg": "video/mpeg", ".wmv": "video/x-ms-wmv",
}


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def can_see(session: Session, who: Principal, rec: Recording) -> bool:
    """Admins, the uploader, and the readers of the recording's collection. A recording without a
    collection made by the operator (CLI, drop folder: no uploader) stays with archivists."""
    if who.is_admin or (bool(rec.uploaded_by) and rec.uploaded_by == who.username):
        return True
    if rec.collection_id is not None:
        return can_read_collection(session, who, rec.collection_id)
    return not rec.uploaded_by and who.can_ingest


def _visible_filter(session: Session, who: Principal) -> Any:
    """The SQL form of can_see, for lists."""
    readable = readable_collection_ids(session, who)
    mine = (Recording.uploaded_by == who.username) & (Recording.uploaded_by != "")
    shared = col(Recording.collection_id).in_(readable)
    if who.can_ingest:
        operator = col(Recording.collection_id).is_(None) & (Recording.uploaded_by == "")
        return or_(mine, shared, operator)
    return or_(mine, shared)


def upload_collection(app: Appliance, who: Principal, collection: str) -> int | None:
    """The id of the collection an upload is filed under ("" : none, only the uploader and admins see
    it); one the uploader cannot read is "not found", as everywhere."""
    name = (collection or "").strip()
    if not name:
        return None
    with read_session(app.db) as s:
        row = s.exec(select(Collection).where(Collection.name == name)).first()
        if row is None or row.id is None or not can_read_collection(s, who, row.id):
            raise NotFound("collection.not_found", f"no collection '{name[:64]}'",
                           hint="choose one of the collections you can read, or none")
        return row.id


def _refuse(path: Path) -> None:
    path.unlink(missing_ok=True)


SPOKEN_LANGUAGES = ("nl", "fr", "auto")  # what a person may choose for a recording


def chosen_language(choice: str) -> str | None:
    """The language an upload asks for: nl or fr; auto (None: detected per window); anything else
    leaves it to the `asr` settings."""
    if choice == "auto":
        return None
    return choice if choice in SPOKEN_LANGUAGES else FROM_SETTINGS


def needs_transcription(rec: Recording) -> bool:
    """After an upload: a new recording, or one whose transcription failed, is (re)queued; the same file
    uploaded again while it is being or has been transcribed is not."""
    return rec.state in ("pending", "failed")


def may_retry(rec: Recording) -> bool:
    """A transcription that has not finished (failed, or stopped with its worker) may be queued again."""
    return rec.state != "done"


def require_transcript(rec: Recording) -> None:
    """Minutes are drafted from a finished transcript only."""
    if rec.state != "done":
        raise BelfortError("recording.not_ready", "the transcript is still being made",
                           hint="wait until the transcription is done", status=409)


def store_upload(app: Appliance, who: Principal, filename: str, stream: IO[bytes], *,
                 language: str | None = FROM_SETTINGS, collection: str = "") -> Recording:
    """Stream an upload to disk (size-limited, hashed), check it holds audio, make its Recording.

    The same person uploading the same file again gets the existing recording back (no second
    transcription). Raises BelfortError: recording.bad_type, upload.too_large, upload.empty, asr.*.
    """
    from models.whisper import probe

    name = display_name(filename)
    collection_id = upload_collection(app, who, collection)
    ext = Path(name).suffix.lower()
    if ext not in MEDIA_TYPES:
        raise BelfortError("recording.bad_type", f"'{ext or name}' is not an audio or video type",
                           hint="upload " + ", ".join(sorted(e.lstrip(".") for e in MEDIA_TYPES)), status=415)
    store = app.layout.recordings_store()  # the stored name is the hash, never the uploader's
    store.root.mkdir(parents=True, exist_ok=True)
    part = store.root / f".upload-{uuid.uuid4().hex}.part"
    too_large = BelfortError("upload.too_large", f"the recording is larger than {app.settings.asr.max_upload_mb} MiB",
                             hint="split the recording or raise asr.max_upload_mb", status=413)
    staged = stage_stream(stream, part, app.settings.asr.max_upload_mb * MIB, too_large)
    try:
        try:
            info = probe(part)
        except ModelError as exc:
            raise BelfortError(exc.code, exc.message, hint=exc.hint, status=422) from exc
    except BaseException:
        _refuse(part)
        raise
    sha = staged.sha256
    final = store.put_file(part, sha, ext)
    _refuse(part)  # still there only when the same recording was stored before
    return _recording_for(app, who, name, final, sha, staged.size, info, collection_id, language)


def _recording_for(app: Appliance, who: Principal, name: str, final: Path, sha: str, size: int, info: AudioInfo,
                   collection_id: int | None, language: str | None) -> Recording:
    """The uploader's earlier recording of the same file in the same collection, or a new pending one."""
    opts = asr_options(app.settings, language=language)
    with write_session(app.db) as s:
        same = s.exec(select(Recording).where(Recording.sha256 == sha, Recording.uploaded_by == who.username,
                                              Recording.collection_id == collection_id,
                                              Recording.state != "failed")).first()
        if same is not None:
            return same
        rec = Recording(sha256=sha, source_name=name, source_path=str(final), duration=info.duration,
                        chunk_seconds=opts.chunk_seconds, n_chunks=n_chunks_for(info.duration, opts.chunk_seconds),
                        language=opts.language or "", state="pending", uploaded_by=who.username,
                        collection_id=collection_id)
        s.add(rec)
        s.flush()
        s.add(AuditEvent(actor=who.username, action="recording.uploaded", target=f"recording:{rec.id}",
                         detail={"sha256": sha, "size": size, "seconds": round(info.duration, 1),
                                 "channels": info.channels, "sample_rate": info.sample_rate}))
        return rec


def list_recordings(app: Appliance, who: Principal, limit: int = 200) -> list[Recording]:
    with read_session(app.db) as s:
        query = select(Recording).order_by(col(Recording.id).desc()).limit(limit)
        if not who.is_admin:
            query = query.where(_visible_filter(s, who))
        return list(s.exec(query).all())


def visible_ids(session: Session, who: Principal) -> list[int] | None:
    """Ids of the recordings `who` may see (None: all of them, an admin)."""
    if who.is_admin:
        return None
    return [i for i in session.exec(select(Recording.id).where(_visible_filter(session, who))).all()
            if i is not None]


def minutes_allowed(session: Session, who: Principal, minutes: Minutes) -> bool:
    """Minutes follow their recording: whoever may see it; approved minutes of a recording filed
    under no collection stay readable by everyone, as published minutes always were."""
    rec = session.get(Recording, minutes.recording_id) if minutes.recording_id is not None else None
    if rec is None or can_see(session, who, rec):
        return True
    return minutes.state == "approved" and rec.collection_id is None


def minutes_filter(session: Session, who: Principal) -> Any:
    """The SQL form of minutes_allowed, for lists."""
    ids = visible_ids(session, who)
    if ids is None:
        return true()
    unfiled = select(Recording.id).where(col(Recording.collection_id).is_(None))
    return or_(col(Minutes.recording_id).is_(None), col(Minutes.recording_id).in_(ids),
               and_(Minutes.state == "approved", col(Minutes.recording_id).in_(unfiled)))


def get_visible(app: Appliance, who: Principal, recording_id: int) -> Recording:
    """The recording, or recording.not_found for one that does not exist or may not be seen."""
    with read_session(app.db) as s:
        rec = s.get(Recording, recording_id)
        visible = rec is not None and can_see(s, who, rec)
    if rec is None or not visible:
        raise NotFound("recording.not_found", f"no recording {recording_id}", hint="see the list of recordings")
    return rec


def progress_of(rec: Recording) -> float:
    if rec.state == "done":
        return 1.0
    return rec.chunks_done / rec.n_chunks if rec.n_chunks else 0.0


def audio_file(app: Appliance, who: Principal, recording_id: int) -> tuple[Path, str]:
    """The stored recording and its media type, for playback."""
    rec = get_visible(app, who, recording_id)
    path = Path(rec.source_path)
    if rec.audio_deleted_at is not None or not path.is_file():
        raise BelfortError("recording.audio_gone", "the audio of this recording is no longer stored",
                           hint="the transcript stays; the audio was removed (retention)", status=410)
    return path, MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single byte range of an HTTP Range header (None: the whole file).

    Multiple ranges are answered with the first one, which browsers' media elements never mind.
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        return None
    first = spec.split(",")[0].strip()
    start_s, dash, end_s = first.partition("-")
    try:
        if not dash:
            raise ValueError(first)
        if start_s == "":  # suffix: the last N bytes
            n = int(end_s)
            if n <= 0:
                raise ValueError(first)
            start, end = max(0, size - n), size - 1
        else:
            start = int(start_s)
            end = min(int(end_s), size - 1) if end_s else size - 1
    except ValueError:
        return None  # a malformed header is ignored, as RFC 9110 allows
    if start >= size or start > end or start < 0:
        raise BelfortError("http.range_not_satisfiable", f"bytes {first} are outside the {size}-byte file",
                           hint="request a range inside the file", status=416)
    return ByteRange(start, end)


def read_range(path: Path, rng: ByteRange, block: int = 256 * 1024) -> Iterator[bytes]:
    """The bytes of `rng` in blocks (a whole 2-hour file never sits in memory)."""
    with path.open("rb") as fh:
        fh.seek(rng.start)
        left = rng.length
        while left > 0:
            data = fh.read(min(block, left))
            if not data:
                return
            left -= len(data)
            yield data


def unfinished_uploads(session: Session) -> list[Recording]:
    """Uploaded recordings whose transcription has not finished (pending, or running when its worker
    stopped): a worker that starts queues them again."""
    return list(session.exec(select(Recording).where(Recording.uploaded_by != "",
                                                     col(Recording.state).in_(("pending", "running")))).all())
