"""Recordings: upload and progress, the transcript editor, playback from any segment, minutes draft.

Thin handlers over appliance.recordings.store (storage, permissions, audio ranges) and
appliance.recordings.transcript_edit (versioned corrections, search). Pages work without JavaScript;
webui/static/transcript.js seeks the audio element and polls progress when it runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import Body, Parameter
from litestar.response import Redirect, Stream, Template

from appliance import access, jobs, recordings
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.ids import MAX_ID, Id
from appliance.storage.staging import MIB
from webui.translate import error_text
from webui.web import language_of, page, require_role

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
PAGE_SIZE = 200  # segments per editor page: a 2-hour meeting has ~1,500


@dataclass
class RecordingUpload:
    file: UploadFile | None = None
    language: str = ""
    collection: str = ""  # "": only the uploader and admins see it


def clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _list_page(request: Request, appliance: Appliance, who: Principal, *, status: int = 200,
               error: str = "") -> Template:
    rows = recordings.list_recordings(appliance, who)
    return page(request, "recordings.html", who=who, status=status, error=error, rows=rows,
                collections=access.readable_collections(appliance, who),
                progress={r.id: recordings.progress_of(r) for r in rows}, clock=clock,
                max_mb=appliance.settings.asr.max_upload_mb, spoken_languages=recordings.SPOKEN_LANGUAGES,
                default_language=appliance.settings.asr.language)


@get("/recordings", sync_to_thread=True, include_in_schema=False)
def index(request: Request, appliance: Appliance, who: Principal) -> Template:
    return _list_page(request, appliance, who)


def upload(request: Request, appliance: Appliance, who: Principal,
           data: Annotated[RecordingUpload, Body(media_type=RequestEncodingType.MULTI_PART)]) -> Template | Redirect:
    lang = language_of(request)
    try:
        if data.file is None or not data.file.filename:
            raise BelfortError("upload.no_file", "choose a file", hint="choose a file")
        rec = recordings.store_upload(appliance, who, data.file.filename, data.file.file,
                                       language=recordings.chosen_language(data.language),
                                       collection=data.collection)
    except BelfortError as exc:
        if not exc.code.startswith(("upload.", "recording.", "asr.", "collection.")):
            raise
        return _list_page(request, appliance, who, status=exc.status, error=error_text(lang, exc.code, exc.message))
    if recordings.needs_transcription(rec):
        jobs.queue_recording(appliance, rec)
    return Redirect(f"/recordings/{rec.id}", status_code=303)


@get("/recordings/{recording_id:int}", sync_to_thread=True, include_in_schema=False)
def editor(request: Request, appliance: Appliance, who: Principal, recording_id: Id, q: str = "",
           t: float = Parameter(default=0.0, ge=0, le=MAX_ID),
           page_number: int = Parameter(query="page", default=0, ge=0, le=MAX_ID),
           notice: str = "") -> Template:
    rec = recordings.get_visible(appliance, who, recording_id)
    segments = recordings.segments_of(appliance, recording_id)
    matches = recordings.search_transcript(segments, q)
    pages = max(1, math.ceil(len(matches) / PAGE_SIZE))
    if page_number == 0 and t > 0:  # a link to a moment: the page holding that moment
        index_at = next((i for i, m in enumerate(matches) if m.segment.end > t), len(matches) - 1)
        page_number = max(0, index_at) // PAGE_SIZE + 1
    current = min(max(page_number, 1), pages)
    shown = matches[(current - 1) * PAGE_SIZE: current * PAGE_SIZE]
    speakers = sorted({s.speaker for s in segments if s.speaker})
    return page(request, "recordings_editor.html", who=who, rec=rec, progress=recordings.progress_of(rec),
                matches=shown, total=len(segments), found=len(matches), q=q[: recordings.MAX_QUERY], start_at=t,
                pages=pages, current=current, clock=clock, choices=recordings.speaker_choices(appliance, segments),
                speakers=speakers, editable=rec.state == "done", notice=notice,
                can_draft=who.can_ingest and rec.state == "done" and bool(segments),
                audio_ok=rec.audio_deleted_at is None,
                failure=error_text(language_of(request), rec.code, rec.message) if rec.code else "")


@get("/recordings/{recording_id:int}/progress", sync_to_thread=True, include_in_schema=False)
def progress(appliance: Appliance, who: Principal, recording_id: Id) -> dict[str, Any]:
    rec = recordings.get_visible(appliance, who, recording_id)
    return {"id": rec.id, "state": rec.state, "progress": round(recordings.progress_of(rec), 3),
            "chunks_done": rec.chunks_done, "n_chunks": rec.n_chunks, "code": rec.code}


@get("/recordings/{recording_id:int}/audio", sync_to_thread=True, include_in_schema=False)
def audio(request: Request, appliance: Appliance, who: Principal, recording_id: Id) -> Stream:
    """The stored file with HTTP Range support, so the player can seek in a 2-hour meeting."""
    path, media_type = recordings.audio_file(appliance, who, recording_id)
    size = path.stat().st_size
    rng = recordings.parse_range(request.headers.get("range"), size)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, no-cache"}
    whole = rng or recordings.ByteRange(0, size - 1)
    headers["Content-Length"] = str(whole.length)
    if rng is not None:
        headers["Content-Range"] = f"bytes {rng.start}-{rng.end}/{size}"
    return Stream(recordings.read_range(path, whole), media_type=media_type, headers=headers,
                  status_code=206 if rng is not None else 200)


def _back(recording_id: int, segment_id: int, notice: str = "") -> Redirect:
    extra = f"?notice={notice}" if notice else ""
    return Redirect(f"/recordings/{recording_id}{extra}#seg-{segment_id}", status_code=303)


@post("/recordings/{recording_id:int}/segments/{segment_id:int}/text", sync_to_thread=True,
      include_in_schema=False)
def edit_text(appliance: Appliance, who: Principal, recording_id: Id, segment_id: Id,
              data: dict[str, Any] = FORM) -> Redirect:
    recordings.edit_segment(appliance, who, recording_id, segment_id, str(data.get("text", "")))
    return _back(recording_id, segment_id, "saved")


@post("/recordings/{recording_id:int}/segments/{segment_id:int}/speaker", sync_to_thread=True,
      include_in_schema=False)
def edit_speaker(appliance: Appliance, who: Principal, recording_id: Id, segment_id: Id,
                 data: dict[str, Any] = FORM) -> Redirect:
    recordings.set_speaker(appliance, who, recording_id, segment_id, str(data.get("speaker", "")))
    return _back(recording_id, segment_id, "saved")


@post("/recordings/{recording_id:int}/segments/{segment_id:int}/split", sync_to_thread=True,
      include_in_schema=False)
def split(appliance: Appliance, who: Principal, recording_id: Id, segment_id: Id,
          data: dict[str, Any] = FORM) -> Redirect:
    words = str(data.get("before", "")).strip()
    at_time = str(data.get("at", "")).strip().replace(",", ".")
    if words:
        _first, second = recordings.split_before_words(appliance, who, recording_id, segment_id, words)
    else:
        try:
            when = float(at_time)
        except ValueError:
            raise BelfortError("transcript.bad_split", "say where the new turn begins",
                               hint="type its first words, or a time in seconds") from None
        _first, second = recordings.split_segment(appliance, who, recording_id, segment_id, at_time=when)
    assert second.id is not None
    return _back(recording_id, second.id, "split")


@post("/recordings/{recording_id:int}/speakers", sync_to_thread=True, include_in_schema=False)
def rename(appliance: Appliance, who: Principal, recording_id: Id, data: dict[str, Any] = FORM) -> Redirect:
    recordings.rename_speaker(appliance, who, recording_id, str(data.get("label", "")), str(data.get("speaker", "")))
    return Redirect(f"/recordings/{recording_id}?notice=saved", status_code=303)


@get("/recordings/{recording_id:int}/segments/{segment_id:int}/history", sync_to_thread=True,
     include_in_schema=False)
def history(request: Request, appliance: Appliance, who: Principal, recording_id: Id, segment_id: Id) -> Template:
    rec = recordings.get_visible(appliance, who, recording_id)
    revisions = recordings.segment_history(appliance, who, recording_id, segment_id)
    return page(request, "recordings_history.html", who=who, rec=rec, segment_id=segment_id, revisions=revisions,
                notice=request.query_params.get("notice", ""))


@post("/recordings/{recording_id:int}/retry", sync_to_thread=True, include_in_schema=False)
def retry(request: Request, appliance: Appliance, who: Principal, recording_id: Id) -> Redirect:
    rec = recordings.get_visible(appliance, who, recording_id)
    if recordings.may_retry(rec):
        jobs.queue_recording(appliance, rec)
    return Redirect(f"/recordings/{recording_id}", status_code=303)


@post("/recordings/{recording_id:int}/minutes", sync_to_thread=True, include_in_schema=False)
def draft_minutes(request: Request, appliance: Appliance, who: Principal, recording_id: Id,
                  data: dict[str, Any] = FORM) -> Redirect:
    """Queue the AI draft of the minutes (appliance.minutes.draft); review happens under /minutes."""
    require_role(who, "archivist")
    rec = recordings.get_visible(appliance, who, recording_id)
    recordings.require_transcript(rec)
    jobs.queue_minutes(appliance, recording_id, title=str(data.get("title", ""))[:300],
                       meeting_date=str(data.get("meeting_date", "")).strip(),
                       agenda=str(data.get("agenda", "")).strip() or None,
                       attendees=list(appliance.settings.asr.attendees), username=who.username)
    return Redirect(f"/recordings/{recording_id}?notice=minutes", status_code=303)


def handlers(max_recording_mb: int) -> list[HTTPRouteHandler]:
    upload_handler = post("/recordings", sync_to_thread=True, include_in_schema=False,
                          request_max_body_size=max_recording_mb * MIB + MIB)(upload)
    return [index, upload_handler, editor, progress, audio, edit_text, edit_speaker, split, rename, history,
            retry, draft_minutes]
