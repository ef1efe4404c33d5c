"""A VectorIndex in memory: numpy brute force, for tests of the code around the index.

It keeps the protocol's rules (replace on re-add, ties by chunk id, changes durable only after
`save()`), so the contract suite runs it beside FAISS; "saved" here means kept in this object.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

import numpy as np

from appliance.index.base import as_query, as_rows, manifest_for

if TYPE_CHECKING:
    from models.base import Embedder


class MemoryIndex:
    """VectorIndex on dicts of numpy rows; search scores every vector of the given collections."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.dim = int(embedder.dim)
        self._lock = threading.RLock()
        self._live: dict[int, dict[int, np.ndarray]] = {}
        self._saved: dict[int, dict[int, np.ndarray]] = {}
        self._manifest: dict[str, Any] | None = None

    def expected_manifest(self) -> dict[str, Any]:
        return manifest_for(self.embedder.id, self.dim)

    def manifest_matches(self) -> bool:
        return self._manifest == self.expected_manifest()

    def has_collection(self, collection_id: int) -> bool:
        return int(collection_id) in self._saved

    def add(self, collection_id: int, ids: Sequence[int], vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        id_arr, vecs = as_rows(ids, vectors, self.dim)
        with self._lock:
            rows = self._live.setdefault(int(collection_id), {})
            rows.update(zip(id_arr.tolist(), vecs.copy()))

    def remove(self, collection_id: int, ids: Sequence[int]) -> None:
        with self._lock:
            rows = self._live.get(int(collection_id), {})
            for i in ids:
                rows.pop(int(i), None)

    def drop(self, collection_id: int) -> None:
        with self._lock:
            self._live[int(collection_id)] = {}

    def ids(self, collection_id: int) -> set[int]:
        with self._lock:
            return set(self._live.get(int(collection_id), {}))

    def count(self, collection_id: int) -> int:
        with self._lock:
            return len(self._live.get(int(collection_id), {}))

    def search(self, collection_ids: Iterable[int], qvec: np.ndarray, k: int,
               exclude: AbstractSet[int] | None = None) -> list[tuple[int, float]]:
        q = as_query(qvec, self.dim)[0]
        skip = exclude or set()
        with self._lock:
            items = [(i, v) for c in sorted({int(c) for c in collection_ids})
                     for i, v in self._live.get(c, {}).items() if i not in skip]
        if not items or k <= 0:
            return []
        scores = np.stack([v for _, v in items]) @ q
        hits = [(int(i), float(s)) for (i, _), s in zip(items, scores)]
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:k]

    def save(self) -> None:
        with self._lock:
            self._saved = {c: dict(rows) for c, rows in self._live.items()}
            self._manifest = self.expected_manifest()

    def reset(self) -> None:
        with self._lock:
            self._live.clear()
            self._saved.clear()
            self._manifest = None
