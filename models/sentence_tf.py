"""Any provisioned sentence-transformers model folder, on CPU, strictly offline."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.base import ModelError
from models.catalog import file_sha256

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class SentenceTransformerEmbedder:
    """Embedder protocol over sentence_transformers.SentenceTransformer(local folder, device='cpu')."""

    dim: int
    id: str

    def __init__(self, model_dir: Path, *, batch_size: int = 32, threads: int = 0) -> None:
        folder = Path(model_dir)
        weights = next((folder / f for f in WEIGHT_FILES if (folder / f).is_file()), None)
        if not (folder / "modules.json").is_file() or weights is None:
            raise ModelError(
                "embedder.missing_weights",
                f"no sentence-transformers model in {folder}",
                hint="provision a model folder (modules.json and model.safetensors), e.g. with "
                "belfort models import DIR",
            )
        # Never reach for the Hub: every file must already be in the folder.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError("embedder.engine_missing", f"sentence-transformers cannot load: {exc}",
                             hint="install torch==2.13.0 (CPU) and sentence-transformers==6.2.0") from None
        if threads:
            torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dim = int(dim) if dim else int(self._model.encode(["x"]).shape[1])
        self.sha256 = file_sha256(weights)
        self.id = f"sentence-transformers:{folder.name}@{self.sha256[:12]}"
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return np.ascontiguousarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)
