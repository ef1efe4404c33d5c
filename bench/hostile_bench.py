"""Hostile files against the cage (issue 19, findings 2 and 3): each must end in a named failure within
60 s and 1.5 GB, and the same worker must then ingest a normal document.

    .venv/bin/python bench/hostile_bench.py [--json] [--unchecked]

Cases (files made in a temporary folder, nothing downloaded):
- png-40000:   a 40000 x 40000 1-bit PNG (~280 KB): ingest (header check in the caged extractor), then
               OCR of the same file in the OCR cage (refused before decoding).
- docx-300x:   a DOCX of ~50 KB whose word/document.xml inflates 300+ times to 17 MB: ingest.
- zip-bomb:    an XLSX with a 600 MB member of zeros: ingest.
- normal:      an ordinary DOCX, ingested by the same process afterwards.
- --unchecked: also Belfort's DOCX extractor on the bomb with its archive check off, so only the cage
               stops it (the backstop when a check misses something); takes up to the cage's limits
               (60 s CPU, 120 s wall) and is reported, not judged.

Per case: wall seconds, the outcome code, peak RSS of the caged child (it reports its own high-water
mark from getrusage; the parent's extract/OCR call is repeated under a measuring wrapper for that),
and the parent's peak RSS (ru_maxrss) after the case.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_S, LIMIT_MB = 60.0, 1536


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measured(func: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Runs in the caged child: the outcome code and the child's own peak RSS and CPU time."""
    code = "ok"
    try:
        func(*args, **kwargs)
    except MemoryError:
        code = "ingest.memory_limit"
    except Exception as exc:  # noqa: BLE001 - the bench reports every outcome
        code = getattr(exc, "code", type(exc).__name__)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"child_code": code, "child_peak_mb": round(usage.ru_maxrss / 1024, 1),
            "child_cpu_s": round(usage.ru_utime + usage.ru_stime, 2)}


def unchecked_docx(path: Path) -> int:
    """Belfort's DOCX extractor with its archive check switched off (in this child only): what the
    cage alone does with the bomb."""
    from ingest.extract import office

    office.check_archive = lambda *args, **kwargs: None  # type: ignore[assignment]
    return len(office.extract_docx(path, "").text)


def _child_figures(limits: Any, func: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    from ingest.cage import run_caged
    from ingest.types import IngestError

    start = time.monotonic()
    try:
        figures = run_caged(limits, measured, func, *args, **kwargs)
    except IngestError as exc:  # killed before it could report (a signal, the wall clock)
        figures = {"child_code": exc.code, "child_peak_mb": None, "child_cpu_s": None}
    figures["child_wall_s"] = round(time.monotonic() - start, 2)
    return figures


def run(unchecked: bool) -> list[dict[str, Any]]:
    from appliance.cage import ingest_limits
    from appliance.context import open_appliance
    from appliance.documents.ingest import ensure_collection, ingest_file
    from appliance.ocr.caged import ocr_caged, ocr_limits
    from appliance.ocr.engine import ocr_file
    from ingest.extract import extract
    from models.fakes import FakeEmbedder
    from tests import hostilefactory as hf
    from tests.conftest import make_settings
    from tests.filefactory import make_docx

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="belfort-hostile-") as tmp:
        folder = Path(tmp)
        settings = make_settings(folder)
        app = open_appliance(settings, embedder=FakeEmbedder())
        ensure_collection(app, "raad")
        files = {
            "png-40000": hf.png_bomb(folder / "scan.png", 40000, 40000),
            "docx-300x": hf.docx_xml_bomb(folder / "bom.docx"),
            "zip-bomb": hf.zip_bomb_member(folder / "bom.xlsx", "xlsx", megabytes=600),
            "normal": make_docx(folder / "gewoon.docx"),
        }
        for name, path in files.items():
            row: dict[str, Any] = {"case": name, "file_kb": round(path.stat().st_size / 1024, 1)}
            row.update(_child_figures(ingest_limits(settings), extract, path))
            copy = folder / "in" / path.name
            copy.parent.mkdir(exist_ok=True)
            copy.write_bytes(path.read_bytes())
            start = time.monotonic()
            out = ingest_file(app, copy, "raad", keep_source=False)
            row.update(ingest_s=round(time.monotonic() - start, 2), ingest_state=out.state, code=out.code,
                       parent_peak_mb=round(_rss_mb(), 1))
            rows.append(row)
        png = files["png-40000"]
        start = time.monotonic()
        try:
            ocr_caged(settings, png)
            code = "ok"
        except Exception as exc:  # noqa: BLE001
            code = getattr(exc, "code", type(exc).__name__)
        row = {"case": "ocr-png-40000", "file_kb": round(png.stat().st_size / 1024, 1), "code": code,
               "ocr_s": round(time.monotonic() - start, 2)}
        row.update(_child_figures(ocr_limits(settings), ocr_file, png, settings, engine="tesseract"))
        row["parent_peak_mb"] = round(_rss_mb(), 1)
        rows.append(row)
        if unchecked:
            row = {"case": "docx-300x-unchecked", "backstop": True}  # informative: not in the verdict
            row.update(_child_figures(ingest_limits(settings), unchecked_docx, files["docx-300x"]))
            rows.append(row)
        again = ingest_file(app, make_docx(folder / "daarna.docx", ["Nog een gewoon document."]), "raad")
        rows.append({"case": "normal-after-all", "ingest_state": again.state, "parent_peak_mb": round(_rss_mb(), 1)})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--unchecked", action="store_true", help="also python-docx on the bomb, cage only")
    args = parser.parse_args()
    rows = run(args.unchecked)
    ok = True
    for row in rows:
        seconds = max(row.get(k) or 0 for k in ("ingest_s", "ocr_s", "child_wall_s"))
        peaks = [row.get("child_peak_mb") or 0, row.get("parent_peak_mb") or 0]
        row["within_limits"] = seconds < LIMIT_S and max(peaks) < LIMIT_MB
        ok = ok and (row["within_limits"] or row.get("backstop", False))
        print(json.dumps(row) if args.json else "  ".join(f"{k}={v}" for k, v in row.items()))
    ok = ok and rows[-1]["ingest_state"] == "ingested"
    print(json.dumps({"all_within_limits": ok}) if args.json else f"all within 60 s and 1.5 GB: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
