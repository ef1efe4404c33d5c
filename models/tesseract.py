"""Tesseract OCR: single images through the tesseract CLI (word confidences from its TSV), whole
documents through OCRmyPDF, which also writes the searchable PDF/A-2b archival copy."""

from __future__ import annotations

import csv
import functools
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.base import ModelError, OcrPage

PAGE_BREAK = "\f"


def tesseract_languages() -> set[str]:
    exe = shutil.which("tesseract")
    if exe is None:
        return set()
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False).stdout
    return {line.strip() for line in out.splitlines()[1:] if line.strip()}


def _tessdata_dir() -> Path | None:
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    done = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False)
    match = re.search(r'"([^"]+)"', done.stdout + done.stderr)
    return Path(match.group(1)) if match else None


@functools.lru_cache(maxsize=4)
def tesseract_lexicon(languages: tuple[str, ...]) -> frozenset[str]:
    """The words (lower case) of the dictionaries inside Tesseract's own language data, unpacked with
    the tools the tesseract-ocr package ships (combine_tessdata, dawg2wordlist); a few seconds, once per
    process. Empty where a tool or a language file is missing: callers then judge words by their shape."""
    folder = _tessdata_dir()
    tools = shutil.which("combine_tessdata"), shutil.which("dawg2wordlist")
    if folder is None or None in tools:
        return frozenset()
    words: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="belfort-lexicon-") as tmp:
        for lang in languages:
            data = folder / f"{lang}.traineddata"
            if not data.is_file():
                continue
            prefix = Path(tmp) / f"{lang}."
            subprocess.run([str(tools[0]), "-u", str(data), str(prefix)], capture_output=True, timeout=60,
                           check=False)
            listing = Path(tmp) / f"{lang}.words"
            subprocess.run([str(tools[1]), f"{prefix}lstm-unicharset", f"{prefix}lstm-word-dawg", str(listing)],
                           capture_output=True, timeout=60, check=False)
            if listing.is_file():
                words.update(w.lower() for w in listing.read_text("utf-8", errors="replace").split())
    return frozenset(words)


def require_languages(languages: Sequence[str]) -> None:
    if shutil.which("tesseract") is None:
        raise ModelError("ocr.missing_engine", "tesseract is not installed",
                         hint="apt-get install tesseract-ocr tesseract-ocr-nld tesseract-ocr-fra")
    missing = [lang for lang in languages if lang not in tesseract_languages()]
    if missing:
        pkgs = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise ModelError("ocr.missing_language", f"tesseract language data missing: {', '.join(missing)}",
                         hint=f"apt-get install {pkgs}")


@dataclass
class PdfOcrResult:
    pages: list[str]  # text per page, in order
    output: Path  # the searchable PDF/A


class TesseractOcr:
    name = "tesseract"

    def __init__(self, languages: Sequence[str] = ("nld", "fra"), *, jobs: int = 1, timeout: float = 180.0):
        self.languages = tuple(languages)
        self.jobs = jobs
        self.timeout = timeout

    def ocr_image(self, image: Path, *, languages: Sequence[str] = ()) -> OcrPage:
        langs = tuple(languages) or self.languages
        require_languages(langs)
        proc = subprocess.run(
            ["tesseract", str(image), "stdout", "-l", "+".join(langs), "tsv"],
            capture_output=True, text=True, timeout=self.timeout, check=False,
        )
        if proc.returncode != 0:
            raise ModelError("ocr.failed", "tesseract could not read the image", hint=proc.stderr[-300:])
        return _page_from_tsv(proc.stdout)

    def ocr_pdf(self, source: Path, output: Path, *, languages: Sequence[str] = (),
                pdfa: bool = True) -> PdfOcrResult:
        """OCR every page, deskew and rotate, and write a searchable PDF/A-2b to `output`.
        Returns each page's text."""
        import ocrmypdf  # heavy import, only where OCR runs

        langs = tuple(languages) or self.languages
        require_languages(langs)
        with tempfile.TemporaryDirectory(prefix="belfort-ocr-") as tmp:
            sidecar = Path(tmp) / "sidecar.txt"
            kwargs: dict[str, Any] = {
                "language": list(langs), "output_type": "pdfa-2" if pdfa else "pdf", "sidecar": sidecar,
                "rotate_pages": True, "deskew": True, "jobs": self.jobs, "progress_bar": False,
                "tesseract_timeout": self.timeout,
            }
            # Always rasterise and OCR (force): Debian 12's Ghostscript 10.0.0 corrupts PDFs in OCRmyPDF's
            # skip-text mode, which therefore refuses it. Callers keep the text of pages whose own text
            # layer was good, so nothing is lost by forcing.
            kwargs["force_ocr"] = True
            if source.suffix.lower() in (".png", ".jpg", ".jpeg", ".tif", ".tiff"):
                kwargs["image_dpi"] = 300  # scanners that omit the DPI tag; ignored when present
            try:
                code = ocrmypdf.ocr(source, output, **kwargs)
            except ocrmypdf.exceptions.EncryptedPdfError:
                raise ModelError("ocr.encrypted", "the PDF is encrypted",
                                 hint="ask the sender for an unprotected copy") from None
            except ocrmypdf.exceptions.ExitCodeException as exc:
                raise ModelError("ocr.failed", f"OCRmyPDF failed: {type(exc).__name__}",
                                 hint=str(exc)[:300]) from None
            if int(code) != 0:
                raise ModelError("ocr.failed", f"OCRmyPDF exit code {int(code)}")
            pages = sidecar.read_text("utf-8", errors="replace").split(PAGE_BREAK)
        if pages and not pages[-1].strip():
            pages = pages[:-1]
        return PdfOcrResult(pages=[p.strip() for p in pages], output=output)


def _page_from_tsv(tsv: str) -> OcrPage:
    lines: dict[tuple[str, str, str], list[str]] = {}
    confs: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        key = (row["block_num"], row["par_num"], row["line_num"])
        lines.setdefault(key, []).append(word)
        confs.append(max(0.0, float(row["conf"])) / 100.0)
    text = "\n".join(" ".join(words) for words in lines.values())
    return OcrPage(number=1, text=text, confidence=sum(confs) / len(confs) if confs else 0.0,
                   engine="tesseract")
