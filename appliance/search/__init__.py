"""The search feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.search.passage_links import links
from appliance.search.query import MODES, SNIPPET_CHARS, mark, search

__all__ = [
    "MODES",
    "SNIPPET_CHARS",
    "links",
    "mark",
    "search",
]
