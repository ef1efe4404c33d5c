"""cluster.shared_dir: the files every node sees on a shared mount, the rest local; stored paths unchanged."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import pytest

from appliance.context import open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import DocumentVersion
from appliance.documents.ingest import ensure_collection, ingest_file
from appliance.storage.content import ContentStore
from appliance.storage.layout import SHARED_FOLDERS, DataLayout
from models.fakes import FakeEmbedder
from tests.conftest import make_settings

SHM = Path("/dev/shm")
other_fs = pytest.mark.skipif(not SHM.is_dir() or os.stat(SHM).st_dev == os.stat(tempfile.gettempdir()).st_dev,
                              reason="needs /dev/shm on another file system than the temp folder")


def test_layout_puts_the_shared_folders_on_the_mount_and_keeps_the_rest_local(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, cluster={"shared_dir": str(tmp_path / "mount")})
    layout = DataLayout.of(settings)
    for name in SHARED_FOLDERS:
        assert getattr(layout, name) == tmp_path / "mount" / name
    for local in (layout.db, layout.index, layout.staging, layout.secret_key, layout.insight_cache):
        assert local.is_relative_to(tmp_path / "data")
    stored = layout.originals_store().path_for("ab" * 32, ".pdf")
    rel = layout.relative(stored)
    assert rel == f"originals/ab/{'ab' * 32}.pdf"  # the same as on one box: the database does not change
    assert layout.stored(rel) == stored and layout.stored("index/1.faiss") == layout.index / "1.faiss"
    one_box = DataLayout.of(make_settings(tmp_path))
    assert one_box.stored(rel) == tmp_path / "data" / rel and one_box.shared == one_box.root


def test_ingest_with_a_shared_dir_stores_the_original_there_and_reads_it_back(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, cluster={"shared_dir": str(tmp_path / "mount")})
    app = open_appliance(settings, embedder=FakeEmbedder())
    assert (tmp_path / "mount").is_dir()
    ensure_collection(app, "loket")
    src = tmp_path / "brief.txt"
    src.write_text("Een brief over het containerpark.", "utf-8")
    assert ingest_file(app, src, "loket").ok
    with read_session(app.db) as s:
        version = s.query(DocumentVersion).one()
    assert version.stored_path.startswith("originals/")
    assert app.layout.stored(version.stored_path).read_text("utf-8") == src.read_text("utf-8")
    assert app.layout.stored(version.stored_path).is_relative_to(tmp_path / "mount")
    assert not (tmp_path / "data" / "originals").exists() or not any((tmp_path / "data" / "originals").rglob("*.*"))


@other_fs
def test_put_file_across_file_systems_copies_then_renames(tmp_path: Path) -> None:
    with tempfile.TemporaryDirectory(dir=SHM) as mount:
        store = ContentStore(Path(mount) / "originals")
        staged = tmp_path / "staged.bin"
        staged.write_bytes(b"inhoud")
        dest = store.put_file(staged, "cd" * 32)
        assert dest.read_bytes() == b"inhoud" and not staged.exists()
        assert [p.name for p in dest.parent.iterdir()] == [dest.name]  # no temp file left


def test_two_nodes_putting_the_same_content_at_once_leave_one_whole_file(tmp_path: Path) -> None:
    data = os.urandom(2 * 1024 * 1024)
    store = ContentStore(tmp_path / "mount" / "originals")
    errors: list[BaseException] = []

    def put(n: int) -> None:
        try:
            staged = tmp_path / f"staged-{n}"
            staged.write_bytes(data)
            store.put_file(staged, "ef" * 32)
            store.put_bytes(data, "ef" * 32)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=put, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    folder = store.path_for("ef" * 32).parent
    assert [p.name for p in folder.iterdir()] == ["ef" * 32] and store.path_for("ef" * 32).read_bytes() == data


def test_a_backup_holds_the_originals_on_the_shared_mount_under_their_usual_names(tmp_path: Path) -> None:
    from appliance.backup import take_backup

    settings = make_settings(tmp_path, cluster={"shared_dir": str(tmp_path / "mount")})
    app = open_appliance(settings, embedder=FakeEmbedder())
    ensure_collection(app, "loket")
    src = tmp_path / "brief.txt"
    src.write_text("Een brief over het containerpark.", "utf-8")
    assert ingest_file(app, src, "loket").ok
    (tmp_path / "mount" / "elsewhere.txt").write_text("not Belfort's", "utf-8")
    with read_session(app.db) as s:
        stored = s.query(DocumentVersion).one().stored_path
    manifest = take_backup(settings, tmp_path / "backup")
    assert f"data/{stored}" in manifest["files"]
    assert (tmp_path / "backup" / "data" / stored).read_text("utf-8") == src.read_text("utf-8")
    assert not any("elsewhere" in f for f in manifest["files"])
