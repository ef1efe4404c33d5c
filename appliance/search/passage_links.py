"""Where a passage is read: the document view at the passage and the original at its page (the search
and Ask pages, the JSON API and the answer stream all link with these)."""

from __future__ import annotations


def links(
    document_id: int, page: int, source_path: str, chunk_id: int, start: int, end: int
) -> tuple[str, str]:
    """(document view at the passage, original at the page): the one place that builds these URLs."""
    view = f"/documents/{document_id}?page={page}&chunk={chunk_id}&mark={start}-{end}#chunk-{chunk_id}"
    original = f"/documents/{document_id}/original"
    if source_path.lower().endswith(".pdf"):
        original += f"#page={page}"
    return view, original
