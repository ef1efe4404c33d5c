"""Recordings over the API: upload (queued for transcription), list, state with progress and segments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import Body

from appliance import jobs, recordings
from appliance.access import Principal
from appliance.api.schemas import SegmentOut
from appliance.context import Appliance
from appliance.db.tables import Recording
from appliance.ids import Id
from appliance.recordings import segments_of


@dataclass
class RecordingUploadForm:
    file: UploadFile
    language: str = ""  # nl | fr | auto; empty: the asr settings
    collection: str = ""  # its readers see the recording; empty: only the uploader and admins


@dataclass
class RecordingSegmentOut(SegmentOut):
    language: str


@dataclass
class RecordingOut:
    id: int
    name: str
    state: str  # pending | running | done | failed
    progress: float  # 0..1
    duration: float
    chunks_done: int
    n_chunks: int
    language: str  # "" when detected per window
    model: str
    code: str
    message: str
    uploaded_by: str
    created_at: str
    ai_generated: bool = True  # a transcript is a speech model's output until people correct it
    job_id: str | None = None
    segments: list[RecordingSegmentOut] = field(default_factory=list)


def recording_out(rec: Recording, *, job_id: str | None = None, segments: list[RecordingSegmentOut] | None = None) -> RecordingOut:
    return RecordingOut(rec.id or 0, rec.source_name, rec.state, round(recordings.progress_of(rec), 3),
                        round(rec.duration, 3), rec.chunks_done, rec.n_chunks, rec.language, rec.model, rec.code,
                        rec.message, rec.uploaded_by, rec.created_at.isoformat(), job_id=job_id,
                        segments=segments or [])


@get("/recordings", sync_to_thread=True, summary="Recordings this user may see", tags=["recordings"])
def list_recordings(appliance: Appliance, who: Principal) -> list[RecordingOut]:
    return [recording_out(r) for r in recordings.list_recordings(appliance, who)]


@get("/recordings/{recording_id:int}", sync_to_thread=True, summary="State, progress and transcript",
     tags=["recordings"])
def get_recording(appliance: Appliance, who: Principal, recording_id: Id) -> RecordingOut:
    rec = recordings.get_visible(appliance, who, recording_id)
    segs = [RecordingSegmentOut(s.id or 0, s.start, s.end, s.text, s.speaker, s.language)
            for s in segments_of(appliance, recording_id)]
    return recording_out(rec, segments=segs)


def upload(request: Request, appliance: Appliance, who: Principal,
           data: Annotated[RecordingUploadForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> RecordingOut:
    rec = recordings.store_upload(appliance, who, data.file.filename, data.file.file,
                                   language=recordings.chosen_language(data.language), collection=data.collection)
    job_id = jobs.queue_recording(appliance, rec) if recordings.needs_transcription(rec) else None
    assert rec.id is not None
    return recording_out(recordings.get_visible(appliance, who, rec.id), job_id=job_id)


def upload_handler(max_body: int) -> HTTPRouteHandler:
    return post("/recordings", sync_to_thread=True, summary="Upload a recording for transcription",
                description=UPLOAD_DESCRIPTION, tags=["recordings"], status_code=202,
                request_max_body_size=max_body)(upload)


# What the schema of a multipart file cannot say: the file's type and content are checked on arrival.
UPLOAD_DESCRIPTION = (
    "`file`: an audio or video recording (" + ", ".join(sorted(e.lstrip(".") for e in recordings.MEDIA_TYPES))
    + "); another file type is refused with 415 (recording.bad_type), a file that holds no decodable audio "
    "with 422 (asr.*). `language`: nl, fr or auto; anything else uses the asr settings."
)
