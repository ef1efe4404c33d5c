from __future__ import annotations

import argparse
import json
from pathlib import Path

from appliance.evaluation import evaluate_ocr
from appliance.settings import load_settings
from ops.commands._common import ocr_engine


def register(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser("ocr", help="CER and pages/min of Belfort's OCR next to raw OCRmyPDF")
    p.add_argument("folder", type=Path, help="page images or PDFs, each with a .txt ground truth")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--engine", choices=["tesseract", "rapidocr"], default=None)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    result = evaluate_ocr(args.folder, settings, limit=args.limit, engine=ocr_engine(settings, args.engine))
    if args.json:
        print(json.dumps(result))
    else:
        for key in ("belfort", "ocrmypdf"):
            r = result[key]
            print(f"{key:9s} CER {r['cer']:.4f}  {r['pages_per_min']:.1f} pages/min")
        print(f"overhead {result['overhead']:+.1%} on {result['n_pages']} pages")
    return 0
