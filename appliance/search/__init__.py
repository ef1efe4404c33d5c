"""The search feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.search.grouping import DocumentGroup, GroupedResult, group_by_document, readable_result
from appliance.search.passage_links import links
from appliance.search.query import MODES, SNIPPET_CHARS, Hit, SearchResult, mark, search

__all__ = [
    "MODES",
    "SNIPPET_CHARS",
    "DocumentGroup",
    "GroupedResult",
    "Hit",
    "SearchResult",
    "group_by_document",
    "links",
    "mark",
    "readable_result",
    "search",
]
