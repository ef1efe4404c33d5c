"""The evaluations' embedding cache: one npz layout (keys + vecs, nothing pickled), shared by every eval."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from appliance.evaluation.embed_cache import CachedEmbedder
from models.fakes import FakeEmbedder


class Counting:
    """FakeEmbedder that records the size of every batch it is asked to embed."""

    def __init__(self, dim: int = 32) -> None:
        self.inner = FakeEmbedder(dim=dim)
        self.id, self.dim = self.inner.id, self.inner.dim
        self.calls: list[int] = []

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        self.calls.append(len(texts))
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.calls.append(len(texts))
        return self.inner.embed_passages(texts)


def test_cached_embedder_reuses_vectors(tmp_path: Path) -> None:
    inner = FakeEmbedder(dim=32)
    calls: list[int] = []

    class Counting:
        id, dim = inner.id, inner.dim

        def embed_queries(self, texts):
            calls.append(len(texts))
            return inner.embed_queries(texts)

        def embed_passages(self, texts):
            calls.append(len(texts))
            return inner.embed_passages(texts)

    first = CachedEmbedder(Counting(), tmp_path).embed_queries(["a b", "c d", "a b"])
    again = CachedEmbedder(Counting(), tmp_path).embed_queries(["c d", "a b"])
    assert calls == [2]  # the duplicate and the second run came from the cache file
    assert np.allclose(again, first[[1, 0]])
    CachedEmbedder(Counting(), tmp_path).embed_passages(["a b"])  # passages are cached apart
    assert calls == [2, 1]


def test_the_file_is_keys_and_float32_vectors_without_pickle(tmp_path: Path) -> None:
    cache = CachedEmbedder(FakeEmbedder(dim=8), tmp_path / "cache")
    vecs = cache.embed_passages(["een", "twee"])
    assert cache.path == tmp_path / "cache" / "fake_bow@8.npz"
    with np.load(cache.path, allow_pickle=False) as data:
        assert sorted(data.files) == ["keys", "vecs"]
        assert data["keys"].dtype.kind == "U" and data["vecs"].dtype == np.float32
        assert data["vecs"].shape == (2, 8) and np.allclose(np.sort(data["vecs"], 0), np.sort(vecs, 0))
    assert not [p for p in cache.path.parent.iterdir() if p != cache.path]  # no temp file left behind


def test_flush_every_batches_the_writes(tmp_path: Path) -> None:
    inner = Counting()
    cache = CachedEmbedder(inner, tmp_path, flush_every=3)
    cache.embed_passages(["a", "b"])
    assert not cache.path.exists()
    cache.embed_passages(["c"])
    assert cache.path.is_file()
    cache.embed_passages(["d"])
    cache.flush()
    again = Counting()
    CachedEmbedder(again, tmp_path).embed_passages(["a", "b", "c", "d"])
    assert again.calls == []


def test_an_unreadable_or_other_layout_file_counts_as_empty(tmp_path: Path) -> None:
    inner = Counting(dim=8)
    path = tmp_path / "fake_bow@8.npz"
    path.write_bytes(b"not a zip")
    CachedEmbedder(inner, tmp_path).embed_queries(["x"])
    np.savez(path, other=np.zeros(3))  # the old one-array-per-text layout, or anything else
    CachedEmbedder(inner, tmp_path).embed_queries(["x"])
    np.savez(path, keys=np.array(["k"]), vecs=np.zeros((1, 4), np.float32))  # another dimension
    CachedEmbedder(inner, tmp_path).embed_queries(["x"])
    assert inner.calls == [1, 1, 1]
    CachedEmbedder(inner, tmp_path).embed_queries(["x"])
    assert inner.calls == [1, 1, 1]  # the last run rewrote the file in the one layout


def test_retrieval_eval_reruns_from_the_cache(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    from appliance.evaluation.retrieval import run_retrieval_eval

    rows = [{"question": "Wat kost een parkeerkaart?", "answer": "Een parkeerkaart kost 25 euro."},
            {"question": "Wanneer is het containerpark open?", "answer": "Op zaterdag van 9 tot 16 uur."}]
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    first, again = Counting(), Counting()
    one = run_retrieval_eval(path, settings, embedder=first, log=lambda _: None, cache_dir=tmp_path / "c")
    two = run_retrieval_eval(path, settings, embedder=again, log=lambda _: None, cache_dir=tmp_path / "c")
    assert first.calls and again.calls == [] and one == two
    assert (tmp_path / "c" / "fake_bow@32.npz").is_file()
