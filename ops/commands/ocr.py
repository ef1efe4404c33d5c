from __future__ import annotations

import argparse
import json
from pathlib import Path

from appliance.services.ocr import ocr_file
from appliance.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ocr", help="OCR a scan or image; optionally write the searchable PDF/A copy")
    p.add_argument("file", type=Path)
    p.add_argument("--pdfa", type=Path, default=None, help="where to write the PDF/A-2b copy")
    p.add_argument("--engine", choices=["tesseract", "rapidocr"], default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    result = ocr_file(args.file, load_settings(), pdfa_out=args.pdfa, engine=args.engine)
    if args.json:
        print(json.dumps({"engine": result.engine, "pdfa": str(result.pdfa_path or ""),
                          "pages": [p.__dict__ for p in result.pages]}, ensure_ascii=False))
    else:
        for page in result.pages:
            print(f"--- page {page.number} ({page.source}, confidence {page.confidence:.2f})")
            print(page.text)
    return 0
