"""The staff search page: passages with highlights, source, page and links to the original."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from appliance import access
from appliance.access import Principal
from appliance.context import Appliance
from appliance.documents import DOC_TYPES
from appliance.errors import BelfortError
from appliance.search import links
from webui.translate import error_text
from webui.web import language_of, page

MAX_RESULTS = 20


@get("/", sync_to_thread=True, include_in_schema=False)
def search_page(
    request: Request, appliance: Appliance, who: Principal, q: str = "", collection: str = "", doc_type: str = ""
) -> Template:
    from appliance.search import search

    readable = access.readable_collections(appliance, who)
    results, error, status = None, "", 200
    if q.strip():
        try:
            results = search(
                appliance, who, q, limit=MAX_RESULTS, collections=[collection] if collection else None,
                doc_type=doc_type if doc_type in DOC_TYPES else None,
            )
        except BelfortError as exc:
            if not exc.code.startswith("search."):
                raise
            error, status = error_text(language_of(request), exc.code, exc.message), exc.status
    hits = []
    for h in results.hits if results else []:
        view, original = links(h.document_id, h.page, h.source_path, h.chunk_id, h.char_start, h.char_end)
        hits.append({"hit": h, "view": view, "original": original})
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
        hits=hits,
        error=error,
        status=status,
    )


HANDLERS = [search_page]
