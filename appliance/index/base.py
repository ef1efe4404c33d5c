"""The VectorIndex protocol: vectors of chunks, one set per collection, searched by cosine.

SQLite is the source of truth; an index only holds what `appliance.index.sync` puts in it and can
always be rebuilt from there. One set per collection makes the permission filter structural: a
search only opens the collections it is given. Implementations: `FaissIndex` (the default, files
in the data folder) and `MemoryIndex` (numpy brute force, for tests). Vectors are L2-normalised
float32, so the inner product is the cosine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, Protocol, runtime_checkable

import numpy as np

FORMAT_VERSION = 1


class DimensionMismatch(ValueError):
    """Vectors whose shape does not fit the index (another embedder, or ids and rows that differ)."""


def chunker_version() -> str:
    from ingest.chunk import CHUNKER_VERSION

    return str(CHUNKER_VERSION)


def manifest_for(embedder_id: str, dim: int) -> dict[str, Any]:
    """What an index must have been built with to be used as is (else it is rebuilt from SQLite)."""
    return {"format": FORMAT_VERSION, "embedder": embedder_id, "dim": int(dim), "chunker": chunker_version()}


def as_rows(ids: Sequence[int], vectors: Any, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids as int64, vectors as contiguous float32 of shape (len(ids), dim)); DimensionMismatch if not."""
    vecs = np.ascontiguousarray(vectors, dtype=np.float32)
    if vecs.ndim == 1 and len(ids) == 1:
        vecs = vecs.reshape(1, -1)
    if vecs.shape != (len(ids), dim):
        raise DimensionMismatch(f"{len(ids)} ids need vectors of shape ({len(ids)}, {dim}); got {vecs.shape}")
    return np.asarray(ids, dtype=np.int64), vecs


def as_query(qvec: Any, dim: int) -> np.ndarray:
    """One query vector as a (1, dim) float32 row; DimensionMismatch if it has another size."""
    q = np.ascontiguousarray(qvec, dtype=np.float32)
    if q.size != dim or q.ndim > 2:
        raise DimensionMismatch(f"a query vector needs {dim} values; got shape {q.shape}")
    return q.reshape(1, dim)


@runtime_checkable
class VectorIndex(Protocol):
    """Chunk vectors per collection. Changes are in memory until `save()` makes them durable."""

    dim: int

    def add(self, collection_id: int, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Put vectors under chunk ids; a chunk id already present gets its vector replaced."""
        ...

    def remove(self, collection_id: int, ids: Sequence[int]) -> None:
        """Take chunk ids out of a collection (unknown ids are ignored)."""
        ...

    def drop(self, collection_id: int) -> None:
        """Empty a collection; after `save()` it exists, with no vectors."""
        ...

    def ids(self, collection_id: int) -> set[int]: ...

    def count(self, collection_id: int) -> int: ...

    def search(self, collection_ids: Iterable[int], qvec: np.ndarray, k: int,
               exclude: AbstractSet[int] | None = None) -> list[tuple[int, float]]:
        """Top-k (chunk_id, cosine) over ONLY the given collections, best first, ties by chunk id;
        chunk ids in `exclude` (unreadable documents) are never candidates, so k stays k."""
        ...

    def save(self) -> None:
        """Make every change durable and record the manifest."""
        ...

    def reset(self) -> None:
        """Forget every collection and the manifest (a full rebuild follows)."""
        ...

    def has_collection(self, collection_id: int) -> bool:
        """Whether a saved copy of the collection exists (False: never saved, or lost)."""
        ...

    def manifest_matches(self) -> bool:
        """Whether the saved index was built by this embedder, dimension, chunker and format."""
        ...
