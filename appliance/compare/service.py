"""Comparing two documents a person may read (or two versions of one), two files (the CLI), and the
AI summary of a comparison with its audit record. Reads go through appliance.documents, so an
unreadable document is 'not found' here too."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from appliance import documents
from appliance.audit import record_answer
from appliance.compare.summary import SUMMARY_PROMPT_VERSION, Summary, summarise
from appliance.compare.versions import Comparison, compare_pages
from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.access import Principal
    from appliance.context import Appliance

_OCR_HINT = "the document is a scan; compare it once OCR has run (belfort ocr, or wait for the worker)"


def needs_ocr(name: str) -> BelfortError:
    return BelfortError("compare.needs_ocr", f"{name} has no text yet: it waits for OCR", hint=_OCR_HINT, status=409)


def _side(app: Appliance, who: Principal, document_id: int, version_id: int | None) -> tuple[str, list[tuple[int, str]]]:
    info = documents.get_document(app, who, document_id)  # the permission check (NotFound)
    name = info.title or info.source_path
    if version_id is not None:
        number = next((v.number for v in info.versions if v.id == version_id), None)
        name = f"{name} (v{number})" if number is not None else name
    if info.state == "needs_ocr" and (version_id is None or version_id == info.current_version_id):
        raise needs_ocr(name)
    pages = documents.document_pages(app, who, document_id, version_id)
    if not any(text.strip() for _, text in pages):
        if info.state == "needs_ocr":
            raise needs_ocr(name)
        raise BelfortError("compare.no_text", f"{name} has no text to compare", status=422,
                           hint="only documents with a text layer or OCRed text can be compared")
    return name, pages


def compare_documents(app: Appliance, who: Principal, old_id: int, new_id: int, *,
                      old_version: int | None = None, new_version: int | None = None) -> Comparison:
    """Two readable documents, or two versions of one (the same id with two version ids)."""
    old_name, old_pages = _side(app, who, old_id, old_version)
    new_name, new_pages = _side(app, who, new_id, new_version)
    return compare_pages(old_pages, new_pages, old_title=old_name, new_title=new_name)


def compare_files(old: Path, new: Path) -> Comparison:
    """Two files (the CLI): extracted as ingest would; a scan without a text layer waits for OCR."""
    from ingest.extract import extract

    sides = []
    for path in (old, new):
        ex = extract(path)
        if ex.needs_ocr or not any(p.text.strip() for p in ex.pages):
            raise needs_ocr(path.name)
        sides.append([(p.number, p.text) for p in ex.pages])
    return compare_pages(sides[0], sides[1], old_title=old.name, new_title=new.name)


def summarise_comparison(app: Appliance, who: Principal, comparison: Comparison, lang: str, *,
                         reference: str) -> Summary:
    """The AI summary (checked statements only), recorded in the answer audit trail like an answer."""
    if comparison.status != "changed":
        return Summary("empty")
    engine = app.llm
    started = time.perf_counter()
    summary = summarise(engine, comparison, lang, app.settings.llm.timeout_seconds)
    if summary.mode in ("free", "composed", "empty") and engine is not None:
        text = " ".join(f"{s.text} ({', '.join(s.cites)})" for s in summary.statements)  # as shown
        record_answer(app, who, question=f"compare {reference}"[:500], answer=text,
                      status="answered" if summary.statements else "dont_know",
                      model=getattr(engine, "name", ""), model_sha256=getattr(engine, "sha256", ""),
                      details={"feature": "compare", "prompt_version": SUMMARY_PROMPT_VERSION,
                               "language": lang, "mode": summary.mode, "dropped": summary.dropped,
                               "changes": len(comparison.changes), "checks": summary.checks,
                               "seconds": round(time.perf_counter() - started, 3)})
    return summary


EXPORT_TYPES = {"md": "text/markdown; charset=utf-8",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def export_documents(app: Appliance, who: Principal, fmt: str, lang: str, old_id: int, new_id: int, *,
                     old_version: int | None = None, new_version: int | None = None) -> tuple[bytes, str]:
    """(bytes, media type) of the comparison as Markdown or as DOCX with tracked changes by `who`."""
    from appliance.compare.export import to_docx, to_markdown
    from appliance.errors import NotFound

    if fmt not in EXPORT_TYPES:
        raise NotFound("compare.unknown_format", f"no export as '{fmt[:10]}'", hint="use md or docx")
    result = compare_documents(app, who, old_id, new_id, old_version=old_version, new_version=new_version)
    body = to_markdown(result, lang).encode("utf-8") if fmt == "md" else to_docx(result, lang, author=who.username)
    return body, EXPORT_TYPES[fmt]
