"""Search p95 with document-level permissions next to today's (collection permissions only), at 100k chunks.

    .venv/bin/python bench/doc_acl_bench.py [--size 100000] [--queries 200] [--restricted 0.5]

The corpus is bench/search_bench.py's (synthetic Dutch-like chunks, random vectors, 4 collections, a
staff reader of collections 1 and 2). First the staff reader searches as today. Then a share of the
documents (--restricted) get their own readers the way a share crawl sets them: half of those name
one of the reader's groups, half only groups the reader is not in, and one in ten of the readable
ones also denies one of the reader's groups; the reader is in 50 groups. The same queries run again.
The ratio is p95(with document permissions) / p95(today); the target is <= 1.20. The set of a reader's
hidden chunks (the vector filter) is memoised per reader and checked against the database every
search; "first search after a change" clears it before every query (the cold figure).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appliance.access.principals import Principal
from appliance.index.keywords import refresh_document_scope
from appliance.index.sync import reindex
from appliance.search.query import search
from bench.search_bench import build, make_texts, timed


def restrict(app: object, share: float, seed: int = 5) -> dict[str, int]:
    """Give `share` of the documents their own readers (straight into SQLite, then the FTS scope)."""
    rng = np.random.default_rng(seed)
    with app.db.begin() as conn:  # type: ignore[attr-defined]
        raw = conn.connection.driver_connection
        raw.executemany('INSERT INTO "group" (id, name, description) VALUES (?, ?, \'\')',
                        [(g, f"g{g}") for g in range(2, 200)])
        docs = [r[0] for r in raw.execute("SELECT id FROM document")]
        chosen = [d for d in docs if rng.random() < share]
        acl, readers = [], []
        counts = {"restricted": len(chosen), "readable": 0, "hidden": 0, "denied": 0}
        for d in chosen:
            acl.append((d, "share:bench", "[]", "2026-01-01"))
            if rng.random() < 0.5:
                readers.append((d, "g1", 0))
                readers.append((d, f"g{int(rng.integers(150, 199))}", 0))
                if rng.random() < 0.1:
                    readers.append((d, "g100", 1))
                    counts["denied"] += 1
                else:
                    counts["readable"] += 1
            else:
                readers.append((d, f"g{int(rng.integers(150, 199))}", 0))
                counts["hidden"] += 1
        raw.executemany("INSERT INTO documentacl (document_id, source, unresolved, updated_at) VALUES (?, ?, ?, ?)", acl)
        raw.executemany("INSERT INTO documentreader (document_id, principal, deny, sid) VALUES (?, ?, ?, '')", readers)
    from appliance.db.engine import write_session

    with write_session(app.db) as s:  # type: ignore[attr-defined]
        refresh_document_scope(s, chosen)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--restricted", type=float, default=0.5)
    args = parser.parse_args()
    texts, vocab = make_texts(args.size)
    rng = np.random.default_rng(11)
    mid = vocab[50:5000]
    queries = [" ".join(rng.choice(mid, size=int(rng.integers(2, 5)))) for _ in range(args.queries)]
    staff = Principal(user_id=1, username="staff", role="staff", group_ids=frozenset({1, *range(100, 149)}))
    with tempfile.TemporaryDirectory(prefix="belfort-acl-bench-") as tmp:
        t0 = time.perf_counter()
        app = build(Path(tmp), texts)
        reindex(app)  # type: ignore[arg-type]
        print(f"built and indexed {args.size:,} chunks in {time.perf_counter() - t0:.1f} s")
        today = timed(lambda q: search(app, staff, q), queries)  # type: ignore[arg-type]
        before = {q: {h.document_id for h in search(app, staff, q).hits} for q in queries[:20]}  # type: ignore[arg-type]
        t1 = time.perf_counter()
        counts = restrict(app, args.restricted)
        print(f"document readers set on {counts['restricted']:,} documents in {time.perf_counter() - t1:.1f} s: {counts}")
        with_acl = timed(lambda q: search(app, staff, q), queries)  # type: ignore[arg-type]
        from appliance.index import acl

        def cold(q: str) -> object:
            acl._HIDDEN_CACHE.clear()  # a reader's first search after a permission change
            return search(app, staff, q)  # type: ignore[arg-type]

        first_search = timed(cold, queries)
        full = [len(search(app, staff, q, limit=10).hits) for q in queries[:50]]  # type: ignore[arg-type]
        changed = sum(1 for q in queries[:20] if {h.document_id for h in search(app, staff, q).hits} != before[q])  # type: ignore[arg-type]
    ratio = round(with_acl[1] / today[1], 3)
    print("                                  p50 ms    p95 ms")
    print(f"  today (collections only)   {today[0]:9.1f} {today[1]:9.1f}")
    print(f"  with document permissions  {with_acl[0]:9.1f} {with_acl[1]:9.1f}")
    print(f"  ... first search after a change {first_search[0]:9.1f} {first_search[1]:9.1f}")
    print(f"  p95 ratio: {ratio}  (target <= 1.20); first search after a change: "
          f"{round(first_search[1] / today[1], 3)}")
    print(f"  queries whose hits changed (restricted documents left out): {changed}/20; "
          f"hits per query stay full: min {min(full)} of 10")
    print(json.dumps({"chunks": args.size, "today_p50_p95": today, "acl_p50_p95": with_acl, "ratio_p95": ratio,
                      "restricted": counts, "first_search_p50_p95": first_search}))


if __name__ == "__main__":
    main()
