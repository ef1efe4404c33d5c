"""The "auto" OCR engine over a whole document: Tesseract (through OCRmyPDF, which also writes the PDF/A
copy) has read every page; here each OCRed page is looked at and, where the image looks like a photo or a
low-contrast copy or Tesseract's text looks weak, RapidOCR reads it too and the better-scored text is
kept (models.ocr_choice). Which engine read each page, and why, goes back with the page."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from appliance.ocr.pages import IMAGE_SUFFIXES, page_image
from models.base import ModelError, OcrEngine, OcrPage

log = logging.getLogger(__name__)


class _Second:
    """RapidOCR, built on the first page that needs it; None where it cannot be (not installed)."""

    def __init__(self) -> None:
        self.engine: OcrEngine | None = None
        self.tried = False

    def get(self) -> OcrEngine | None:
        if not self.tried:
            self.tried = True
            from models.registry import build_ocr

            try:
                self.engine = build_ocr("rapidocr")
            except ModelError as exc:
                log.warning("OCR auto: rapidocr unavailable (%s), tesseract's pages stand", exc.code)
        return self.engine


def auto_pages(pdf: Path, tmp: Path, usable: list[bool], texts: list[str], confs: list[float],
               languages: tuple[str, ...]) -> tuple[list[str], list[float], list[str], list[str]]:
    """(texts, confidences, engine per page, reason per page) for the pages not `usable` as they are;
    two readings are scored with the word lists of `languages` (Tesseract's own)."""
    from models.ocr_choice import choose, page_look, second_opinion_reasons
    from models.tesseract import tesseract_lexicon

    second = _Second()
    texts, confs = list(texts), list(confs)
    engines, reasons = ["tesseract"] * len(texts), [""] * len(texts)
    for i, image in _page_images(pdf, usable):
        first = OcrPage(i + 1, texts[i], confs[i], "tesseract")
        # OCRmyPDF reports no word confidences: the evidence is the image and the text itself.
        why = second_opinion_reasons(first, page_look(image), word_confidence=False)
        other = None
        engine = second.get() if why else None
        if engine is not None:
            path = _as_file(image, pdf, tmp, i)
            other = engine.ocr_image(path)
            other.number, other.engine = i + 1, other.engine or "rapidocr"
        elif why:
            why.append("rapidocr unavailable")
        choice = choose(first, other, why, tesseract_lexicon(languages) if other is not None else frozenset())
        texts[i], confs[i], engines[i], reasons[i] = (choice.page.text, choice.page.confidence,
                                                      choice.page.engine, choice.reason)
    return texts, confs, engines, reasons


def _page_images(pdf: Path, usable: list[bool]) -> Iterator[tuple[int, Any]]:
    """(index, PIL image) of each page to judge, one page in memory at a time."""
    from PIL import Image

    if pdf.suffix.lower() in IMAGE_SUFFIXES:  # a single plain image, handed to OCRmyPDF as it is
        with Image.open(pdf) as img:
            img.load()
            yield 0, img
        return
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        for i, page in enumerate(doc):
            if i < len(usable) and not usable[i]:
                yield i, page_image(page)
    finally:
        doc.close()


def _as_file(image: Any, pdf: Path, tmp: Path, index: int) -> Path:
    if pdf.suffix.lower() in IMAGE_SUFFIXES:
        return pdf
    path = tmp / f"auto-page-{index + 1}.png"
    image.save(path)
    return path
