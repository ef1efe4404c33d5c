"""PDF with a text layer, page by page, through pypdfium2 (Apache/BSD; no AGPL library here).

A page with (almost) no text but with images is a scan: it is marked, and when most pages are
scans the whole document waits for OCR instead of being indexed half-empty.
"""

from __future__ import annotations

import re
from itertools import islice
from pathlib import Path
from typing import Any

from ingest.extract.common import clean_text, title_from_stem, wrap_errors
from ingest.extract.pdfdoc import repair_title
from ingest.types import Extracted, IngestError, Page

# Fewer letters than this on a page with an image: the page is a scan (a stamp or page number
# on a scanned page is often a few characters of real text).
MIN_PAGE_CHARS = 25
_WORD_CHAR = re.compile(r"[^\W_]")


def extract_pdf(path: Path, mime: str = "application/pdf") -> Extracted:
    import pypdfium2.raw as pdfium_c

    pdf = _open_pdf(path)
    with wrap_errors("PDF"):
        try:
            pages: list[Page] = []
            scan_pages: list[int] = []
            n_pages = len(pdf)
            if n_pages == 0:
                raise IngestError("ingest.corrupt", "This PDF has no pages.",
                                  hint="Check the file in a PDF reader; export it again.")
            for index in range(n_pages):
                page = pdf[index]
                try:
                    text = _page_text(page)
                    letters = len(list(islice(_WORD_CHAR.finditer(text), MIN_PAGE_CHARS)))
                    if letters < MIN_PAGE_CHARS and _has_image(page, pdfium_c):
                        scan_pages.append(index + 1)
                    pages.append(Page(number=index + 1, text=text))
                finally:
                    page.close()
            meta_title = repair_title((pdf.get_metadata_dict(skip_empty=True).get("Title") or "").strip())
        finally:
            pdf.close()

    # No text anywhere (scans, or text drawn as outlines): only OCR can make it searchable.
    no_text = not any(p.text for p in pages)
    needs_ocr = no_text or (bool(scan_pages) and len(scan_pages) * 2 >= n_pages)
    meta: dict[str, object] = {"page_count": n_pages}
    if scan_pages:
        meta["scan_pages"] = scan_pages
    return Extracted(
        kind="pdf",
        mime=mime,
        title=clean_text(meta_title)[:300] or title_from_stem(path),
        pages=pages,
        needs_ocr=needs_ocr,
        meta=meta,
    )


def _open_pdf(path: Path) -> Any:
    """The opened document; a password, DRM or a damaged file is a stable ingest error."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise IngestError(
                "ingest.encrypted",
                "This PDF is protected with a password.",
                hint="Remove the password (print or export it as an unprotected PDF) and drop it again.",
            ) from None
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise IngestError("ingest.encrypted", "This PDF uses an unsupported security handler (DRM).",
                              hint="Export an unprotected copy of the PDF and drop it again.") from None
        raise IngestError("ingest.corrupt", "This PDF is damaged and cannot be read.",
                          hint="Open it in a PDF reader and save or print it as a new PDF, then retry.",
                          ) from None


def _page_text(page: Any) -> str:
    from ingest.extract.pdf_tables import page_text_with_tables

    textpage = page.get_textpage()
    try:
        raw = page_text_with_tables(textpage) or textpage.get_text_range()
    finally:
        textpage.close()
    return clean_text(raw)


def _has_image(page, pdfium_c) -> bool:  # type: ignore[no-untyped-def]
    for _obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        return True
    return False
