"""The storage room: data-folder layout, atomic writes, content-addressed files, staging, safe names."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from appliance.errors import BelfortError
from appliance.storage.content import ContentStore
from appliance.storage.files import (
    atomic_folder,
    atomic_path,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    atomic_writer,
    move_no_overwrite,
    unique_destination,
)
from appliance.storage.layout import DataLayout
from appliance.storage.names import display_name, safe_file_name, safe_relative_name, upload_name
from appliance.storage.staging import stage_stream, staged_bytes
from ingest.extract.mail import safe_attachment_name
from tests.conftest import make_settings

# --- layout ----------------------------------------------------------------------------------------


def test_the_layout_is_the_one_installations_already_have(tmp_path: Path) -> None:
    layout = DataLayout.of(make_settings(tmp_path))
    root = layout.root
    expected = {
        layout.db: "belfort.sqlite3", layout.jobs_db: "jobs.sqlite3", layout.secret_key: "secret_key",
        layout.pseudonym_key: "pseudonyms.key", layout.inbox: "inbox", layout.failed: "failed",
        layout.originals: "originals", layout.index: "index", layout.staging: "staging",
        layout.uploads: "uploads", layout.recordings: "recordings", layout.triage_originals: "triage/originals",
        layout.triage_models: "triage/models", layout.triage_taxonomy: "triage/taxonomy.yaml",
        layout.triage_training: "triage/training.jsonl", layout.imap_state: "triage/imap-state.json",
        layout.demo_password: "demo-password.txt", layout.demo_corpus: "demo-corpus",
        layout.eval_embeddings: "cache/eval-embeddings",
    }
    assert {path: path.relative_to(root).as_posix() for path in expected} == expected
    h = "ab" + "1" * 62
    assert layout.originals_store().path_for(h) == root / "originals" / "ab" / h
    assert layout.triage_store().path_for(h, ".eml") == root / "triage" / "originals" / "ab" / f"{h}.eml"
    assert layout.recordings_store().path_for(h, ".wav") == root / "recordings" / f"{h}.wav"
    assert layout.stored(layout.relative(root / "originals" / "ab" / h)) == root / "originals" / "ab" / h


def test_the_appliance_creates_and_uses_the_layout(appliance) -> None:  # type: ignore[no-untyped-def]
    assert appliance.layout.root == appliance.settings.data_dir
    assert all(folder.is_dir() for folder in appliance.layout.created_at_start())
    assert appliance.layout.db.is_file() == (not appliance.settings.store.url)  # PostgreSQL: no SQLite file


# --- atomic writes ---------------------------------------------------------------------------------


def test_atomic_writes_replace_the_whole_file_and_leave_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "x.json"
    atomic_write_json(target, {"a": "é"}, indent=2, ensure_ascii=False)
    assert target.read_text("utf-8") == json.dumps({"a": "é"}, indent=2, ensure_ascii=False)
    atomic_write_text(target, "tweede")
    assert target.read_text("utf-8") == "tweede"
    atomic_write_bytes(target, b"\x00\x01", mode=0o444)
    assert target.read_bytes() == b"\x00\x01" and (target.stat().st_mode & 0o777) == 0o444
    with atomic_writer(tmp_path / "rows.jsonl") as fh:
        fh.write("één\n")
    assert (tmp_path / "rows.jsonl").read_text("utf-8") == "één\n"
    assert sorted(os.listdir(target.parent)) == ["x.json"]


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "pointer.json"
    atomic_write_json(target, {"history": ["v1"]})
    with pytest.raises(RuntimeError), atomic_writer(target) as fh:
        fh.write('{"history": [')
        raise RuntimeError("crash halfway")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash halfway")
    assert json.loads(target.read_text()) == {"history": ["v1"]}
    assert os.listdir(tmp_path) == ["pointer.json"]


def test_the_temp_file_is_hidden_and_ignored_by_drop_folder_watchers(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "a.pdf") as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".") and tmp.name.endswith(".tmp")
        tmp.write_bytes(b"%PDF")


def test_a_folder_is_published_whole_or_not_at_all(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_folder(tmp_path / "v1") as tmp:
        (tmp / "sub").mkdir(parents=True)
        (tmp / "sub" / "weights.npz").write_bytes(b"half")
        raise RuntimeError("crash halfway")
    assert os.listdir(tmp_path) == []
    with atomic_folder(tmp_path / "v1") as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".") and tmp.name.endswith(".tmp")
        (tmp / "sub").mkdir(parents=True)
        (tmp / "sub" / "weights.npz").write_bytes(b"all")
        (tmp / "model.json").write_text("{}")
    assert os.listdir(tmp_path) == ["v1"] and (tmp_path / "v1" / "sub" / "weights.npz").read_bytes() == b"all"


def test_unique_destination_and_move_never_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "failed"
    folder.mkdir()
    (folder / "a.pdf").write_text("first")
    (folder / "a (1).pdf.reason.json").write_text("{}")
    dest = unique_destination(folder, "a.pdf")
    assert dest.name == "a (2).pdf"
    src = tmp_path / "a.pdf"
    src.write_text("second")
    move_no_overwrite(src, dest)
    assert not src.exists() and dest.read_text() == "second" and (folder / "a.pdf").read_text() == "first"


# --- content-addressed files -----------------------------------------------------------------------


def test_put_file_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    staged = tmp_path / "s"
    staged.write_bytes(b"abc")
    h = "ab" + "0" * 62
    store = ContentStore(tmp_path / "originals")
    dest = store.put_file(staged, h)
    assert dest == tmp_path / "originals" / "ab" / h and dest.read_bytes() == b"abc"
    staged2 = tmp_path / "s2"
    staged2.write_bytes(b"abc")
    assert store.put_file(staged2, h) == dest
    assert staged2.exists()  # the existing original was kept; the caller's cleanup removes the copy
    assert os.listdir(dest.parent) == [h]


def test_put_bytes_writes_once_read_only(tmp_path: Path) -> None:
    import hashlib

    store = ContentStore(tmp_path / "t", read_only=True)
    sha = hashlib.sha256(b"mail").hexdigest()
    path = store.put_bytes(b"mail", suffix=".eml")
    assert path == tmp_path / "t" / sha[:2] / f"{sha}.eml" and path.read_bytes() == b"mail"
    assert (path.stat().st_mode & 0o777) == 0o444
    mtime = path.stat().st_mtime_ns
    assert store.put_bytes(b"mail", sha, ".eml") == path and path.stat().st_mtime_ns == mtime
    assert os.listdir(path.parent) == [path.name]
    flat = ContentStore(tmp_path / "r", fan_out=False)
    assert flat.put_bytes(b"x", suffix=".wav").parent == tmp_path / "r"


# --- staging ---------------------------------------------------------------------------------------

TOO_LARGE = BelfortError("upload.too_large", "too large", hint="smaller", status=413)


def test_stage_stream_hashes_and_counts(tmp_path: Path) -> None:
    import hashlib

    data = b"x" * (3 * 1024 * 1024 + 5)
    staged = stage_stream(io.BytesIO(data), tmp_path / "f.bin", len(data), TOO_LARGE)
    assert staged.path.read_bytes() == data and staged.size == len(data)
    assert staged.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("data", "code"), [(b"", "upload.empty"), (b"y" * 11, "upload.too_large")])
def test_stage_stream_refuses_and_leaves_nothing(tmp_path: Path, data: bytes, code: str) -> None:
    with pytest.raises(BelfortError) as err:
        stage_stream(io.BytesIO(data), tmp_path / "f.bin", 10, TOO_LARGE)
    assert err.value.code == code and os.listdir(tmp_path) == []


def test_staged_bytes_live_only_inside_the_block(tmp_path: Path) -> None:
    with pytest.raises(ValueError), staged_bytes(tmp_path, "att", "bijlage.pdf", b"%PDF") as path:
        assert path.read_bytes() == b"%PDF" and path.parent.name.startswith("att-")
        raise ValueError("ingest failed")
    assert os.listdir(tmp_path) == []


# --- safe names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../x.pdf", "x.pdf"),
        ("../../etc/passwd", "etc/passwd"),
        ("a\\..\\b.txt", "a/b.txt"),
        ("/abs/path.txt", "abs/path.txt"),
        ("  verslag  raad.pdf ", "verslag  raad.pdf"),
        ("e\u0301te\u0301.txt", "\u00e9t\u00e9.txt"),  # NFD (macOS) becomes NFC
        ("bad\x00name\x1f.txt", "badname.txt"),
        ("..", "unnamed"),
        ("", "unnamed"),
    ],
)
def test_safe_relative_name(raw: str, safe: str) -> None:
    assert safe_relative_name(raw) == safe


def test_safe_file_name_is_one_visible_component() -> None:
    assert safe_file_name("mail.eml/../.hidden.pdf") == "hidden.pdf"
    long = "ä" * 300 + ".pdf"
    assert len(safe_file_name(long).encode()) <= 200 and safe_file_name(long).endswith(".pdf")


def test_the_name_variants_keep_their_rules() -> None:
    # uploads and recordings: Windows' forbidden characters too; mail attachments: separators only
    assert upload_name("C:\\fakepath\\a<b>?.txt") == display_name("C:\\fakepath\\a<b>?.txt") == "a_b_.txt"
    assert safe_attachment_name("a<b>?.txt.", 1) == "a<b>?.txt"
    assert upload_name(" _ ") == "" and display_name(" _ ") == "_"
    long = "é" * 150 + ".pdf"
    assert upload_name(long) == "é" * 90 + ".pdf" and display_name(long) == long[:200]
