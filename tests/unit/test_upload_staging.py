"""Uploads staged side by side: one upload's clean-up of empty folders never takes another's folder."""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

from appliance.access.principals import SYSTEM
from appliance.documents.ingest import ensure_collection
from appliance.documents.uploads import PRUNE_AFTER_S, accept_upload


def test_concurrent_uploads_each_keep_their_folder(appliance) -> None:  # type: ignore[no-untyped-def]
    # Each upload makes an empty folder, then opens its file in it; a neighbour's prune came in between
    # (FileNotFoundError, a 500 under the cluster bench's load).
    ensure_collection(appliance, "raad")
    staged: list[Path] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def upload(n: int) -> None:
        start.wait()
        try:
            for k in range(15):
                receipt = accept_upload(appliance, SYSTEM, "raad", f"besluit-{n}-{k}.txt",
                                        io.BytesIO(f"Besluit {n}.{k}".encode()),
                                        lambda app, path, *rest: staged.append(path) or 1)
                assert receipt.size > 0
        except BaseException as exc:  # noqa: BLE001  (reported below, with the thread's number)
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(staged) == 120 and all(p.is_file() for p in staged)


def test_only_old_empty_upload_folders_are_pruned(appliance) -> None:  # type: ignore[no-untyped-def]
    ensure_collection(appliance, "raad")
    root = appliance.layout.uploads
    old, young, full = root / "old", root / "young", root / "full"
    for folder in (old, young, full):
        folder.mkdir(parents=True)
    (full / "wacht.txt").write_text("wacht op zijn job")
    past = time.time() - PRUNE_AFTER_S - 60
    os.utime(old, (past, past))
    os.utime(full, (past, past))
    accept_upload(appliance, SYSTEM, "raad", "nieuw.txt", io.BytesIO(b"nieuw"), lambda *a: 1)
    assert not old.exists() and young.is_dir() and (full / "wacht.txt").is_file()
