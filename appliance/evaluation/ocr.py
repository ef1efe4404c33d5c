"""`belfort eval ocr DIR`: character error rate and pages/min for Belfort's OCR and for raw OCRmyPDF
on the same files (page images or PDFs, each with a `.txt` ground truth of the same stem)."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from appliance.errors import BelfortError
from appliance.ocr import IMAGE_SUFFIXES, OcrResult, ocr_file
from appliance.settings import Settings


def normalise(text: str) -> str:
    return " ".join(text.split())


def cer(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance, reference length) over whitespace-normalised text."""
    from rapidfuzz.distance import Levenshtein

    ref, hyp = normalise(reference), normalise(hypothesis)
    return Levenshtein.distance(ref, hyp), len(ref)


def eval_files(folder: Path) -> list[tuple[Path, str]]:
    files = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in IMAGE_SUFFIXES + (".pdf",) and path.with_suffix(".txt").exists():
            files.append((path, path.with_suffix(".txt").read_text("utf-8")))
    if not files:
        raise BelfortError("eval.no_files", f"no page image or PDF with a .txt beside it in {folder}",
                           hint="each page.png (or doc.pdf) needs page.txt (doc.txt) with the true text")
    return files


def _raw_ocrmypdf(source: Path, out: Path, sidecar: Path, languages: list[str]) -> str:
    import ocrmypdf

    kwargs: dict[str, Any] = {"language": languages, "output_type": "pdfa-2", "sidecar": sidecar,
                              "rotate_pages": True, "deskew": True, "force_ocr": True, "jobs": 1,
                              "progress_bar": False}
    if source.suffix.lower() != ".pdf":
        kwargs["image_dpi"] = 300
    ocrmypdf.ocr(source, out, **kwargs)
    return sidecar.read_text("utf-8", errors="replace").replace("\f", "\n")


def evaluate_ocr(folder: Path, settings: Settings, *, engine: str, limit: int | None = None,
                 baseline: bool = True) -> dict[str, Any]:
    """CER and pages/min of Belfort's OCR with `engine` (tesseract | rapidocr | auto) and, unless
    `baseline` is off, of raw OCRmyPDF on the same files; `per_file` shows which engine read each page."""
    files = eval_files(folder)[:limit]
    totals = {"belfort": [0, 0, 0.0, 0], "ocrmypdf": [0, 0, 0.0, 0]}  # errors, chars, seconds, pages
    per_file: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="belfort-evalocr-") as tmp:
        for i, (path, truth) in enumerate(files):
            t0 = time.perf_counter()
            result = ocr_file(path, settings, pdfa_out=Path(tmp) / f"b{i}.pdf", engine=engine)
            seconds = time.perf_counter() - t0
            text = "\n".join(p.text for p in result.pages)
            errors, chars = cer(truth, text)
            _add(totals["belfort"], errors, chars, seconds, len(result.pages))
            per_file.append(_file_row(path, errors, chars, seconds, result))
            if baseline:
                t0 = time.perf_counter()
                raw = _raw_ocrmypdf(path, Path(tmp) / f"r{i}.pdf", Path(tmp) / f"r{i}.txt",
                                    list(settings.ocr.languages))
                errors, chars = cer(truth, raw)
                _add(totals["ocrmypdf"], errors, chars, time.perf_counter() - t0, len(result.pages))
                per_file[-1]["ocrmypdf_cer"] = round(errors / max(chars, 1), 5)

    out: dict[str, Any] = {"belfort": _summary(totals["belfort"]),
                           "ocrmypdf": _summary(totals["ocrmypdf"]) if baseline else None,
                           "n_files": len(files), "n_pages": totals["belfort"][3]}
    out["belfort"]["engine"] = engine or "auto"
    out["overhead"] = (round(totals["belfort"][2] / max(totals["ocrmypdf"][2], 1e-9) - 1, 4)
                       if baseline else None)
    out["page_engines"] = dict(Counter(e for row in per_file for e in row["engines"]))
    out["per_file"] = per_file
    return out


def _add(row: list[Any], errors: int, chars: int, seconds: float, pages: int) -> None:
    row[0] += errors
    row[1] += chars
    row[2] += seconds
    row[3] += pages


def _summary(row: list[Any]) -> dict[str, float]:
    return {"cer": round(row[0] / max(row[1], 1), 5), "pages_per_min": round(row[3] / max(row[2], 1e-9) * 60, 2),
            "seconds": round(row[2], 2)}


def _file_row(path: Path, errors: int, chars: int, seconds: float, result: OcrResult) -> dict[str, Any]:
    """One file's figures, the engine that read each page (and why), and the evidence the choice saw."""
    from models.ocr_choice import page_look, text_evidence

    row: dict[str, Any] = {"file": path.name, "cer": round(errors / max(chars, 1), 5), "seconds": round(seconds, 2),
                           "engines": [p.engine or p.source for p in result.pages]}
    if any(p.choice for p in result.pages):
        row["choices"] = [p.choice for p in result.pages]
    evidence = [text_evidence(p.text) for p in result.pages]
    row["wordlike"] = [round(e.wordlike, 3) for e in evidence]
    row["score"] = [e.score for e in evidence]
    if path.suffix.lower() in IMAGE_SUFFIXES:
        from PIL import Image

        with Image.open(path) as img:
            row["look"] = asdict(page_look(img))
    return row
