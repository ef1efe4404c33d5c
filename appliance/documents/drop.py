"""Where files from outside go: the drop folder <data>/inbox/<folder>/... and a folder given to
`belfort ingest`. One routing for the CLI, the watcher and the jobs."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from appliance.documents.ingest import ensure_collection, ingest_file, prepare_ingest, slugify
from appliance.errors import BelfortError
from appliance.storage.layout import DataLayout

if TYPE_CHECKING:
    from appliance.context import Appliance
    from appliance.documents.ingest import IngestOutcome
    from appliance.settings import Settings


@dataclass(frozen=True)
class DropTarget:
    """Where a dropped file goes: to triage (inbox/_triage/: mail, not a collection) or into a
    collection named after its top folder, under its path below that folder."""

    triage: bool
    collection: str = ""
    source_name: str = ""


def drop_target(settings: Settings, path: Path, folder: str) -> DropTarget:
    """The target of a drop-folder file inbox/<folder>/<name...>."""
    if folder == settings.intake.drop_folder:
        return DropTarget(triage=True)
    parts = path.relative_to(DataLayout.of(settings).inbox).parts
    return DropTarget(triage=False, collection=slugify(folder), source_name="/".join(parts[1:]))


def ingest_dropped(app: Appliance, path: Path, target: DropTarget) -> IngestOutcome:
    """Ingest a dropped file now (the file leaves the drop folder: stored, or moved to the failed)."""
    return ingest_file(app, path, target.collection, source_name=target.source_name, keep_source=False)


def waiting_files(inbox: Path, is_ignored: Callable[[str], bool]) -> list[Path]:
    """Files in collection folders that are still there (not ignored: temp and dot files)."""
    waiting = []
    for folder in (p for p in inbox.iterdir() if p.is_dir() and not is_ignored(p.name)):
        for path in folder.rglob("*"):
            rel = path.relative_to(folder).parts
            if path.is_file() and not path.is_symlink() and not any(is_ignored(x) for x in rel):
                waiting.append(path)
    return waiting


def files_under(root: Path, ignore: list[str]) -> list[Path]:
    """The files of a folder given to `belfort ingest`, recursively, minus the ignore patterns."""
    def ignored(p: Path) -> bool:
        return any(fnmatch.fnmatch(part, pat) for part in p.relative_to(root).parts for pat in ignore)

    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and not ignored(p))


def ingest_in_place(app: Appliance, path: Path, collection: str, *, title: str = "",
                    groups: list[str] | None = None) -> Iterator[tuple[str, IngestOutcome]]:
    """`belfort ingest`: a file or a folder's files into `collection` (created when missing, `groups`
    may read it); the sources stay where they are. Yields (source name, outcome) per file."""
    if not path.exists():
        raise BelfortError("ingest.no_path", f"{path} does not exist", hint="check the path")
    coll = ensure_collection(app, collection, title=title, groups=groups or [])
    prepare_ingest(app)
    if path.is_dir():
        items = [(p, p.relative_to(path).as_posix()) for p in files_under(path, app.settings.ingest.ignore_patterns)]
    else:
        items = [(path, path.name)]
    for file, name in items:
        yield name, ingest_file(app, file, coll, source_name=name, actor="cli", keep_source=True)
