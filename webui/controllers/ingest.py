"""Upload and ingest status for archivists: the queue, failed files with their reason, retry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import Body
from litestar.response import Redirect, Template

from appliance import access, documents
from appliance.access import Principal
from appliance.context import Appliance
from appliance.documents import accept_upload
from appliance.errors import BelfortError
from appliance.i18n import t
from appliance.ids import Id
from appliance.storage.staging import MIB
from webui.translate import error_text
from webui.web import language_of, page, require_role


@dataclass
class UploadForm:
    collection: str = ""
    file: UploadFile | None = None


def _upload_page(
    request: Request,
    appliance: Appliance,
    who: Principal,
    *,
    status: int = 200,
    error: str = "",
    done: str = "",
) -> Template:
    return page(
        request,
        "upload.html",
        who=who,
        status=status,
        error=error,
        done=done,
        collections=access.readable_collections(appliance, who),
        max_mb=appliance.settings.web.max_upload_mb,
    )


@get("/upload", sync_to_thread=True, include_in_schema=False)
def upload_page(request: Request, appliance: Appliance, who: Principal) -> Template:
    require_role(who, "archivist")
    return _upload_page(request, appliance, who)


def upload(
    request: Request,
    appliance: Appliance,
    who: Principal,
    data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Template:
    require_role(who, "archivist")
    lang = language_of(request)
    try:
        if data.file is None or not data.file.filename:
            raise BelfortError("upload.no_file", "choose a file", hint="choose a file")
        receipt = accept_upload(
            appliance, who, data.collection, data.file.filename, data.file.file, request.app.state.enqueue
        )
    except BelfortError as exc:
        if not exc.code.startswith(("upload.", "collection.")):
            raise
        return _upload_page(
            request, appliance, who, status=exc.status, error=error_text(lang, exc.code, exc.message)
        )
    return _upload_page(
        request,
        appliance,
        who,
        status=202,
        done=t(lang, "upload.queued", name=receipt.filename, collection=receipt.collection),
    )


@get("/ingest", sync_to_thread=True, include_in_schema=False)
def status_page(request: Request, appliance: Appliance, who: Principal) -> Template:
    require_role(who, "archivist")
    return page(
        request,
        "ingest.html",
        who=who,
        jobs=documents.list_jobs(appliance, who, 50),
        failed=documents.list_failed(appliance, who),
    )


@post("/ingest/failed/{failed_id:int}/retry", sync_to_thread=True, include_in_schema=False)
def retry(appliance: Appliance, who: Principal, failed_id: Id) -> Redirect:
    require_role(who, "archivist")
    documents.retry_failed(appliance, who, failed_id)
    return Redirect("/ingest", status_code=303)


def handlers(max_upload_mb: int) -> list[HTTPRouteHandler]:
    upload_handler = post(
        "/upload",
        sync_to_thread=True,
        include_in_schema=False,
        request_max_body_size=max_upload_mb * MIB + MIB,
    )(upload)
    return [upload_page, upload_handler, status_page, retry]
