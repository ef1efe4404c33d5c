"""Documents: list, metadata, original download and upload (the upload is queued for ingest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import Body, Parameter
from litestar.response import File

from appliance import documents
from appliance.access import Principal
from appliance.api.schemas import DocumentList, DocumentOut, UploadOut
from appliance.context import Appliance
from appliance.documents import accept_upload, opens_inline
from appliance.ids import MAX_ID, Id


@dataclass
class UploadForm:
    collection: str
    file: UploadFile


def document_out(d: documents.DocumentInfo) -> DocumentOut:
    return DocumentOut(
        id=d.id,
        collection=d.collection,
        source_path=d.source_path,
        title=d.title,
        kind=d.kind,
        mime=d.mime,
        language=d.language,
        state=d.state,
        created_at=d.created_at.isoformat(),
        updated_at=d.updated_at.isoformat(),
        original_url=f"/documents/{d.id}/original",
    )


def original_response(appliance: Appliance, who: Principal, document_id: int) -> File:
    """The stored original; PDFs open in the browser (so #page=N works), other types download."""
    path, name, mime = documents.original_file(appliance, who, document_id)
    inline = opens_inline(mime)
    return File(
        path=path,
        filename=name,
        media_type=mime,
        content_disposition_type="inline" if inline else "attachment",
    )


@get("/documents", sync_to_thread=True, summary="List readable documents", tags=["documents"])
def list_documents(
    appliance: Appliance,
    who: Principal,
    collection: str | None = None,
    limit: int = Parameter(default=50, ge=1, le=500),
    offset: int = Parameter(default=0, ge=0, le=MAX_ID),
) -> DocumentList:
    items = [document_out(d) for d in documents.list_documents(appliance, who, collection, limit, offset)]
    return DocumentList(items=items, total=len(items))


@get("/documents/{document_id:int}", sync_to_thread=True, summary="One document", tags=["documents"])
def get_document(appliance: Appliance, who: Principal, document_id: Id) -> DocumentOut:
    return document_out(documents.get_document(appliance, who, document_id))


@get(
    "/documents/{document_id:int}/original",
    sync_to_thread=True,
    summary="Download the original",
    tags=["documents"],
    media_type="application/octet-stream",
)
def download_original(appliance: Appliance, who: Principal, document_id: Id) -> File:
    return original_response(appliance, who, document_id)


def upload_handler(max_body: int) -> HTTPRouteHandler:
    """Built per app, because the body limit comes from that app's settings."""
    return post(
        "/documents",
        sync_to_thread=True,
        summary="Upload a file for ingest",
        tags=["documents"],
        status_code=202,
        request_max_body_size=max_body,
    )(upload)


def upload(
    request: Request,
    appliance: Appliance,
    who: Principal,
    data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> UploadOut:
    receipt = accept_upload(
        appliance, who, data.collection, data.file.filename, data.file.file, request.app.state.enqueue
    )
    return UploadOut(receipt.job_id, receipt.collection, receipt.filename, receipt.size)
