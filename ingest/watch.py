"""The drop folder: `<inbox>/<collection>/...`, picked up once size and mtime stop changing.

Polling only: inotify does not see writes made over SMB or NFS by another machine, and a
scanner or copy job writes a file in many steps. The watcher never deletes or moves anything;
the pipeline does that after the file is safely stored (and deduplicates by content hash, so a
file reported twice after a restart is harmless).
"""

from __future__ import annotations

import fnmatch
import logging
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

OnReady = Callable[[Path, str], None]


@dataclass
class _Seen:
    signature: tuple[int, int]  # (size, mtime_ns)
    since: float  # monotonic time the signature was first seen unchanged
    reported: bool = False


class DropFolderWatcher:
    def __init__(
        self,
        inbox: Path,
        on_ready: OnReady,
        *,
        stable_seconds: float = 2.0,
        ignore_patterns: Sequence[str] = (".*", "~$*", "*.tmp", "*.part", "*.crdownload", "Thumbs.db"),
    ) -> None:
        self.inbox = Path(inbox)
        self.on_ready = on_ready
        self.stable_seconds = max(0.0, float(stable_seconds))
        self.ignore_patterns = [p.lower() for p in ignore_patterns]
        self._seen: dict[Path, _Seen] = {}

    def is_ignored(self, name: str) -> bool:
        lowered = unicodedata.normalize("NFC", name).lower()
        return any(fnmatch.fnmatchcase(lowered, pattern) for pattern in self.ignore_patterns)

    def scan_once(self, now: float | None = None) -> list[Path]:
        """Report files that stayed unchanged for stable_seconds; return the paths reported this scan."""
        now = time.monotonic() if now is None else now
        present: set[Path] = set()
        ready: list[tuple[Path, str]] = []
        for path, collection, signature in self._files():
            present.add(path)
            seen = self._seen.get(path)
            if seen is None or seen.signature != signature:
                # New or still growing: (re)start its clock; a changed file is reported again later.
                seen = _Seen(signature=signature, since=now)
                self._seen[path] = seen
            if not seen.reported and now - seen.since >= self.stable_seconds:
                seen.reported = True
                ready.append((path, collection))
        for gone in set(self._seen) - present:
            del self._seen[gone]
        reported: list[Path] = []
        for path, collection in ready:
            try:
                self.on_ready(path, collection)
                reported.append(path)
            except Exception:
                log.exception("drop folder: handling a ready file failed (collection %s)", collection)
        return reported

    def run(self, stop_event: threading.Event, poll_seconds: float = 2.0) -> None:
        log.info("drop folder: watching %s every %.1f s", self.inbox, poll_seconds)
        while not stop_event.is_set():
            try:
                self.scan_once()
            except OSError:
                log.exception("drop folder: scan failed; retrying")  # a share that went away
            stop_event.wait(max(0.01, poll_seconds))

    def _files(self) -> list[tuple[Path, str, tuple[int, int]]]:
        found: list[tuple[Path, str, tuple[int, int]]] = []
        try:
            collections = sorted(os.scandir(self.inbox), key=lambda e: e.name)
        except FileNotFoundError:
            return found
        for entry in collections:
            # Files directly in the inbox have no collection: left alone (the doctor can mention them).
            if not entry.is_dir(follow_symlinks=False) or self.is_ignored(entry.name):
                continue
            collection = unicodedata.normalize("NFC", entry.name)
            for root, dirs, files in os.walk(entry.path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not self.is_ignored(d))
                for name in sorted(files):
                    if self.is_ignored(name):
                        continue
                    path = Path(root) / name
                    try:
                        stat = path.lstat()
                    except OSError:
                        continue  # vanished between listing and stat
                    if not path.is_file() or path.is_symlink():
                        continue
                    found.append((path, collection, (stat.st_size, stat.st_mtime_ns)))
        return found
