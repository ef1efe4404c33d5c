"""The default VectorIndex: one FAISS index per collection, versioned by a manifest.

One index per collection makes the permission filter structural: a search only ever opens the
indices of the collections the caller may read, so an unreadable vector is never even scored.
Files: `<index_dir>/<collection_id>.faiss` and `<index_dir>/manifest.json`. Writes are atomic
(temp file + os.replace), so a crash leaves the previous file or the new one, never half of one.
Another process (the worker) may rewrite a file; a reader reloads it when its mtime changes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any

import faiss
import numpy as np

from appliance.index.base import as_query, as_rows, manifest_for
from appliance.storage.files import atomic_write_bytes

if TYPE_CHECKING:
    from models.base import Embedder

# One query at a time is searched; OpenMP thread teams per call cost more than they save on a small
# box and collapse under load (measured: 27 ms vs <1 ms per collection on 2 busy cores).
faiss.omp_set_num_threads(1)
MANIFEST = "manifest.json"


class FaissIndex:
    """VectorIndex on FAISS flat inner-product indices, one file per collection."""

    def __init__(self, index_dir: Path, embedder: Embedder) -> None:
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.dim = int(embedder.dim)
        self._lock = threading.RLock()
        self._indices: dict[int, Any] = {}
        self._loaded_mtime: dict[int, int] = {}
        self._dirty: set[int] = set()

    # --- manifest ------------------------------------------------------------------------------

    def expected_manifest(self) -> dict[str, Any]:
        return manifest_for(self.embedder.id, self.dim)

    def read_manifest(self) -> dict[str, Any] | None:
        try:
            data = json.loads((self.index_dir / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def manifest_matches(self) -> bool:
        found = self.read_manifest()
        if found is None:
            return False
        return all(found.get(k) == v for k, v in self.expected_manifest().items())

    def _write_manifest(self) -> None:
        data = self.expected_manifest()
        data["collections"] = {str(cid): int(self._indices[cid].ntotal) for cid in sorted(self._indices)}
        atomic_write_bytes(self.index_dir / MANIFEST, json.dumps(data, indent=2).encode("utf-8"))

    # --- files -----------------------------------------------------------------------------------

    def path_for(self, collection_id: int) -> Path:
        return self.index_dir / f"{int(collection_id)}.faiss"

    def has_collection(self, collection_id: int) -> bool:
        return self.path_for(collection_id).is_file()

    def _new_index(self) -> Any:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def _get(self, collection_id: int, create: bool) -> Any | None:
        """The collection's index, (re)loaded from disk when another process rewrote it."""
        cid = int(collection_id)
        path = self.path_for(cid)
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            mtime = None
        if cid in self._indices and (cid in self._dirty or mtime is None or mtime == self._loaded_mtime.get(cid)):
            return self._indices[cid]
        if mtime is not None:
            try:
                index = faiss.read_index(str(path))
            except RuntimeError:  # corrupt file: treat as absent; ensure_index rebuilds it
                index = None
            if index is not None and index.d == self.dim:
                self._indices[cid] = index
                self._loaded_mtime[cid] = mtime
                return index
        if cid in self._indices and cid in self._dirty:
            return self._indices[cid]
        if not create:
            self._indices.pop(cid, None)
            return None
        self._indices[cid] = self._new_index()
        self._loaded_mtime.pop(cid, None)
        return self._indices[cid]

    # --- operations ------------------------------------------------------------------------------

    def add(self, collection_id: int, ids: Sequence[int], vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        id_arr, vecs = as_rows(ids, vectors, self.dim)
        with self._lock:
            index = self._get(collection_id, create=True)
            assert index is not None  # create=True always gives one
            index.remove_ids(id_arr)  # re-adding a chunk replaces its vector instead of duplicating it
            index.add_with_ids(vecs, id_arr)
            self._dirty.add(int(collection_id))

    def remove(self, collection_id: int, ids: Sequence[int]) -> None:
        if len(ids) == 0:
            return
        with self._lock:
            index = self._get(collection_id, create=False)
            if index is not None:
                index.remove_ids(np.asarray(ids, dtype=np.int64))
                self._dirty.add(int(collection_id))

    def drop(self, collection_id: int) -> None:
        """Forget a collection's vectors (memory and file)."""
        with self._lock:
            cid = int(collection_id)
            self._indices[cid] = self._new_index()
            self._dirty.add(cid)

    def ids(self, collection_id: int) -> set[int]:
        with self._lock:
            index = self._get(collection_id, create=False)
            if index is None:
                return set()
            return set(faiss.vector_to_array(index.id_map).tolist())

    def count(self, collection_id: int) -> int:
        with self._lock:
            index = self._get(collection_id, create=False)
            return 0 if index is None else int(index.ntotal)

    def search(self, collection_ids: Iterable[int], qvec: np.ndarray, k: int,
               exclude: AbstractSet[int] | None = None) -> list[tuple[int, float]]:
        """Top-k (chunk_id, cosine) over ONLY the given collections: the permission filter; `exclude`
        is a FAISS ID selector, so excluded chunks are skipped inside the scan, not after it."""
        q = as_query(qvec, self.dim)
        params = batch = None
        if exclude:
            # the inner selector is kept in a local: the Not selector does not own it
            batch = faiss.IDSelectorBatch(np.fromiter(exclude, dtype=np.int64, count=len(exclude)))
            params = faiss.SearchParameters(sel=faiss.IDSelectorNot(batch))  # type: ignore[call-arg]
        hits: list[tuple[int, float]] = []
        with self._lock:
            for cid in sorted({int(c) for c in collection_ids}):
                index = self._get(cid, create=False)
                if index is None or index.ntotal == 0:
                    continue
                scores, ids = index.search(q, min(k, int(index.ntotal)), params=params)
                hits += [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:k]

    def save(self) -> None:
        """Write changed indices and the manifest atomically."""
        with self._lock:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            for cid in sorted(self._dirty):
                data = faiss.serialize_index(self._indices[cid]).tobytes()
                path = self.path_for(cid)
                atomic_write_bytes(path, data)
                self._loaded_mtime[cid] = path.stat().st_mtime_ns
            self._dirty.clear()
            for path in self.index_dir.glob("*.faiss"):  # the manifest lists every collection on disk
                if path.stem.isdigit():
                    self._get(int(path.stem), create=False)
            self._write_manifest()

    def reset(self) -> None:
        """Delete every index file and the manifest (a full rebuild follows)."""
        with self._lock:
            for path in self.index_dir.glob("*.faiss"):
                path.unlink(missing_ok=True)
            (self.index_dir / MANIFEST).unlink(missing_ok=True)
            self._indices.clear()
            self._loaded_mtime.clear()
            self._dirty.clear()
