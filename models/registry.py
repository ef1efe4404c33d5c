"""Engine name -> factory, heavy imports inside the factories.

An unknown name lists the available ones; an engine whose files are absent raises ModelError
naming the file to provision and its sha256 (from the catalog).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from models.base import Embedder, ModelError


def _e5(model_dir: Path, **kw: Any) -> Embedder:
    from models.e5 import E5Embedder

    return E5Embedder(model_dir, **kw)


def _sentence_tf(model_dir: Path, **kw: Any) -> Embedder:
    from models.sentence_tf import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model_dir, **kw)


def _fake(model_dir: Path, **kw: Any) -> Embedder:
    from models.fakes import FakeEmbedder

    return FakeEmbedder(**kw)


EMBEDDERS: dict[str, Callable[..., Embedder]] = {
    "e5": _e5,
    "sentence-transformers": _sentence_tf,
    "fake": _fake,
}


F = TypeVar("F", bound=Callable[..., Any])


def pick(table: dict[str, F], kind: str, name: str) -> F:
    try:
        return table[name]
    except KeyError:
        raise ModelError(
            f"{kind}.unknown_engine",
            f"unknown {kind} engine '{name}'",
            hint="available: " + ", ".join(sorted(table)),
        ) from None


def build_embedder(name: str, model_dir: Path, **kw: Any) -> Embedder:
    return pick(EMBEDDERS, "embedder", name)(model_dir, **kw)
