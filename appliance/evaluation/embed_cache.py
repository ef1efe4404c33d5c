"""An embedder with an on-disk vector cache, so a rerun of an evaluation does not embed the same texts again.

One file per embedder id, `<folder>/<id>.npz`, holding two arrays and nothing pickled: `keys`
(sha256 of kind + text, 32 hex) and `vecs` (float32, one row per key). Same vectors, same id:
results are unchanged. A file that cannot be read (another layout, another dimension) counts as
empty and is replaced on the next write; writes are atomic (appliance.storage.files).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from appliance.storage.files import atomic_writer
from models.base import Embedder


class CachedEmbedder:
    """Wraps `inner`; vectors are written every `flush_every` new texts and by `flush()`."""

    def __init__(self, inner: Embedder, folder: Path, *, flush_every: int = 1) -> None:
        self.inner, self.id, self.dim = inner, inner.id, inner.dim
        self.path = Path(folder) / (re.sub(r"[^\w.@-]+", "_", inner.id) + ".npz")
        self.flush_every = max(1, int(flush_every))
        self._vecs: dict[str, np.ndarray] = self._load()
        self._new = 0

    def _load(self) -> dict[str, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vecs = data["keys"], data["vecs"]
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            return {}  # absent, or not this layout: embed again
        if vecs.ndim != 2 or vecs.shape != (len(keys), self.dim):
            return {}
        return dict(zip(keys.tolist(), vecs.astype(np.float32)))

    def _embed(self, texts: Sequence[str], kind: str) -> np.ndarray:
        keys = [hashlib.sha256((kind + "\0" + t).encode()).hexdigest()[:32] for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._vecs))
        if todo:
            by_key = dict(zip(keys, texts))
            batch = [by_key[k] for k in todo]
            fresh = self.inner.embed_queries(batch) if kind == "q" else self.inner.embed_passages(batch)
            self._vecs.update(zip(todo, np.asarray(fresh, dtype=np.float32)))
            self._new += len(todo)
            if self._new >= self.flush_every:
                self.flush()
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vecs[k] for k in keys])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "q")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "p")

    def flush(self) -> None:
        """Write the cache file if new vectors came in since the last write."""
        if not self._new:
            return
        with atomic_writer(self.path, "wb") as fh:
            np.savez(fh, keys=np.array(list(self._vecs), dtype=str), vecs=np.stack(list(self._vecs.values())))
        self._new = 0
