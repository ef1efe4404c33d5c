"""FAISS specifics: files and manifest on disk, atomic save, reload, corruption, threads.

The behaviour every VectorIndex shares (search order, scoping, replace, remove) is in
tests/contract/test_vector_index.py."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from appliance.index.faiss_index import FaissIndex
from models.fakes import FakeEmbedder


def unit(rows: list[list[float]]) -> np.ndarray:
    a = np.asarray(rows, dtype=np.float32)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def make(tmp_path: Path) -> FaissIndex:
    return FaissIndex(tmp_path / "index", FakeEmbedder(dim=4))


def test_save_writes_files_and_manifest_and_reloads(tmp_path: Path) -> None:
    idx = make(tmp_path)
    idx.add(7, [1, 2], unit([[1, 0, 0, 0], [0, 0, 1, 0]]))
    idx.save()
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["embedder"] == "fake:bow@4" and manifest["dim"] == 4 and manifest["format"] == 1
    assert manifest["collections"] == {"7": 2} and "chunker" in manifest
    assert not list((tmp_path / "index").glob(".*"))  # no temp files left behind
    again = make(tmp_path)
    assert again.manifest_matches() and again.ids(7) == {1, 2}
    assert not FaissIndex(tmp_path / "index", FakeEmbedder(dim=8)).manifest_matches()


def test_a_reader_sees_another_writers_saved_changes(tmp_path: Path) -> None:
    reader, writer = make(tmp_path), make(tmp_path)
    writer.add(1, [1], unit([[1, 0, 0, 0]]))
    writer.save()
    assert reader.ids(1) == {1}
    writer.add(1, [2], unit([[0, 1, 0, 0]]))
    writer.save()
    assert reader.ids(1) == {1, 2}


def test_corrupt_file_reads_as_absent(tmp_path: Path) -> None:
    idx = make(tmp_path)
    (tmp_path / "index").mkdir()
    idx.path_for(3).write_bytes(b"not a faiss index")
    assert idx.ids(3) == set()


def test_concurrent_adds_and_searches(tmp_path: Path) -> None:
    idx = make(tmp_path)
    rng = np.random.default_rng(0)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(50):
                idx.add(1, [offset + i], unit(rng.random((1, 4)).tolist()))
                idx.search([1], unit([[1, 1, 1, 1]])[0], 5)
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k * 1000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and idx.count(1) == 200
