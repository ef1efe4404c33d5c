"""Recordings, their transcript segments and the revisions people make to them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from appliance.db.tables.common import utcnow


class Recording(SQLModel, table=True):
    """An audio or video recording being (or done being) transcribed, chunk by chunk.

    `chunks_done` only grows, in the same transaction that stores that chunk's segments, so a
    restart resumes at the first unfinished chunk. Keyed by content hash and chunking.
    """

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True)
    source_name: str = ""  # file name only (no folder: it may name a person)
    source_path: str = ""
    duration: float = 0.0  # seconds
    chunk_seconds: float = 300.0
    n_chunks: int = 0
    chunks_done: int = 0
    language: str = ""  # fixed language, or "" when detected per window
    model: str = ""  # transcriber name
    state: str = "pending"  # pending | running | done | failed
    code: str = ""
    message: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    # Retention (migration 11): when the stored audio was deleted; the transcript and minutes stay.
    audio_deleted_at: datetime | None = None
    # Who uploaded it through the web UI or API (migration 12): they may see and correct it.
    uploaded_by: str = Field(default="", index=True)
    # The collection it belongs to (migration 16): its readers see it; none: the uploader and admins.
    collection_id: int | None = Field(default=None, foreign_key="collection.id", index=True)


class TranscriptSegment(SQLModel, table=True):
    """One segment of a transcript; times in seconds from the start of the original recording."""

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int = Field(foreign_key="recording.id", index=True)
    chunk: int = 0
    start: float = 0.0
    end: float = 0.0
    text: str = ""
    language: str = ""
    speaker: str = ""
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 0.0


class SegmentRevision(SQLModel, table=True):
    """A person's correction of one transcript segment (text, speaker, split); the old values stay."""

    id: int | None = Field(default=None, primary_key=True)
    segment_id: int = Field(foreign_key="transcriptsegment.id", index=True)
    recording_id: int = Field(foreign_key="recording.id", index=True)
    action: str = "edit"  # edit | split | speaker
    old_text: str = ""
    new_text: str = ""
    old_speaker: str = ""
    new_speaker: str = ""
    by: str = ""
    at: datetime = Field(default_factory=utcnow)
