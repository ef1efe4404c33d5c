"""Content-addressed files: the name is the sha256 of the bytes, so a file is written once, never rewritten."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path

from appliance.storage.files import atomic_path, fsync_dir


class ContentStore:
    """Files under `root` named by their sha256 (plus a suffix), in `<hash[:2]>/` folders when `fan_out`.

    Putting the same content twice is a no-op: the file already there (same size) is kept. Two nodes
    putting the same content at once on a shared mount is safe too: each writes its own temp file beside
    the address and renames it there; the rename is atomic and both carry the same bytes.
    """

    def __init__(self, root: Path, *, fan_out: bool = True, read_only: bool = False) -> None:
        self.root = root
        self.fan_out = fan_out
        self.read_only = read_only

    def path_for(self, sha256: str, suffix: str = "") -> Path:
        folder = self.root / sha256[:2] if self.fan_out else self.root
        return folder / f"{sha256}{suffix}"

    def _present(self, dest: Path, size: int) -> bool:
        return dest.exists() and dest.stat().st_size == size

    def put_bytes(self, data: bytes, sha256: str | None = None, suffix: str = "") -> Path:
        dest = self.path_for(sha256 or hashlib.sha256(data).hexdigest(), suffix)
        if self._present(dest, len(data)):
            return dest
        with atomic_path(dest, mode=0o444 if self.read_only else None) as tmp:
            tmp.write_bytes(data)
        return dest

    def put_file(self, staged: Path, sha256: str, suffix: str = "") -> Path:
        """Move an (already fsynced) staged file to its address; one already there is kept and `staged`
        is left for the caller to remove. On one file system the rename is atomic; from the local staging
        folder to a shared mount the bytes are copied to a temp file beside the address, then renamed."""
        dest = self.path_for(sha256, suffix)
        if self._present(dest, staged.stat().st_size):
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        if self.read_only:
            os.chmod(staged, 0o444)
        try:
            os.replace(staged, dest)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            with atomic_path(dest, mode=0o444 if self.read_only else None) as tmp:
                shutil.copyfile(staged, tmp)
            staged.unlink(missing_ok=True)
            return dest
        fsync_dir(dest.parent)
        return dest
