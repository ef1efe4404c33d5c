"""Vectors shared through the database (`chunk_vector`): the first web node that needs a chunk's vector
embeds it and stores it; every other node (and a node rebuilding its index) reads it instead of
embedding again. Keyed by embedder id, so another model never reuses a vector; a stored vector of the
wrong size is ignored. A vector goes with its chunk (ON DELETE CASCADE), so erasure leaves none behind.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import col

from appliance.db.engine import read_session, write_session
from appliance.db.tables import ChunkVector
from appliance.index.sync import EMBED_BATCH, SQL_BATCH, _batches

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from appliance.index.base import VectorIndex
    from models.base import Embedder

log = logging.getLogger(__name__)

Row = tuple[int, int, str, str]  # chunk id, collection id, indexed text, language


@dataclass
class Filled:
    embedded: int = 0  # vectors this node computed
    reused: int = 0  # vectors read from the database


def _stored(db: Engine, embedder_id: str, dim: int, chunk_ids: Sequence[int]) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    with read_session(db) as s:
        for batch in _batches(list(chunk_ids), SQL_BATCH):
            q = select(col(ChunkVector.chunk_id), col(ChunkVector.vector)).where(
                col(ChunkVector.embedder) == embedder_id, col(ChunkVector.chunk_id).in_(batch))
            for cid, blob in s.execute(q):
                if blob is not None and len(blob) == dim * 4:
                    out[int(cid)] = np.frombuffer(bytes(blob), dtype="<f4")
    return out


def _store(db: Engine, embedder_id: str, ids: Sequence[int], vectors: np.ndarray) -> None:
    """Insert, keeping a row another node wrote first; a chunk deleted meanwhile is simply skipped."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if db.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ChunkVector).on_conflict_do_nothing()
    rows = [{"chunk_id": int(c), "embedder": embedder_id, "vector": np.asarray(v, dtype="<f4").tobytes()}
            for c, v in zip(ids, vectors, strict=True)]
    try:
        with write_session(db) as s:
            s.execute(statement, rows)
    except (IntegrityError, OperationalError) as exc:  # a chunk erased meanwhile; the next node embeds it
        log.info("vectors not shared this time: %s", type(exc).__name__)


def fill(db: Engine, backend: tuple[Embedder, VectorIndex], rows: Sequence[Row], *, share: bool = True) -> Filled:
    """Put the vectors of `rows` into the index: read from the database where stored, else embed them
    (and store them there when `share`)."""
    embedder, index = backend
    done = Filled()
    if not rows:
        return done
    have = _stored(db, embedder.id, index.dim, [r[0] for r in rows]) if share else {}
    todo = [r for r in rows if r[0] not in have]
    for i in range(0, len(todo), EMBED_BATCH):
        part = todo[i : i + EMBED_BATCH]
        vectors = np.asarray(embedder.embed_passages([r[2] for r in part]), dtype=np.float32)
        have.update({r[0]: v for r, v in zip(part, vectors, strict=True)})
        if share:
            _store(db, embedder.id, [r[0] for r in part], vectors)
        done.embedded += len(part)
    by_collection: dict[int, list[int]] = defaultdict(list)
    for cid, coll, _, _ in rows:
        by_collection[coll].append(cid)
    for coll, ids in by_collection.items():
        index.add(coll, ids, np.stack([have[c] for c in ids]))
    done.reused = len(rows) - done.embedded
    return done
