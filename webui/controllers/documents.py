"""Document view (one page of text with the passage marked) and the original file."""

from __future__ import annotations

import re

from litestar import Request, get
from litestar.params import Parameter
from litestar.response import File, Template

from appliance import documents
from appliance.access import Principal
from appliance.context import Appliance
from appliance.documents import opens_inline
from appliance.ids import MAX_ID, Id
from webui.web import page

_MARK = re.compile(r"^(\d{1,9})-(\d{1,9})$")


def split_marked(text: str, mark: str) -> tuple[str, str, str]:
    """(before, passage, after) for `mark` = 'start-end' offsets in the page text; no mark, no passage."""
    m = _MARK.match(mark or "")
    if not m:
        return text, "", ""
    start, end = int(m.group(1)), int(m.group(2))
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return text, "", ""
    return text[:start], text[start:end], text[end:]


@get("/documents/{document_id:int}", sync_to_thread=True, include_in_schema=False)
def document_page(
    request: Request,
    appliance: Appliance,
    who: Principal,
    document_id: Id,
    page_number: int = Parameter(query="page", default=1, ge=1, le=MAX_ID),
    mark: str = "",
    chunk: int = Parameter(default=0, ge=0, le=MAX_ID),
) -> Template:
    info = documents.get_document(appliance, who, document_id)
    pages = documents.document_pages(appliance, who, document_id)
    numbers = [n for n, _ in pages]
    current = page_number if page_number in numbers else (numbers[0] if numbers else 1)
    text = dict(pages).get(current, "")
    before, passage, after = split_marked(text, mark)
    children = [(cid, title) for cid, title in info.children]
    return page(
        request,
        "document.html",
        who=who,
        doc=info,
        numbers=numbers,
        current=current,
        before=before,
        passage=passage,
        after=after,
        chunk=chunk,
        children=children,
        is_pdf=info.mime == "application/pdf",
    )


@get("/documents/{document_id:int}/original", sync_to_thread=True, include_in_schema=False)
def original(appliance: Appliance, who: Principal, document_id: Id) -> File:
    """The stored original; PDFs open in the browser (so #page=N works), other types download."""
    path, name, mime = documents.original_file(appliance, who, document_id)
    return File(path=path, filename=name, media_type=mime,
                content_disposition_type="inline" if opens_inline(mime) else "attachment")


HANDLERS = [document_page, original]
