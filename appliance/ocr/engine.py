"""OCR of scans and images: per page, keep a usable text layer, OCR what lacks one (or has garbage),
and keep a searchable PDF/A-2b archival copy (tesseract via OCRmyPDF) beside the original."""

from __future__ import annotations

import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appliance.errors import BelfortError
from appliance.ocr.pages import IMAGE_SUFFIXES, MAX_OCR_PIXELS, page_image
from appliance.settings import Settings
from ingest.cage import MAX_IMAGE_PIXELS
from ingest.extract.image import MAX_FRAMES, image_too_large
from models.base import ModelError

_TOKEN = re.compile(r"\S+")
_WORDLIKE = re.compile(r"^[^\W\d_]{2,}[.,;:!?)\]'\"]*$", re.UNICODE)
_VOWEL = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]", re.IGNORECASE)


def text_quality(text: str) -> float:
    """Share of tokens that look like words (letters with a vowel): ~0.8+ for real prose, low for the
    garbage a broken text layer or a failed OCR produces. Used to decide on OCR and as page confidence."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return 0.0
    alnum = [t for t in tokens if any(ch.isalnum() for ch in t)]
    if not alnum:
        return 0.0
    good = sum(1 for t in alnum if (_WORDLIKE.match(t) and _VOWEL.search(t)) or t.strip(".,;:").isdigit())
    return good / len(tokens)


@dataclass
class OcrPageResult:
    number: int
    text: str
    confidence: float
    source: str  # text_layer | ocr
    engine: str = ""  # the engine that read an OCRed page (tesseract | rapidocr); "" for a text layer
    choice: str = ""  # with engine "auto": why this page's engine was kept


@dataclass
class OcrResult:
    engine: str
    pages: list[OcrPageResult] = field(default_factory=list)
    pdfa_path: Path | None = None

    @property
    def mean_confidence(self) -> float:
        return sum(p.confidence for p in self.pages) / len(self.pages) if self.pages else 0.0


def _text_layer(pdf: Path) -> list[str]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(pdf))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise BelfortError("ocr.encrypted", "the PDF is password-protected",
                               hint="ask the sender for an unprotected copy") from None
        raise BelfortError("ocr.corrupt", "the PDF cannot be read", hint="check the file") from None
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def images_to_pdf(source: Path, out: Path, *, max_pixels: int = MAX_IMAGE_PIXELS) -> list[str]:
    """All frames of an image (multi-page TIFF too) into one PDF at 300 dpi, one frame in memory at a
    time. A broken frame is skipped and reported, a large one scaled down, and one whose header says it
    is above `max_pixels` refused before it is decoded (ocr.image_too_large). Returns the notes."""
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="belfort-frames-") as tmp, _open_image(source, max_pixels) as img:
        pages: list[Path] = []
        for index in range(MAX_FRAMES):
            try:
                img.seek(index)
            except EOFError:
                break
            except Exception:  # noqa: BLE001 - Pillow fails a damaged frame in many ways: skip it
                notes.append(f"page {index + 1} unreadable, skipped")
                continue
            _check_size(img.width, img.height, max_pixels)  # this frame's header, before its pixels
            try:
                page = Path(tmp) / f"page-{index:05d}.pdf"
                _decoded_frame(img).save(page, resolution=300.0)
                pages.append(page)
            except MemoryError:
                raise
            except Exception:  # noqa: BLE001 - as above: a frame that does not decode is skipped
                notes.append(f"page {index + 1} unreadable, skipped")
        if not pages:
            raise BelfortError("ocr.corrupt_image", "no readable page in the image", hint="check the file")
        _join_pdfs(pages, out)
    return notes


def _open_image(source: Path, max_pixels: int) -> Any:
    from PIL import Image

    try:
        with warnings.catch_warnings():  # between Pillow's warning and its error we refuse by name below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(source)  # the guard stays on: Image.MAX_IMAGE_PIXELS is never touched here
    except Image.DecompressionBombError:
        raise _too_large(0, 0, max_pixels) from None
    except Exception:  # noqa: BLE001 - any failure to open is the same stable error for the user
        raise BelfortError("ocr.corrupt_image", "the image cannot be read", hint="check the file") from None
    try:
        _check_size(img.width, img.height, max_pixels)
    except BelfortError:
        img.close()
        raise
    return img


def _check_size(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise _too_large(width, height, max_pixels)


def _too_large(width: int, height: int, max_pixels: int) -> BelfortError:
    err = image_too_large(width, height, max_pixels)
    return BelfortError(err.code, err.message, hint=err.hint, status=422)


def _decoded_frame(img: Any) -> Any:
    from PIL import ImageOps

    frame = ImageOps.exif_transpose(img.copy()).convert("RGB")
    pixels = frame.width * frame.height
    if pixels > MAX_OCR_PIXELS:
        scale = (MAX_OCR_PIXELS / pixels) ** 0.5
        frame = frame.resize((int(frame.width * scale), int(frame.height * scale)))
    return frame


def _join_pdfs(pages: list[Path], out: Path) -> None:
    if len(pages) == 1:
        shutil.copyfile(pages[0], out)
        return
    import pypdfium2 as pdfium

    merged = pdfium.PdfDocument.new()
    sources = [pdfium.PdfDocument(str(page)) for page in pages]
    try:
        for src in sources:
            merged.import_pages(src)
        merged.save(str(out))
    finally:
        for src in sources:
            src.close()
        merged.close()


def _simple_image_frames(path: Path) -> int:
    """1 for a single-frame image of a sane size that OCRmyPDF can take directly, else 0."""
    with _open_image(path, MAX_IMAGE_PIXELS) as img:
        small = img.width * img.height <= MAX_OCR_PIXELS
        plain = getattr(img, "n_frames", 1) == 1 and img.format in ("PNG", "JPEG", "TIFF")
        return 1 if small and plain else 0


def _with_suffix(path: Path, tmp: Path) -> Path:
    """Stored originals are named by their hash, without a suffix: give OCRmyPDF one it understands."""
    if path.suffix.lower() in IMAGE_SUFFIXES + (".pdf",):
        return path
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = ".pdf" if head.startswith(b"%PDF") else ""
    if not suffix:
        with _open_image(path, MAX_IMAGE_PIXELS) as img:
            suffix = {"PNG": ".png", "JPEG": ".jpg", "TIFF": ".tif"}.get(img.format or "", ".png")
    link = tmp / f"original{suffix}"
    try:
        link.hardlink_to(path)
    except OSError:
        shutil.copyfile(path, link)
    return link


def ocr_file(path: Path, settings: Settings, *, engine: str, pdfa_out: Path | None = None) -> OcrResult:
    """Text per page for a scanned PDF or an image; writes the PDF/A copy to `pdfa_out` when given.
    `engine` is a name the engine room chose (the appliance's `ocr_engine_name`): the hardware is
    probed there, once, never here."""
    with tempfile.TemporaryDirectory(prefix="belfort-ocr-") as tmp:
        path = _with_suffix(path, Path(tmp))
        pdf = path
        if path.suffix.lower() in IMAGE_SUFFIXES:
            frames = _simple_image_frames(path)
            if frames == 1:  # OCRmyPDF takes a plain image as it is; no text layer to look at
                layer = [""]
            else:
                pdf = Path(tmp) / "pages.pdf"
                images_to_pdf(path, pdf)
                layer = [""] * len(_text_layer(pdf))
        else:
            layer = _text_layer(pdf)
        min_q = settings.ocr.min_text_quality
        usable = [bool(t.strip()) and text_quality(t) >= min_q for t in layer]
        if all(usable) and pdfa_out is None:
            return OcrResult("text_layer", [OcrPageResult(i + 1, t, text_quality(t), "text_layer")
                                            for i, t in enumerate(layer)])
        engines, choices = [engine] * len(layer), [""] * len(layer)
        try:
            if engine == "rapidocr":
                texts, confs = _rapidocr_pages(pdf, Path(tmp), usable, layer)
                pdfa = None
            else:
                texts, confs, pdfa = _tesseract_pages(pdf, settings, pdfa_out, n_pages=len(layer))
                if engine == "auto":
                    from appliance.ocr.auto import auto_pages

                    texts, confs, engines, choices = auto_pages(pdf, Path(tmp), usable, texts, confs,
                                                                tuple(settings.ocr.languages))
        except ModelError as exc:
            raise BelfortError(exc.code, exc.message, hint=exc.hint, status=503) from None
    pages = [
        OcrPageResult(i + 1, layer[i], text_quality(layer[i]), "text_layer") if usable[i] else
        OcrPageResult(i + 1, texts[i], confs[i], "ocr", engines[i], choices[i])
        for i in range(len(layer))
    ]
    return OcrResult(engine, pages, pdfa)


def _tesseract_pages(pdf: Path, settings: Settings, pdfa_out: Path | None, *,
                     n_pages: int) -> tuple[list[str], list[float], Path | None]:
    from models.tesseract import TesseractOcr

    out = pdfa_out or pdf.with_name("ocr-output.pdf")
    result = TesseractOcr(settings.ocr.languages).ocr_pdf(pdf, out, pdfa=settings.ocr.pdfa)
    texts = (result.pages + [""] * n_pages)[:n_pages]
    # OCRmyPDF reports no word confidences through its API: estimate from the text itself.
    return texts, [text_quality(t) for t in texts], (out if pdfa_out else None)


def _rapidocr_pages(pdf: Path, tmp: Path, usable: list[bool], layer: list[str]) -> tuple[list[str], list[float]]:
    import pypdfium2 as pdfium

    from models.registry import build_ocr

    engine = build_ocr("rapidocr")
    if pdf.suffix.lower() in IMAGE_SUFFIXES:
        page = engine.ocr_image(pdf)
        return [page.text], [page.confidence]
    texts, confs = [], []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for i, page in enumerate(doc):
            if usable[i]:
                texts.append(layer[i])
                confs.append(1.0)
                continue
            image = tmp / f"page-{i + 1}.png"
            page_image(page).save(image)
            result = engine.ocr_image(image)
            texts.append(result.text)
            confs.append(result.confidence)
    finally:
        doc.close()
    return texts, confs
