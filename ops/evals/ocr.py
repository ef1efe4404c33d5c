from __future__ import annotations

import argparse
import json
from pathlib import Path

from appliance.ai_register import record_evaluation
from appliance.evaluation import evaluate_ocr
from appliance.settings import load_settings
from ops.commands._common import ocr_engine


def register(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser("ocr", help="CER and pages/min of Belfort's OCR next to raw OCRmyPDF")
    p.add_argument("folder", type=Path, help="page images or PDFs, each with a .txt ground truth")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--engine", choices=["tesseract", "rapidocr", "auto"], default=None,
                   help="auto: chosen per page (tesseract, rapidocr too where the page needs it); "
                   "default: the engine this machine's settings pick")
    p.add_argument("--no-baseline", action="store_true",
                   help="skip raw OCRmyPDF on the same files (its keys are then null)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    result = evaluate_ocr(args.folder, settings, limit=args.limit, engine=ocr_engine(settings, args.engine),
                          baseline=not args.no_baseline)
    record_evaluation(settings, "ocr", result, dataset=str(args.folder), model=str(result["belfort"].get("engine", "")))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    for key in ("belfort", "ocrmypdf"):
        r = result[key]
        if r is not None:
            print(f"{key:9s} CER {r['cer']:.4f}  {r['pages_per_min']:.1f} pages/min")
    engines = ", ".join(f"{name} {n}" for name, n in sorted(result["page_engines"].items()))
    print(f"engine {result['belfort']['engine']}; pages read by: {engines}")
    if result["overhead"] is not None:
        print(f"overhead {result['overhead']:+.1%} on {result['n_pages']} pages")
    return 0
