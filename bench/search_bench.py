"""Search latency at 10k and 100k chunks: Belfort's search() next to raw FAISS, raw FTS5 and raw bm25s.

    .venv/bin/python bench/search_bench.py [--sizes 10000 100000] [--queries 200]

Chunks are synthetic but shaped like real ones: ~130 words of Dutch-like text drawn from a
Zipf-distributed vocabulary (so common words are common, as in real text), in 4 collections.
Vectors are random unit vectors (the embedder is a stand-in whose cost is ~0, so the figures are
the search machinery's; `bench/embed_bench.py` gives e5's query-embedding time to add on top).
The raw baselines do the same work without Belfort: FAISS IndexFlatIP over all vectors, an FTS5
bm25() query on the same table, and bm25s over the same texts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appliance.access.principals import SYSTEM, Principal
from appliance.context import open_appliance
from appliance.index.sync import reindex
from appliance.index.text import fts_match_expression, query_terms
from appliance.search.query import search
from appliance.settings import build_settings

DIM = 384
ONSETS = ["b", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "st", "sch", "gr", "br",
          "kl", "pr", "tr", "vr", "sp", "bl", "dr"]
VOWELS = ["a", "e", "i", "o", "u", "aa", "ee", "oo", "ij", "ui", "ie", "ou", "eu", "oe", "é"]
CODAS = ["", "n", "r", "l", "k", "t", "s", "ng", "nd", "rt", "ld", "cht", "m"]
SUFFIXES = ["", "", "", "en", "ing", "ingen", "heid", "lijk", "te", "de", "er", "s"]
COMMON = ["de", "het", "een", "van", "en", "in", "op", "te", "dat", "voor", "met", "is", "aan", "door", "bij", "zijn", "wordt", "worden", "als", "ook", "of", "niet", "gemeente", "raad", "college", "besluit", "reglement", "dienst", "stad", "burgemeester", "schepen"]


class RandomEmbedder:
    """Unit vectors seeded from the text: deterministic, ~free, 384 dims like e5."""

    id = "bench:random@384"
    dim = DIM

    def _vecs(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            out[i] = np.random.default_rng(seed).standard_normal(DIM)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    embed_passages = _vecs
    embed_queries = _vecs


def vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    words: dict[str, None] = dict.fromkeys(COMMON)
    while len(words) < size:
        n = int(rng.integers(1, 4))
        w = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(n))
        words[w + str(rng.choice(SUFFIXES))] = None
    return list(words)


def make_texts(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    vocab = vocabulary(rng, 30_000)
    ranks = np.arange(1, len(vocab) + 1)
    p = 1.0 / ranks**1.07
    p /= p.sum()
    texts = []
    for _ in range(n):
        idx = rng.choice(len(vocab), size=int(rng.integers(90, 170)), p=p)
        words = [vocab[i] for i in idx]
        texts.append(" ".join(words).capitalize() + ".")
    return texts, vocab


def build(data_dir: Path, texts: list[str]) -> object:
    settings = build_settings([{"data_dir": str(data_dir), "models_dir": str(data_dir / "models"),
                                "profile": "test", "search": {"embedder": "fake"}}])
    app = open_appliance(settings, embedder=RandomEmbedder())
    per_doc = 10
    with app.db.begin() as conn:  # bulk insert straight into SQLite: this bench measures search, not ingest
        raw = conn.connection.driver_connection
        raw.executemany("INSERT INTO collection (id, name, title, description, route_department, route_mailbox, "
                        "settings_json, created_at) VALUES (?, ?, ?, '', '', '', '{}', '2026-01-01')",
                        [(c, f"c{c}", f"Collectie {c}") for c in range(1, 5)])
        raw.execute("INSERT INTO \"group\" (id, name, description) VALUES (1, 'g1', '')")
        raw.executemany("INSERT INTO collectiongroup (collection_id, group_id) VALUES (?, 1)", [(1,), (2,)])
        docs, versions, chunks = [], [], []
        for d in range(len(texts) // per_doc):
            coll = d % 4 + 1
            docs.append((d + 1, coll, f"doc{d}.pdf", f"Document {d}", d + 1))
            versions.append((d + 1, d + 1, coll, f"h{d}"))
            for k in range(per_doc):
                cid = d * per_doc + k + 1
                t = texts[cid - 1]
                chunks.append((cid, d + 1, d + 1, coll, k, t, k + 1, 0, len(t), "nl"))
        raw.executemany("INSERT INTO document (id, collection_id, source_path, title, kind, mime, language, "
                        "state, state_detail, current_version_id, meta, created_at, updated_at) VALUES "
                        "(?, ?, ?, ?, 'pdf', '', 'nl', 'ingested', '', ?, '{}', '2026-01-01', '2026-01-01')", docs)
        raw.executemany("INSERT INTO documentversion (id, document_id, collection_id, number, content_hash, "
                        "stored_path, size, pages, chunker_version, created_at) VALUES "
                        "(?, ?, ?, 1, ?, '', 0, 10, '1', '2026-01-01')", versions)
        raw.executemany("INSERT INTO chunk (id, version_id, document_id, collection_id, ordinal, text, page, "
                        "char_start, char_end, language, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", chunks)
    return app


def percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def timed(fn: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    for q in queries[:5]:
        fn(q)  # warm caches
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return percentiles(out)


def run(size: int, n_queries: int) -> dict[str, object]:
    texts, vocab = make_texts(size)
    rng = np.random.default_rng(11)
    mid = vocab[50:5000]  # content words: neither stopwords nor hapaxes
    queries = [" ".join(rng.choice(mid, size=int(rng.integers(2, 5)))) for _ in range(n_queries)]
    with tempfile.TemporaryDirectory(prefix="belfort-bench-") as tmp:
        t0 = time.perf_counter()
        app = build(Path(tmp), texts)
        counts = reindex(app)  # type: ignore[arg-type]
        build_s = time.perf_counter() - t0
        staff = Principal(user_id=1, username="staff", role="staff", group_ids=frozenset({1}))
        res: dict[str, object] = {"chunks": size, "build_s": round(build_s, 1), "indexed": counts["chunks"]}
        res["belfort_hybrid_admin"] = timed(lambda q: search(app, SYSTEM, q), queries)  # type: ignore[arg-type]
        res["belfort_hybrid_staff"] = timed(lambda q: search(app, staff, q), queries)  # type: ignore[arg-type]
        res["belfort_keyword"] = timed(lambda q: search(app, SYSTEM, q, mode="keyword"), queries)  # type: ignore[arg-type]
        res["belfort_vector"] = timed(lambda q: search(app, SYSTEM, q, mode="vector"), queries)  # type: ignore[arg-type]

        import faiss

        emb = RandomEmbedder()
        flat = faiss.IndexFlatIP(DIM)
        flat.add(emb.embed_passages(texts))
        res["raw_faiss"] = timed(lambda q: flat.search(emb.embed_queries([q]), 50), queries)
        db = sqlite3.connect(Path(tmp) / "belfort.sqlite3")
        res["raw_fts5"] = timed(lambda q: db.execute(
            "SELECT rowid, bm25(chunk_fts) s FROM chunk_fts WHERE chunk_fts MATCH ? ORDER BY s LIMIT 50",
            (fts_match_expression(query_terms(q)),)).fetchall(), queries)

        import bm25s

        retriever = bm25s.BM25()
        retriever.index([t.lower().split() for t in texts], show_progress=False)
        res["raw_bm25s"] = timed(lambda q: retriever.retrieve([q.lower().split()], k=50, show_progress=False),
                                 queries)
        raw_pair = (res["raw_faiss"][1] + res["raw_fts5"][1])  # type: ignore[index]
        res["ratio_p95_hybrid_vs_raw_faiss_plus_fts5"] = round(res["belfort_hybrid_admin"][1] / raw_pair, 2)  # type: ignore[index]
        res["ratio_p95_hybrid_vs_raw_faiss_plus_bm25s"] = round(
            res["belfort_hybrid_admin"][1] / (res["raw_faiss"][1] + res["raw_bm25s"][1]), 2)  # type: ignore[index]
        db.close()
        return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    for size in args.sizes:
        res = run(size, args.queries)
        print(f"\n== {size:,} chunks (built and indexed in {res['build_s']} s) ==  p50 / p95 ms")
        for key, value in res.items():
            if isinstance(value, tuple):
                print(f"  {key:28} {value[0]:8.1f} {value[1]:8.1f}")
        print(f"  p95 ratio hybrid / (raw FAISS + raw FTS5):  {res['ratio_p95_hybrid_vs_raw_faiss_plus_fts5']}")
        print(f"  p95 ratio hybrid / (raw FAISS + raw bm25s): {res['ratio_p95_hybrid_vs_raw_faiss_plus_bm25s']}")
        print(json.dumps({k: v for k, v in res.items()}))


if __name__ == "__main__":
    main()
