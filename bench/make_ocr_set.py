"""Render council texts to scan-like A4 pages (300 dpi, light noise, blur, skew) with exact ground truth,
as input for `belfort eval ocr DIR` and bench/ocr_bench.py.

    python bench/make_ocr_set.py ../shared/eval/council OUT_DIR [--pages-per-file 1] [--styles clean,faded,photo]

`--styles` cycles through render styles file by file: clean (a good office scan), faded (low contrast:
grey ink on grey paper, softer focus) and photo (a phone picture: uneven light, grain, JPEG).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.scanfactory import write_page

STYLES: dict[str, dict[str, object]] = {
    "clean": {},
    "faded": {"ink": 115, "paper": 185, "blur": 1.1},
    "photo": {"photo": 0.9, "blur": 1.0, "skew_deg": 1.5},
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("source", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages-per-file", type=int, default=1)
    ap.add_argument("--chars-per-page", type=int, default=2200)
    ap.add_argument("--styles", default="clean", help="comma-separated, cycled per file: " + ", ".join(STYLES))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    styles = [STYLES[name] for name in args.styles.split(",")]
    n = 0
    for i, txt in enumerate(sorted(args.source.glob("*.txt"))):
        text = txt.read_text("utf-8")
        for page in range(args.pages_per_file):
            chunk = text[page * args.chars_per_page:(page + 1) * args.chars_per_page]
            if len(chunk.strip()) < 200:
                break
            write_page(args.out / f"{txt.stem}-p{page + 1}.png", chunk, seed=i * 100 + page, **styles[i % len(styles)])
            n += 1
    print(f"wrote {n} pages to {args.out}")


if __name__ == "__main__":
    main()
