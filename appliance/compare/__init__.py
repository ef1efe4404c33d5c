"""The compare feature: two versions of a regulation aligned by article, with a word diff per article,
a plain list of changes, an AI summary that passes Ask's claim check, and Markdown/DOCX exports.
Its public surface: the entry points and the CLI import from here."""

from appliance.compare.articles import Unit, split_units
from appliance.compare.diff import word_diff
from appliance.compare.export import to_docx, to_markdown
from appliance.compare.service import (
    EXPORT_TYPES,
    compare_documents,
    compare_files,
    export_documents,
    summarise_comparison,
)
from appliance.compare.summary import Statement, Summary, change_list, summarise
from appliance.compare.versions import STATUSES, Comparison, Entry, compare_pages, compare_units

__all__ = [
    "EXPORT_TYPES",
    "STATUSES",
    "Comparison",
    "Entry",
    "Statement",
    "Summary",
    "Unit",
    "change_list",
    "compare_documents",
    "compare_files",
    "compare_pages",
    "compare_units",
    "export_documents",
    "split_units",
    "summarise",
    "summarise_comparison",
    "to_docx",
    "to_markdown",
    "word_diff",
]
