from __future__ import annotations

import argparse
import json
from pathlib import Path

from appliance.settings import load_settings
from ops.commands._common import appliance_from, ocr_engine


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ocr", help="OCR a scan or image, or every stored document waiting for OCR")
    p.add_argument("file", type=Path, nargs="?", help="a scanned PDF or image (omit with --pending)")
    p.add_argument("--pending", action="store_true", help="OCR the documents in state needs_ocr")
    p.add_argument("--pdfa", type=Path, default=None, help="where to write the PDF/A-2b copy of FILE")
    p.add_argument("--engine", choices=["tesseract", "rapidocr", "auto"], default=None,
                   help="auto: chosen per page; default: the engine this machine's settings pick")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.pending:
        from appliance.documents import ocr_pending

        outcomes = ocr_pending(appliance_from(args))
        for o in outcomes:
            print(json.dumps(o.__dict__) if args.json else
                  f"document {o.document_id}: {o.state} {o.pages} pages {o.code} {o.message}".rstrip())
        return 1 if any(o.state in ("needs_ocr", "failed") for o in outcomes) else 0
    if args.file is None:
        print("give a FILE or --pending")
        return 2
    from appliance.ocr import ocr_file

    settings = load_settings(args.config and Path(args.config))
    result = ocr_file(args.file, settings, pdfa_out=args.pdfa, engine=ocr_engine(settings, args.engine))
    if args.json:
        print(json.dumps({"engine": result.engine, "pdfa": str(result.pdfa_path or ""),
                          "pages": [p.__dict__ for p in result.pages]}, ensure_ascii=False))
    else:
        for page in result.pages:
            read_by = f", {page.engine}" if page.engine else ""
            print(f"--- page {page.number} ({page.source}{read_by}, confidence {page.confidence:.2f})")
            if page.choice:
                print(f"    ({page.choice})")
            print(page.text)
    return 0
