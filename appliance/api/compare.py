"""Comparing versions over the API: two readable documents (or two versions of one) article by
article, with the plain list of changes, the AI summary on request, and the exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import get
from litestar.params import Parameter
from litestar.response import Response

from appliance import compare
from appliance.access import Principal
from appliance.context import Appliance
from appliance.ids import MAX_ID

VersionId = Annotated[int | None, Parameter(ge=1, le=MAX_ID,
                                            description="a version id of the document (default: its current one)")]


@dataclass
class CompareOut:
    status: str  # no_changes | changed | unrelated
    old_title: str
    new_title: str
    aligned_share: float
    counts: dict[str, int]
    changes: list[str]  # one plain line per change, generated from the diff
    entries: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] | None = None  # the AI summary (checked statements only) when asked for


@get("/compare", sync_to_thread=True, tags=["compare"], summary="Compare two versions of a regulation",
     description="404 document.not_found for a document you may not read; 409 compare.needs_ocr for a scan "
                 "that waits for OCR; status 'unrelated' when the documents do not align (no diff is invented).")
def compare_endpoint(
    appliance: Appliance, who: Principal,
    old: int = Parameter(ge=1, le=MAX_ID), new: int = Parameter(ge=1, le=MAX_ID),
    old_version: VersionId = None,
    new_version: VersionId = None,
    summary: bool = False, lang: str = Parameter(default="nl", pattern="^(nl|fr|en)$"),
) -> CompareOut:
    result = compare.compare_documents(appliance, who, old, new, old_version=old_version, new_version=new_version)
    ai = None
    if summary:
        ai = compare.summarise_comparison(appliance, who, result, lang,
                                          reference=f"document:{old}/{old_version} -> document:{new}/{new_version}")
    body = result.as_dict()
    return CompareOut(body["status"], body["old_title"], body["new_title"], body["aligned_share"], body["counts"],
                      compare.change_list(result, lang), body["entries"], ai.as_dict() if ai else None)


@get("/compare/export", sync_to_thread=True, tags=["compare"], media_type="application/octet-stream",
     summary="A comparison as Markdown or as DOCX with tracked changes (w:ins / w:del)")
def compare_export(
    appliance: Appliance, who: Principal,
    old: int = Parameter(ge=1, le=MAX_ID), new: int = Parameter(ge=1, le=MAX_ID),
    old_version: VersionId = None,
    new_version: VersionId = None,
    format: str = Parameter(default="docx", pattern="^(md|docx)$"),
    lang: str = Parameter(default="nl", pattern="^(nl|fr|en)$"),
) -> Response[bytes]:
    body, media = compare.export_documents(appliance, who, format, lang, old, new,
                                           old_version=old_version, new_version=new_version)
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="comparison-{old}-{new}.{format}"'})


HANDLERS = [compare_endpoint, compare_export]
