"""Ingest pages/min for born-digital PDFs through Belfort next to the raw extraction library (pypdfium2)
on the same files. Three rows: raw pypdfium2 text; Belfort's extractor (`ingest.extract`); and the whole
ingest pipeline (hash, stored original, chunks with language, SQLite, FTS) with the embedder left out,
since embedding has its own benchmark (bench/embed_bench.py).

    python bench/ingest_bench.py [--files 20] [--pages 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from appliance.context import open_appliance
from appliance.documents.ingest import ensure_collection, ingest_file
from ingest.extract import extract
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.filefactory import make_pdf

PARAGRAPH = (
    "Het college van burgemeester en schepenen keurt het bestek goed voor de heraanleg van de "
    "Stationsstraat. De werken omvatten nieuwe voetpaden, een vrijliggend fietspad en groenzones. "
    "Le conseil communal approuve le règlement relatif au stationnement des vélos. "
)


def raw_pages(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    pages = 0
    for f in files:
        doc = pdfium.PdfDocument(str(f))
        for page in doc:
            page.get_textpage().get_text_range()
            pages += 1
        doc.close()
    return pages


def extract_pages(files: list[Path]) -> int:
    return sum(len(extract(f).pages) for f in files)


def ingest_pages(files: list[Path], tmp: Path) -> int:
    app = open_appliance(make_settings(tmp / f"run{time.monotonic_ns()}"), embedder=FakeEmbedder())
    ensure_collection(app, "bench")
    pages = 0
    for f in files:
        outcome = ingest_file(app, f, "bench")
        assert outcome.state == "ingested", outcome
        pages += PAGES_PER_FILE
    return pages


PAGES_PER_FILE = 20


def timed(fn, *args, repeat: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    times, pages = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        pages = fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), pages


def main() -> None:
    global PAGES_PER_FILE
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    PAGES_PER_FILE = args.pages
    with tempfile.TemporaryDirectory(prefix="belfort-ingest-bench-") as tmp_name:
        tmp = Path(tmp_name)
        files = [make_pdf(tmp / "src" / f"besluit-{i:03d}.pdf",
                          [f"Besluit {i}, pagina {p + 1}.\n" + PARAGRAPH * 6 for p in range(args.pages)])
                 for i in range(args.files)]
        rows = {
            "raw pypdfium2 text": timed(raw_pages, files, repeat=args.repeat),
            "belfort extract": timed(extract_pages, files, repeat=args.repeat),
            "belfort ingest (no embedding)": timed(ingest_pages, files, tmp, repeat=args.repeat),
        }
    raw_s = rows["raw pypdfium2 text"][0]
    print(f"{args.files} PDFs x {args.pages} pages, median of {args.repeat}")
    for name, (seconds, pages) in rows.items():
        print(f"  {name:32s} {pages / seconds * 60:10.0f} pages/min   time x{seconds / raw_s:5.2f} of raw")


if __name__ == "__main__":
    main()
