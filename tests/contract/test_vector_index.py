"""One contract for every VectorIndex: FAISS (the default) and the in-memory fake, same assertions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from appliance.index.base import DimensionMismatch, VectorIndex
from appliance.index.faiss_index import FaissIndex
from appliance.index.memory_index import MemoryIndex
from models.fakes import FakeEmbedder

Make = Callable[[int], VectorIndex]


def unit(rows: list[list[float]]) -> np.ndarray:
    a = np.asarray(rows, dtype=np.float32)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


@pytest.fixture(params=["faiss", "memory"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Make:
    def build(dim: int = 4) -> VectorIndex:
        if request.param == "faiss":
            return FaissIndex(tmp_path / "index", FakeEmbedder(dim=dim))
        return MemoryIndex(FakeEmbedder(dim=dim))

    return build


def test_it_is_a_vector_index(make: Make) -> None:
    idx = make(4)
    assert isinstance(idx, VectorIndex) and idx.dim == 4


def test_search_only_opens_the_given_collections(make: Make) -> None:
    idx = make(4)
    idx.add(1, [10, 11], unit([[1, 0, 0, 0], [0, 1, 0, 0]]))
    idx.add(2, [20], unit([[1, 0.1, 0, 0]]))
    q = unit([[1, 0, 0, 0]])[0]
    assert [i for i, _ in idx.search([1, 2], q, 3)] == [10, 20, 11]
    assert [i for i, _ in idx.search([1], q, 3)] == [10, 11]
    assert idx.search([3], q, 3) == [] and idx.search([], q, 3) == []


def test_excluded_chunks_are_no_candidates_and_k_stays_full(make: Make) -> None:
    """Document permissions filter inside the scan: the k nearest readable chunks, not k minus the hidden."""
    idx = make(4)
    idx.add(1, [10, 11, 12, 13], unit([[1, 0, 0, 0], [1, 0.1, 0, 0], [1, 0.5, 0, 0], [0, 1, 0, 0]]))
    idx.add(2, [20, 21], unit([[1, 0.05, 0, 0], [1, 0.3, 0, 0]]))
    q = unit([[1, 0, 0, 0]])[0]
    assert [i for i, _ in idx.search([1, 2], q, 3)] == [10, 20, 11]
    assert [i for i, _ in idx.search([1, 2], q, 3, exclude=frozenset({10, 20, 11}))] == [21, 12, 13]
    assert [i for i, _ in idx.search([1], q, 2, exclude=frozenset({10, 11, 12, 13}))] == []
    assert [i for i, _ in idx.search([1], q, 2, exclude=frozenset())] == [10, 11]


def test_nearest_first_with_cosine_scores_and_k(make: Make) -> None:
    idx = make(4)
    rows = unit([[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 0, 0], [-1, 0, 0, 0], [1, 1, 1, 0]])
    idx.add(5, [1, 2, 3, 4, 5], rows)
    q = unit([[1, 0.2, 0, 0]])[0]
    hits = idx.search([5], q, 5)
    expected = sorted(range(1, 6), key=lambda i: -float(rows[i - 1] @ q))
    assert [i for i, _ in hits] == expected
    assert np.allclose([s for _, s in hits], [float(rows[i - 1] @ q) for i in expected], atol=1e-5)
    assert [i for i, _ in idx.search([5], q, 2)] == expected[:2]


def test_equal_scores_are_ordered_by_chunk_id(make: Make) -> None:
    idx = make(4)
    idx.add(1, [30, 10], unit([[1, 0, 0, 0], [1, 0, 0, 0]]))
    idx.add(2, [20], unit([[1, 0, 0, 0]]))
    assert [i for i, _ in idx.search([1, 2], unit([[1, 0, 0, 0]])[0], 3)] == [10, 20, 30]


def test_re_adding_replaces_and_remove_deletes(make: Make) -> None:
    idx = make(4)
    idx.add(1, [10], unit([[1, 0, 0, 0]]))
    idx.add(1, [10], unit([[0, 1, 0, 0]]))
    assert idx.count(1) == 1
    assert idx.search([1], unit([[0, 1, 0, 0]])[0], 1)[0][1] > 0.99
    idx.remove(1, [10])
    assert idx.ids(1) == set()


def test_remove_takes_only_the_given_ids_and_ignores_unknown_ones(make: Make) -> None:
    idx = make(4)
    idx.add(1, [1, 2, 3], unit([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]))
    idx.add(2, [4], unit([[0, 0, 0, 1]]))
    idx.remove(1, [2, 99])
    idx.remove(7, [1])  # an unknown collection
    assert idx.ids(1) == {1, 3} and idx.count(1) == 2 and idx.ids(2) == {4}
    assert 2 not in [i for i, _ in idx.search([1], unit([[0, 1, 0, 0]])[0], 3)]


def test_empty_add_and_unknown_collection(make: Make) -> None:
    idx = make(4)
    idx.add(1, [], np.zeros((0, 4), dtype=np.float32))
    assert idx.count(1) == 0 and idx.ids(1) == set() and not idx.has_collection(1)


def test_drop_empties_one_collection(make: Make) -> None:
    idx = make(4)
    idx.add(1, [1], unit([[1, 0, 0, 0]]))
    idx.add(2, [2], unit([[1, 0, 0, 0]]))
    idx.drop(1)
    assert idx.count(1) == 0 and idx.ids(2) == {2}
    idx.save()
    assert idx.has_collection(1) and idx.has_collection(2)  # a dropped collection is saved empty


def test_dimension_mismatch_is_an_error_and_changes_nothing(make: Make) -> None:
    idx = make(4)
    idx.add(1, [1], unit([[1, 0, 0, 0]]))
    with pytest.raises(DimensionMismatch):
        idx.add(1, [2], unit([[1, 0, 0, 0, 0, 0, 0, 0]]))  # another embedder's width
    with pytest.raises(DimensionMismatch):
        idx.add(1, [2, 3], unit([[1, 0, 0, 0, 0, 0, 0, 0]]))  # 8 values are not two rows of 4
    with pytest.raises(DimensionMismatch):
        idx.add(1, [2, 3], unit([[1, 0, 0, 0]]))  # fewer rows than ids
    with pytest.raises(DimensionMismatch):
        idx.search([1], np.ones(8, dtype=np.float32), 1)
    assert idx.ids(1) == {1}
    assert isinstance(DimensionMismatch("x"), ValueError)


def test_save_makes_collections_and_manifest_durable(make: Make) -> None:
    idx = make(4)
    assert not idx.manifest_matches()  # nothing saved yet: a rebuild is due
    idx.add(7, [1, 2], unit([[1, 0, 0, 0], [0, 0, 1, 0]]))
    assert not idx.has_collection(7)
    idx.save()
    assert idx.manifest_matches() and idx.has_collection(7) and idx.ids(7) == {1, 2}


def test_reset_forgets_everything(make: Make) -> None:
    idx = make(4)
    idx.add(7, [1], unit([[1, 0, 0, 0]]))
    idx.save()
    idx.reset()
    assert not idx.manifest_matches() and not idx.has_collection(7) and idx.count(7) == 0
    assert idx.search([7], unit([[1, 0, 0, 0]])[0], 3) == []
    idx.save()
    assert idx.manifest_matches()


def test_faiss_round_trip_through_files(tmp_path: Path) -> None:
    first = FaissIndex(tmp_path / "index", FakeEmbedder(dim=4))
    rows = unit([[1, 0, 0, 0], [0.5, 1, 0, 0], [0, 0, 1, 1]])
    first.add(3, [11, 12, 13], rows)
    first.drop(4)
    first.save()
    q = unit([[1, 0.4, 0, 0]])[0]
    again = FaissIndex(tmp_path / "index", FakeEmbedder(dim=4))  # a restarted process
    assert again.manifest_matches() and again.has_collection(3) and again.has_collection(4)
    assert again.ids(3) == {11, 12, 13} and again.count(4) == 0
    before, after = first.search([3, 4], q, 3), again.search([3, 4], q, 3)
    assert [i for i, _ in after] == [i for i, _ in before] == [11, 12, 13]
    assert np.allclose([s for _, s in after], [s for _, s in before])
    assert not FaissIndex(tmp_path / "index", FakeEmbedder(dim=8)).manifest_matches()
