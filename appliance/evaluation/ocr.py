"""`belfort eval ocr DIR`: character error rate and pages/min for Belfort's OCR and for raw OCRmyPDF
on the same files (page images or PDFs, each with a `.txt` ground truth of the same stem)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from appliance.errors import BelfortError
from appliance.ocr import IMAGE_SUFFIXES, ocr_file
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


def evaluate_ocr(folder: Path, settings: Settings, *, engine: str, limit: int | None = None) -> dict[str, Any]:
    files = eval_files(folder)[:limit]
    totals = {"belfort": [0, 0, 0.0, 0], "ocrmypdf": [0, 0, 0.0, 0]}  # errors, chars, seconds, pages
    with tempfile.TemporaryDirectory(prefix="belfort-evalocr-") as tmp:
        for i, (path, truth) in enumerate(files):
            t0 = time.perf_counter()
            result = ocr_file(path, settings, pdfa_out=Path(tmp) / f"b{i}.pdf", engine=engine)
            seconds = time.perf_counter() - t0
            errors, chars = cer(truth, "\n".join(p.text for p in result.pages))
            row = totals["belfort"]
            row[0] += errors; row[1] += chars; row[2] += seconds; row[3] += len(result.pages)

            t0 = time.perf_counter()
            text = _raw_ocrmypdf(path, Path(tmp) / f"r{i}.pdf", Path(tmp) / f"r{i}.txt", list(settings.ocr.languages))
            seconds = time.perf_counter() - t0
            errors, chars = cer(truth, text)
            row = totals["ocrmypdf"]
            row[0] += errors; row[1] += chars; row[2] += seconds; row[3] += len(result.pages)

    def summary(row: list[Any]) -> dict[str, float]:
        return {"cer": round(row[0] / max(row[1], 1), 5), "pages_per_min": round(row[3] / row[2] * 60, 2),
                "seconds": round(row[2], 2)}

    out: dict[str, Any] = {"belfort": summary(totals["belfort"]), "ocrmypdf": summary(totals["ocrmypdf"]),
                           "n_files": len(files), "n_pages": totals["belfort"][3]}
    out["belfort"]["engine"] = engine or "auto"
    out["overhead"] = round(totals["belfort"][2] / max(totals["ocrmypdf"][2], 1e-9) - 1, 4)
    return out
