"""GET /api/v1/search: passages the token's user may read, with escaped snippets."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import Parameter

from appliance.access import Principal
from appliance.api.schemas import HitOut, SearchOut
from appliance.context import Appliance
from appliance.search import links


@get("/search", sync_to_thread=True, summary="Search passages", tags=["search"])
def search_endpoint(
    appliance: Appliance,
    who: Principal,
    q: str = Parameter(description="The question or keywords.", max_length=20000),
    limit: int = Parameter(default=10, ge=1, le=100),
    collection: Annotated[list[str] | None, Parameter(description="Restrict to these collections.")] = None,
    doc_type: Annotated[str | None, Parameter(description="Only this document type (brief, factuur, besluit, "
                                               "notulen, formulier, identiteitsdocument, other).")] = None,
) -> SearchOut:
    from appliance.search import search

    result = search(appliance, who, q, limit=limit, collections=collection or None, doc_type=doc_type)
    hits = []
    for h in result.hits:
        view, original = links(h.document_id, h.page, h.source_path, h.chunk_id, h.char_start, h.char_end)
        hits.append(
            HitOut(
                h.chunk_id,
                h.document_id,
                h.collection,
                h.title,
                h.source_path,
                h.page,
                h.text,
                h.snippet_html,
                h.score,
                h.language,
                view,
                original,
                h.coverage,
                h.relevant,
            )
        )
    return SearchOut(query=result.query, total=result.total, took_ms=result.took_ms, hits=hits,
                     relevant=result.relevant)
