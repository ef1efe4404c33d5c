"""Keyword query latency on both stores: SQLite FTS5 against PostgreSQL's postings (issue 16).

    .venv/bin/python bench/keyword_backends.py [--documents 1000] [--chunks-per-document 3] [--rounds 5]
        [--pg-url postgresql+psycopg://...] [--json]

The same synthetic Dutch/French world on both (tests/keyword_world.py: two collections, seeded mixed
sentences), a fifth of the documents given their own readers. Each round runs every query of
tests.keyword_world.QUERIES as an admin (collections only) and as a staff reader (collection plus
document readers): the keyword ranking alone (top 50, as search asks for it) and the whole keyword-mode
`search` (ranking, hydration, snippets, relevance weights). Without --pg-url a throwaway PostgreSQL
server is started in a temp dir (Debian's postgresql package). Prints p50/p95 in ms per store, and
whether both stores returned the same top 50 with the same scores for every query (ties aside).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine
from sqlmodel import SQLModel

from appliance import access
from appliance.access.principals import Principal
from appliance.db.engine import read_session, write_session
from appliance.db.pg_keywords import PG_KEYWORD_DDL
from appliance.index.acl import ReadScope
from appliance.index.keywords import keyword_index
from appliance.index.text import keyword_terms
from appliance.search.query import search
from tests import keyword_world
from tests.conftest import make_settings


def _percentiles(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2),
            "n": len(ms)}


def _world(kind: str, root: Path, args: argparse.Namespace) -> keyword_world.KeywordWorld:
    if kind == "postgresql" and args.pg_url:
        engine = create_engine(args.pg_url)
        SQLModel.metadata.create_all(engine)
        with engine.begin() as conn:
            for ddl in PG_KEYWORD_DDL:
                conn.exec_driver_sql(ddl)
        keyword_world.keyword_engine = lambda _k, _p: engine  # type: ignore[assignment]
    (root / kind).mkdir()
    started = time.perf_counter()
    world = keyword_world.build_world(kind, root / kind, args.documents, args.chunks_per_document)
    world.settings = make_settings(root / kind)
    rng = random.Random(3)
    with write_session(world.engine) as s:
        for d in world.documents:
            if rng.random() < 0.2:
                allow = [f"g{world.groups['ga' if rng.random() < 0.5 else 'gb']}"]
                access.set_document_readers(s, d, [(k, "") for k in allow])
    if kind == "postgresql":  # the steady state: autovacuum has analysed the tables and set the visibility map
        with world.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    print(f"{kind}: {len(world.chunks)} chunks indexed in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return world


def _untied(ranked: list[tuple[int, float]]) -> list[tuple[float, int]]:
    """The ranking as (score, id) sorted by score then id, less the group tied with the last row
    (which of equal scores makes the cut is either store's choice)."""
    rows = sorted((-round(s, 9), c) for c, s in ranked)
    return [r for r in rows if r[0] != rows[-1][0]] if len(rows) >= 50 else rows


def _run(world: keyword_world.KeywordWorld, rounds: int) -> tuple[dict[str, Any], dict[str, list[tuple[float, int]]]]:
    admin = ReadScope(tuple(world.collections.values()), None)
    staff = Principal(900, "staff", "staff", frozenset({world.groups["ga"]}))
    with read_session(world.engine) as s:
        scopes = {"admin": admin, "staff": access.read_scope(s, staff)}
    rank_ms: list[float] = []
    search_ms: list[float] = []
    tops: dict[str, list[tuple[float, int]]] = {}
    for _ in range(rounds):
        for name, scope in scopes.items():
            for q in keyword_world.QUERIES:
                with read_session(world.engine) as s:
                    t = time.perf_counter()
                    ranked = keyword_index(s).rank(s, scope, keyword_terms(q), 50)
                    rank_ms.append((time.perf_counter() - t) * 1000)
                tops[f"{name}:{q}"] = _untied(ranked)
                if name == "staff":
                    t = time.perf_counter()
                    search(world, staff, q, mode="keyword", limit=10)  # type: ignore[arg-type]
                    search_ms.append((time.perf_counter() - t) * 1000)
    return {"keyword_ranking": _percentiles(rank_ms), "keyword_search": _percentiles(search_ms)}, tops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--chunks-per-document", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg-url", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out: dict[str, Any] = {"documents": args.documents, "queries": len(keyword_world.QUERIES)}
    tops: dict[str, dict[str, list[tuple[float, int]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("sqlite", "postgresql"):
            world = _world(kind, Path(tmp), args)
            out["chunks"] = len(world.chunks)
            _run(world, 1)  # warm caches and plans
            out[kind], tops[kind] = _run(world, args.rounds)
            world.engine.dispose()
    out["same_ranking"] = all(tops["sqlite"][k] == tops["postgresql"][k] for k in tops["sqlite"])
    if args.json:
        print(json.dumps(out))
        return
    for kind in ("sqlite", "postgresql"):
        for what, fig in out[kind].items():
            print(f"{kind:10} {what:16} p50 {fig['p50_ms']:7.2f} ms   p95 {fig['p95_ms']:7.2f} ms   (n={fig['n']})")
    print(f"chunks {out['chunks']}, same top 50 and scores on both stores (ties aside): {out['same_ranking']}")


if __name__ == "__main__":
    main()
