"""The /compare page: two readable documents (or two versions of one) article by article, with the
plain list of changes, the AI summary on request (labelled as such, audited), and the exports."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Response, Template

from appliance import compare, documents
from appliance.access import Principal
from appliance.context import Appliance
from appliance.i18n import t
from appliance.ids import MAX_ID
from webui.web import language_of, page

MAX_CHOICES = 500  # documents offered in the pickers (the most recently updated)
_ID = Parameter(default=None, ge=1, le=MAX_ID)


def _query(old: int | None, new: int | None, old_version: int | None, new_version: int | None) -> str:
    pairs = {"old": old, "new": new, "old_version": old_version, "new_version": new_version}
    return urlencode({k: v for k, v in pairs.items() if v is not None})


@get("/compare", sync_to_thread=True, include_in_schema=False)
def compare_page(
    request: Request, appliance: Appliance, who: Principal,
    old: int | None = _ID, new: int | None = _ID,
    old_version: int | None = Parameter(query="old_version", default=None, ge=1, le=MAX_ID),
    new_version: int | None = Parameter(query="new_version", default=None, ge=1, le=MAX_ID),
    document: int | None = _ID, summary: bool = False,
) -> Template:
    lang = language_of(request)
    choices = documents.list_documents(appliance, who, limit=MAX_CHOICES)
    versions = documents.get_document(appliance, who, document) if document is not None else None
    result = ai = None
    if old is not None and new is not None:
        result = compare.compare_documents(appliance, who, old, new, old_version=old_version, new_version=new_version)
        if summary:
            ai = compare.summarise_comparison(appliance, who, result, lang,
                                              reference=f"document:{old}/{old_version} -> document:{new}/{new_version}")
    return page(request, "compare.html", who=who, choices=choices, versions=versions, result=result,
                summary=ai, wanted_summary=summary, changes=compare.change_list(result, lang) if result else [],
                old=old, new=new, old_version=old_version, new_version=new_version,
                query=_query(old, new, old_version, new_version),
                status_text=t(lang, f"compare.status.{result.status}") if result else "",
                states={s: t(lang, f"compare.state.{s}") for s in compare.STATUSES})


@get("/compare/export/{fmt:str}", sync_to_thread=True, include_in_schema=False)
def compare_export(
    request: Request, appliance: Appliance, who: Principal, fmt: str,
    old: int = Parameter(ge=1, le=MAX_ID), new: int = Parameter(ge=1, le=MAX_ID),
    old_version: int | None = Parameter(query="old_version", default=None, ge=1, le=MAX_ID),
    new_version: int | None = Parameter(query="new_version", default=None, ge=1, le=MAX_ID),
) -> Response[bytes]:
    lang = language_of(request)
    body, media = compare.export_documents(appliance, who, fmt, lang, old, new, old_version=old_version,
                                           new_version=new_version)
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="comparison-{old}-{new}.{fmt}"', "Cache-Control": "no-store"})


HANDLERS = [compare_page, compare_export]
