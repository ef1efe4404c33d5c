"""Keep the derived indices (the keyword index: FTS5 on SQLite, postings on PostgreSQL, see
appliance.index.keywords; FAISS vectors) in step with the chunks in the database.

SQLite is the source of truth. Callers index chunks after they are committed; whatever a crash or
an engine change leaves out of step, `ensure_index` repairs from SQLite and `reindex` rebuilds.
The embedder is optional: without it the keyword index is still maintained and search degrades
to keyword mode. The functions take any `IndexHost` (the running Appliance is one): the index
layer sits below the appliance context and never imports it.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text as sql

from appliance.db.engine import read_session, write_session
from appliance.index.acl import chunk_scope_texts
from appliance.index.keywords import keyword_index
from appliance.index.text import analyze

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from appliance.index.base import VectorIndex
    from models.base import Embedder

log = logging.getLogger(__name__)

SQL_BATCH = 500  # ids per IN (...) list: far below SQLite's variable limit
EMBED_BATCH = 64

# A chunk is searchable when it is active and its document is not retired. What is indexed (keywords
# and vectors) is its heading path, then its text: a row of a table far down a page is still found
# under its page's title and section.
# A newline literal, not char(10): SQLite's char() is chr() on PostgreSQL.
INDEXED_TEXT = "CASE WHEN c.context != '' THEN c.context || '\n' || c.text ELSE c.text END"
ACTIVE_CHUNKS = (
    f"SELECT c.id, c.collection_id, {INDEXED_TEXT}, c.language "
    "FROM chunk c JOIN document d ON d.id = c.document_id WHERE c.active = TRUE AND d.state != 'retired'"
)


class IndexHost(Protocol):
    """What the sync functions use: the database, and the embedder and index (which may fail to load)."""

    @property
    def db(self) -> Engine: ...

    @property
    def embedder(self) -> Embedder: ...

    @property
    def index(self) -> VectorIndex: ...


def _batches(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _in(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids)  # ints only: safe to inline


def vector_backend(app: IndexHost) -> tuple[Embedder, VectorIndex] | None:
    """The embedder and the vector index, or None when the embedder cannot load (keyword-only mode)."""
    try:
        return app.embedder, app.index
    except Exception as exc:  # noqa: BLE001  (a missing or broken model must never take search down)
        log.warning("vector search unavailable: %s", getattr(exc, "code", type(exc).__name__))
        return None


def _vector_writer(app: IndexHost) -> tuple[Embedder, VectorIndex] | None:
    """The backend the writers below use; None where web nodes follow the change log (scale-out:
    cluster.follow_index), so that a worker embeds nothing for an index nobody searches."""
    cluster = getattr(getattr(app, "settings", None), "cluster", None)
    return None if getattr(cluster, "follow_index", False) else vector_backend(app)


def _active_rows(app: IndexHost, chunk_ids: Sequence[int]) -> list[tuple[int, int, str, str]]:
    rows: list[tuple[int, int, str, str]] = []
    with read_session(app.db) as s:
        for batch in _batches(list(chunk_ids), SQL_BATCH):
            rows += s.execute(sql(f"{ACTIVE_CHUNKS} AND c.id IN ({_in(batch)})")).all()
    return rows


def _write_fts(app: IndexHost, rows: Sequence[tuple[int, int, str, str]], delete_ids: Sequence[int]) -> None:
    with write_session(app.db) as s:
        scopes = chunk_scope_texts(s, [(r[0], r[1]) for r in rows]) if rows else {}
        keyword_index(s).write(s, [(r[0], r[1], analyze(r[2], r[3]), scopes[r[0]]) for r in rows], delete_ids)


def _embed_into(backend: tuple[Embedder, VectorIndex], rows: Sequence[tuple[int, int, str, str]]) -> int:
    embedder, index = backend
    by_collection: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for cid, coll, body, _lang in rows:
        by_collection[coll].append((cid, body))
    done = 0
    for coll, items in by_collection.items():
        for i in range(0, len(items), EMBED_BATCH):
            part = items[i : i + EMBED_BATCH]
            vectors = embedder.embed_passages([t for _, t in part])
            index.add(coll, [c for c, _ in part], vectors)
            done += len(part)
    return done


def index_chunks(app: IndexHost, chunk_ids: list[int]) -> None:
    """Put committed chunks into the keyword and vector indices (inactive ones are taken out)."""
    if not chunk_ids:
        return
    rows = _active_rows(app, chunk_ids)
    inactive = sorted(set(chunk_ids) - {r[0] for r in rows})
    _write_fts(app, rows, chunk_ids)
    backend = _vector_writer(app)
    if backend is None:
        return
    if inactive:
        _remove_vectors(app, backend[1], inactive)
    try:
        _embed_into(backend, rows)
    finally:
        backend[1].save()


def _remove_vectors(app: IndexHost, index: VectorIndex, chunk_ids: Sequence[int]) -> None:
    by_collection: dict[int, list[int]] = defaultdict(list)
    with read_session(app.db) as s:
        for batch in _batches(list(chunk_ids), SQL_BATCH):
            for cid, coll in s.execute(sql(f"SELECT id, collection_id FROM chunk WHERE id IN ({_in(batch)})")):
                by_collection[coll].append(cid)
    for coll, ids in by_collection.items():
        index.remove(coll, ids)


def unindex_chunks(app: IndexHost, chunk_ids: list[int]) -> None:
    """Take chunks out of both indices (retired versions, deleted documents)."""
    if not chunk_ids:
        return
    _write_fts(app, [], chunk_ids)
    backend = _vector_writer(app)
    if backend is not None:
        _remove_vectors(app, backend[1], chunk_ids)
        backend[1].save()


def _all_active(app: IndexHost) -> list[tuple[int, int, str, str]]:
    with read_session(app.db) as s:
        return list(s.execute(sql(ACTIVE_CHUNKS + " ORDER BY c.id")).all())


def _active_ids_by_collection(app: IndexHost) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    with read_session(app.db) as s:
        q = ACTIVE_CHUNKS.replace(f"{INDEXED_TEXT}, c.language", "0, ''")
        for cid, coll, _, _ in s.execute(sql(q)):
            out[coll].add(cid)
        for (coll,) in s.execute(sql("SELECT id FROM collection")):
            out.setdefault(coll, set())
    return out


def ensure_index(app: IndexHost) -> dict[str, Any]:
    """Repair the indices from the database: rebuild on manifest mismatch, a missing file or missing ids."""
    report: dict[str, Any] = {"fts_added": 0, "rebuilt": [], "vectors_added": 0, "vectors_removed": 0}
    with read_session(app.db) as s:
        q = ACTIVE_CHUNKS.replace(f"{INDEXED_TEXT}, c.language", "0, ''")
        indexed = keyword_index(s).indexed_ids_sql()
        active = f"SELECT a.id FROM ({q}) AS a"  # set differences: no NOT IN over a million ids
        missing_fts = sorted(int(r[0]) for r in s.execute(sql(f"{active} EXCEPT {indexed}")))
        stale_fts = sorted(int(r[0]) for r in s.execute(sql(f"{indexed} EXCEPT {active}")))
    if missing_fts or stale_fts:
        _write_fts(app, _active_rows(app, missing_fts), missing_fts + stale_fts)
        report["fts_added"] = len(missing_fts)
    backend = _vector_writer(app)
    if backend is None:
        report["vectors"] = "unavailable"
        return report
    index = backend[1]
    if not index.manifest_matches():
        report.update(_rebuild_vectors(app, backend))
        report["rebuilt"] = ["all"]
        return report
    wanted = _active_ids_by_collection(app)
    for coll, ids in sorted(wanted.items()):
        if not index.has_collection(coll) and ids:
            index.drop(coll)
            present: set[int] = set()
            report["rebuilt"].append(coll)
        else:
            present = index.ids(coll)
        extra = sorted(present - ids)
        missing = sorted(ids - present)
        if extra:
            index.remove(coll, extra)
            report["vectors_removed"] += len(extra)
        if missing:
            report["vectors_added"] += _embed_into(backend, _active_rows(app, missing))
    if report["rebuilt"] or report["vectors_added"] or report["vectors_removed"]:
        index.save()
    return report


def _rebuild_vectors(app: IndexHost, backend: tuple[Embedder, VectorIndex]) -> dict[str, Any]:
    index = backend[1]
    index.reset()
    rows = _all_active(app)
    for coll in _active_ids_by_collection(app):
        index.drop(coll)  # every collection gets a file, empty ones included
    added = _embed_into(backend, rows)
    index.save()
    return {"vectors": added}


def reindex(app: IndexHost) -> dict[str, Any]:
    """Rebuild both indices from the database; returns counts."""
    started = time.monotonic()
    rows = _all_active(app)
    with write_session(app.db) as s:
        keyword_index(s).clear(s)
    _write_fts(app, rows, [])
    result: dict[str, Any] = {"chunks": len(rows), "collections": len({r[1] for r in rows}), "fts": len(rows)}
    backend = _vector_writer(app)
    if backend is None:
        result.update(vectors=0, embedder="unavailable")
    else:
        result.update(_rebuild_vectors(app, backend), embedder=backend[0].id)
    result["seconds"] = round(time.monotonic() - started, 2)
    return result
