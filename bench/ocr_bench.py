"""OCR pages/min through Belfort next to raw OCRmyPDF on the same rendered pages (target overhead <= 10 %).

    python bench/ocr_bench.py [--pages 6]

Renders council texts (../shared/eval/council) to 300 dpi scan-like pages, then runs both in turn.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from appliance.evaluation.ocr import evaluate_ocr
from appliance.settings import build_settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=6)
    ap.add_argument("--source", type=Path, default=REPO.parent / "shared" / "eval" / "council")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(REPO / "bench" / "make_ocr_set.py"), str(args.source), tmp], check=True)
        r = evaluate_ocr(Path(tmp), build_settings([{"ocr": {"engine": "tesseract"}}]), limit=args.pages,
                         engine="tesseract")
    b, raw = r["belfort"], r["ocrmypdf"]
    print(f"pages: {r['n_pages']}")
    print(f"belfort   {b['pages_per_min']:7.2f} pages/min  CER {b['cer']:.4f}")
    print(f"ocrmypdf  {raw['pages_per_min']:7.2f} pages/min  CER {raw['cer']:.4f}")
    print(f"ratio belfort/raw time: {1 + r['overhead']:.3f}  (overhead {r['overhead']:+.1%}, target <= +10%)")


if __name__ == "__main__":
    main()
