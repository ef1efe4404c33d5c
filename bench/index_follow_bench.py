"""What following the change log costs a web node (appliance.index.follow), on SQLite, fake embedder.

    python bench/index_follow_bench.py [--chunks 20000] [--json]

Figures: a new node repairing its index from the chunks (embedding everything), a second new node
reading the vectors the first one shared (chunk_vector), the median step when nothing changed (the
cost of polling every cluster.follow_seconds), and one step after 100 new chunks.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.context import Appliance, open_appliance
from appliance.db.engine import write_session
from appliance.db.tables import Chunk, Document, DocumentVersion
from appliance.documents.ingest import ensure_collection
from appliance.index.faiss_index import FaissIndex
from appliance.index.follow import IndexFollower
from appliance.settings import build_settings
from models.fakes import FakeEmbedder


def _add(app: Appliance, coll: int, n: int, start: int) -> None:
    with write_session(app.db) as s:
        for d in range(start, start + n // 10):
            doc = Document(collection_id=coll, source_path=f"d{d}.txt")
            s.add(doc)
            s.flush()
            v = DocumentVersion(document_id=doc.id, collection_id=coll, content_hash=f"h{d}")  # type: ignore[arg-type]
            s.add(v)
            s.flush()
            s.add_all([Chunk(version_id=v.id, document_id=doc.id, collection_id=coll,  # type: ignore[arg-type]
                             text=f"tekst {d} deel {k} over parkeren") for k in range(10)])


def _node(settings: object, folder: Path) -> IndexFollower:
    app = Appliance(settings, embedder=FakeEmbedder())  # type: ignore[arg-type]
    app.use_index(FaissIndex(folder / "index", app.embedder))
    return IndexFollower(app, folder / "index" / "follow.json")


def _timed(follower: IndexFollower) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    report = follower.step()
    return round((time.perf_counter() - started) * 1000, 1), report.as_dict()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--chunks", type=int, default=20000)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="belfort-follow-bench-"))
    settings = build_settings([{"data_dir": str(root / "data"), "profile": "test", "search": {"embedder": "fake"},
                                "llm": {"engine": "none"}}])
    app = open_appliance(settings, embedder=FakeEmbedder())
    coll = int(ensure_collection(app, "bench").id or 0)
    _add(app, coll, args.chunks, 0)
    first, second = _node(settings, root / "web1"), _node(settings, root / "web2")
    out: dict[str, object] = {"chunks": args.chunks}
    out["fresh_repair_ms"], rep = _timed(first)
    out["fresh_repair_embedded"] = rep["embedded"]
    out["second_node_ms"], rep = _timed(second)
    out["second_node_embedded"], out["second_node_reused"] = rep["embedded"], rep["reused"]
    out["idle_step_ms_median"] = statistics.median(_timed(first)[0] for _ in range(20))
    _add(app, coll, 100, 10**6)
    out["step_after_100_new_ms"], rep = _timed(first)
    out["step_after_100_new_embedded"] = rep["embedded"]
    print(json.dumps(out, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
