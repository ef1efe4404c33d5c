"""The staff search page: documents with their best passage first (highlights, source, page, links to\nthe original), the document's other passages behind it, and "nothing relevant" said as such."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from appliance import access
from appliance.access import Principal
from appliance.context import Appliance
from appliance.documents import DOC_TYPES
from appliance.errors import BelfortError
from appliance.search import Hit, links
from webui.translate import error_text
from webui.web import language_of, page

MAX_DOCUMENTS = 10  # documents listed, each with its best passage
MAX_PASSAGES = 60  # passages fetched and grouped under those documents


@get("/", sync_to_thread=True, include_in_schema=False)
def search_page(
    request: Request, appliance: Appliance, who: Principal, q: str = "", collection: str = "", doc_type: str = "",
    closest: int = 0,
) -> Template:
    from appliance.search import readable_result, search

    readable = access.readable_collections(appliance, who)
    results, error, status = None, "", 200
    if q.strip():
        try:
            results = search(
                appliance, who, q, limit=MAX_PASSAGES, collections=[collection] if collection else None,
                doc_type=doc_type if doc_type in DOC_TYPES else None,
            )
        except BelfortError as exc:
            if not exc.code.startswith("search."):
                raise
            error, status = error_text(language_of(request), exc.code, exc.message), exc.status
    grouped = readable_result(results.hits, max_groups=MAX_DOCUMENTS, closest=bool(closest)) if results else None
    groups = [{"best": _linked(g.best), "more": [_linked(h) for h in g.more]} for g in grouped.groups] \
        if grouped else []
    return page(
        request,
        "search.html",
        who=who,
        q=q[:2000],
        collection=collection,
        collections=readable,
        doc_type=doc_type,
        doc_types=DOC_TYPES,
        results=results,
        grouped=grouped,
        groups=groups,
        closest=bool(closest),
        error=error,
        status=status,
    )


def _linked(h: Hit) -> dict[str, Any]:
    view, original = links(h.document_id, h.page, h.source_path, h.chunk_id, h.char_start, h.char_end)
    return {"hit": h, "view": view, "original": original}


HANDLERS = [search_page]
