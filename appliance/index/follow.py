"""Several web nodes, one database: each node keeps its own FAISS index in step by chunk id.

The database is the source of truth and holds a change log (`index_change`, filled by triggers in
the transaction of each chunk change; appliance.db.change_log). A node remembers, in a small file
beside its index, the highest change it applied; each `step` reads the changes after it and makes
the index agree with the chunks as they are now: a searchable chunk (active, its document not
retired) missing from the index is embedded and added, anything else named by a change is removed.
Applying a change twice does nothing, so the order of changes and a repeated step do not matter.
Chunk text never changes in place, so a chunk already in the index is never embedded again.

Holes in the sequence: on PostgreSQL a transaction takes its ids when it writes, not when it commits,
so a later id can become visible before an earlier one, and a rolled-back transaction leaves a hole
for good. A node therefore remembers the holes below its position and reads them again at each step
until they appear or `gap_seconds` (measured on this node's own clock) has passed. On SQLite (one
writer) there are none.

A node without a state file (new, or its index deleted), one whose index was built by another
embedder, and one that was away longer than the log is kept (`change_log_days`) repairs its index
from the chunks (only what is missing is embedded) and then follows from the log's end.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func
from sqlalchemy import select as rows_of
from sqlmodel import col, select

from appliance.db.engine import read_session, write_session
from appliance.db.tables import Chunk, Document, IndexChange, utcnow
from appliance.index.sync import SQL_BATCH, IndexHost, _batches, vector_backend
from appliance.index.vector_cache import Row, fill
from appliance.storage.files import atomic_write_json

if TYPE_CHECKING:
    from appliance.index.base import VectorIndex
    from models.base import Embedder

log = logging.getLogger(__name__)

STATE_FILE = "follow.json"
CHANGE_BATCH = 2000  # changes read per round; a step reads rounds until it is at the log's end
GAP_WINDOW = 10_000  # after a repair, holes are looked for this far below the log's end


@dataclass
class FollowReport:
    """What one step did: changes read, vectors embedded and removed, where it stands."""

    changes: int = 0
    embedded: int = 0  # vectors computed here
    reused: int = 0  # vectors another node had computed (chunk_vector)
    removed: int = 0
    position: int = 0
    gaps: int = 0
    repaired: str = ""  # why the index was repaired from the chunks: fresh | manifest | pruned ('' none)
    unavailable: bool = False  # no embedder: nothing to follow with

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _State:
    position: int = 0
    gaps: dict[int, float] = field(default_factory=dict)  # change id -> when this node first missed it


def _searchable(active: bool, doc_state: str) -> bool:
    return bool(active) and doc_state != "retired"


def _body(text: str, context: str) -> str:
    """What is embedded: the heading path, then the text (as appliance.index.sync indexes it)."""
    return f"{context}\n{text}" if context else text


class IndexFollower:
    """One node's follower; `step()` is safe to call from several threads (they take turns). Where it
    runs, the writers of appliance.index.sync leave vectors alone (cluster.follow_index)."""

    def __init__(self, host: IndexHost, state_path: Path, *, gap_seconds: float = 300.0, share_vectors: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.host = host
        self.share_vectors = share_vectors
        self.state_path = Path(state_path)
        self.gap_seconds = gap_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._state: _State | None = None  # read from the file once, then kept (holes keep their age)

    # --- state ---------------------------------------------------------------------------------

    def _load(self) -> _State | None:
        if self._state is not None:
            return self._state
        try:
            data = json.loads(self.state_path.read_text("utf-8"))
            now = self._clock()  # holes found before a restart get their full wait again
            return _State(int(data["position"]), {int(g): now for g in data.get("gaps", [])})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _save(self, state: _State) -> None:
        atomic_write_json(self.state_path, {"position": state.position, "gaps": sorted(state.gaps)})

    # --- the step ------------------------------------------------------------------------------

    def step(self) -> FollowReport:
        """Apply every change this node has not applied yet (or repair first, see the module)."""
        with self._lock:
            backend = vector_backend(self.host)
            if backend is None:
                return FollowReport(unavailable=True)
            state = self._load()
            why = self._repair_reason(state, backend[1])
            report = FollowReport()
            if why:
                state = self._repair(backend, why, report)
            assert state is not None
            self._state = state
            while True:
                rows = self._read(state)
                report.changes += len(rows)
                self._apply(backend, rows, report)
                fresh = self._advance(state, rows)
                if fresh < CHANGE_BATCH:
                    break
            self._save(state)
            report.position, report.gaps = state.position, len(state.gaps)
            return report

    def _repair_reason(self, state: _State | None, index: VectorIndex) -> str:
        if state is None:
            return "fresh"
        if not index.manifest_matches():
            return "manifest"
        with read_session(self.host.db) as s:
            oldest = s.exec(select(func.min(IndexChange.id))).one()
        if oldest is not None and int(oldest) > state.position + 1 and state.position > 0:
            return "pruned"  # changes this node never saw were pruned: it cannot catch up from the log
        return ""

    def _repair(self, backend: tuple[Embedder, VectorIndex], why: str, report: FollowReport) -> _State:
        index = backend[1]
        with read_session(self.host.db) as s:
            end = int(s.exec(select(func.max(IndexChange.id))).one() or 0)
            present = set(s.exec(select(IndexChange.id).where(col(IndexChange.id) > end - GAP_WINDOW)).all())
        now = self._clock()
        # ids below the end not (yet) visible: transactions still open; their changes are read later
        state = _State(end, {i: now for i in range(max(1, end - GAP_WINDOW + 1), end + 1) if i not in present})
        if why == "manifest":
            index.reset()
        report.repaired = why
        wanted = self._searchable_ids()
        for coll, ids in sorted(wanted.items()):
            have = index.ids(coll)
            extra = sorted(have - ids)
            if extra:
                index.remove(coll, extra)
                report.removed += len(extra)
            missing = sorted(ids - have)
            if missing:
                self._fill(backend, self._rows(missing), report)
            elif not index.has_collection(coll):
                index.drop(coll)  # every collection gets a file, empty ones included
        index.save()
        log.info("index repaired from the database (%s): %d embedded, %d removed", why,
                 report.embedded, report.removed)
        return state

    def _fill(self, backend: tuple[Embedder, VectorIndex], rows: list[Row], report: FollowReport) -> None:
        done = fill(self.host.db, backend, rows, share=self.share_vectors)
        report.embedded += done.embedded
        report.reused += done.reused

    def _searchable_ids(self) -> dict[int, set[int]]:
        out: dict[int, set[int]] = defaultdict(set)
        q = (rows_of(col(Chunk.id), col(Chunk.collection_id))
             .join(Document, col(Document.id) == col(Chunk.document_id))
             .where(col(Chunk.active).is_(True), col(Document.state) != "retired"))
        with read_session(self.host.db) as s:
            for cid, coll in s.execute(q):
                out[coll].add(cid)
        return out

    def _rows(self, chunk_ids: Sequence[int]) -> list[Row]:
        """(id, collection, indexed text, language) of the searchable chunks among `chunk_ids`."""
        out: list[Row] = []
        with read_session(self.host.db) as s:
            for batch in _batches(list(chunk_ids), SQL_BATCH):
                q = (rows_of(col(Chunk.id), col(Chunk.collection_id), col(Chunk.text), col(Chunk.context),
                             col(Chunk.language), col(Chunk.active), col(Document.state))
                     .join(Document, col(Document.id) == col(Chunk.document_id)).where(col(Chunk.id).in_(batch)))
                out += [(cid, coll, _body(text, ctx), lang) for cid, coll, text, ctx, lang, active, st
                        in s.execute(q) if _searchable(active, st)]
        return out

    def _read(self, state: _State) -> list[tuple[int, int, int]]:
        """(change id, chunk id, collection id): the next changes after the position, and the holes."""
        with read_session(self.host.db) as s:
            cols = (col(IndexChange.id), col(IndexChange.chunk_id), col(IndexChange.collection_id))
            q = rows_of(*cols).where(cols[0] > state.position).order_by(cols[0]).limit(CHANGE_BATCH)
            rows = [(int(a), int(b), int(c)) for a, b, c in s.execute(q)]
            for batch in _batches(sorted(state.gaps), SQL_BATCH):
                rows += [(int(a), int(b), int(c)) for a, b, c in s.execute(rows_of(*cols).where(cols[0].in_(batch)))]
        return rows

    def _apply(self, backend: tuple[Embedder, VectorIndex], rows: Iterable[tuple[int, int, int]],
               report: FollowReport) -> None:
        logged: dict[int, set[int]] = defaultdict(set)  # chunk -> collections it was logged under
        for _, chunk_id, coll in rows:
            logged[chunk_id].add(coll)
        if not logged:
            return
        index = backend[1]
        now = {r[0]: r for r in self._rows(sorted(logged))}  # the searchable ones, as they are now
        remove: dict[int, list[int]] = defaultdict(list)
        for chunk_id, colls in logged.items():
            for coll in colls:
                if chunk_id not in now or now[chunk_id][1] != coll:
                    remove[coll].append(chunk_id)
        for coll, ids in remove.items():
            present = index.ids(coll) & set(ids)
            if present:
                index.remove(coll, sorted(present))
                report.removed += len(present)
        have: dict[int, set[int]] = {}
        todo = []
        for row in now.values():
            if row[0] not in have.setdefault(row[1], index.ids(row[1])):
                todo.append(row)
        if todo:
            self._fill(backend, todo, report)
        if remove or todo:
            index.save()

    def _advance(self, state: _State, rows: Sequence[tuple[int, int, int]]) -> int:
        """Move the position past what was read; remember the holes; give up old ones. Returns how many
        rows lay past the old position (a full batch means: read on)."""
        seen = {r[0] for r in rows}
        for i in seen:
            state.gaps.pop(i, None)
        fresh = [i for i in seen if i > state.position]
        now = self._clock()
        if fresh:
            top = max(fresh)
            for i in range(state.position + 1, top):
                if i not in seen:
                    state.gaps.setdefault(i, now)
            state.position = top
        expired = [i for i, first in state.gaps.items() if now - first > self.gap_seconds]
        for i in expired:
            del state.gaps[i]
        if expired:
            log.info("%d change ids never appeared within %.0f s (rolled back): given up", len(expired),
                     self.gap_seconds)
        return len(fresh)


def prune_change_log(host: IndexHost, days: int) -> int:
    """Delete changes older than `days` (a node away longer repairs from the chunks); how many went."""
    cutoff = utcnow() - timedelta(days=days)
    with write_session(host.db) as s:
        result = s.execute(delete(IndexChange).where(col(IndexChange.at) < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)


class FollowLoop:
    """A daemon thread that steps a follower every `seconds` (the web node's background duty); an
    unreachable database is logged and tried again at the next tick, never fatal."""

    def __init__(self, follower: IndexFollower, seconds: float, *, prune_days: int = 0) -> None:
        self.follower = follower
        self.seconds = seconds
        self.prune_days = prune_days
        self.last: FollowReport | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-follow", daemon=True)
        self._pruned_at = 0.0

    def start(self) -> FollowLoop:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.last = self.follower.step()
                if self.prune_days and time.monotonic() - self._pruned_at > 3600:
                    self._pruned_at = time.monotonic()
                    prune_change_log(self.follower.host, self.prune_days)
            except Exception as exc:  # noqa: BLE001  (a database restart must not end the loop)
                log.warning("index follow step failed: %s", exc)
            self._stop.wait(self.seconds)


def start_following(host: IndexHost, index_dir: Path, *, seconds: float, gap_seconds: float,
                    prune_days: int, share_vectors: bool = True) -> FollowLoop:
    """Start this node's follow loop (`belfort serve` with cluster.follow_index); its state file lies
    beside the index it keeps."""
    follower = IndexFollower(host, Path(index_dir) / STATE_FILE, gap_seconds=gap_seconds,
                             share_vectors=share_vectors)
    return FollowLoop(follower, seconds, prune_days=prune_days).start()
