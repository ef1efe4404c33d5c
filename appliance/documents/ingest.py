"""Documents: collections, ingest of one file (idempotent by content hash), failed files, jobs.

Every read takes a Principal and goes through appliance.access.principals; a document the caller may
not read is NotFound, never Forbidden, so its existence does not leak.
"""

from __future__ import annotations

import logging
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from appliance.cage import ingest_limits
from appliance.db.engine import read_session, write_session
from appliance.db.tables import (
    AuditEvent,
    Collection,
    CollectionGroup,
    FailedFile,
    Group,
    JobOutcome,
    utcnow,
)
from appliance.documents.steps import PipelineContext, clear_children_pending, pipeline_steps, wrap_unexpected
from appliance.errors import BelfortError, NotFound
from appliance.privacy import shown_name
from appliance.storage.files import atomic_write_json, move_no_overwrite, unique_destination
from appliance.storage.names import safe_file_name, safe_relative_name
from appliance.storage.staging import MIB, staged_bytes
from ingest.steps import run_steps
from ingest.types import IngestError

if TYPE_CHECKING:
    from appliance.context import Appliance

log = logging.getLogger(__name__)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_ATTACHMENT_DEPTH = 3


# --- Collections ---------------------------------------------------------------------------------


def slugify(name: str) -> str:
    """A collection name from a folder name: 'Raad & Notulen' -> 'raad-notulen'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_name.lower()).strip("-_")[:64]
    return slug or "unsorted"


def ensure_collection(app: Appliance, name: str, title: str = "", groups: tuple[str, ...] | list[str] = ()) -> Collection:
    """Get or create a collection and give `groups` (created as needed) read access to it."""
    if not _SLUG.match(name):
        raise BelfortError(
            "collection.invalid_name", f"'{name}' is not a valid collection name",
            hint="use lower-case letters, digits, '-' and '_' (at most 64), starting with a letter or digit",
        )
    with write_session(app.db) as s:
        coll = s.exec(select(Collection).where(Collection.name == name)).first()
        if coll is None:
            coll = Collection(name=name, title=title or name)
            s.add(coll)
            s.flush()
        elif title and coll.title != title:
            coll.title = title
            s.add(coll)
        for group_name in groups:
            group_name = group_name.strip()
            if not group_name:
                continue
            group = s.exec(select(Group).where(Group.name == group_name)).first()
            if group is None:
                group = Group(name=group_name)
                s.add(group)
                s.flush()
            if s.get(CollectionGroup, (coll.id, group.id)) is None:
                s.add(CollectionGroup(collection_id=coll.id, group_id=group.id))  # type: ignore[arg-type]
        s.flush()
        return coll


# --- Ingest --------------------------------------------------------------------------------------


@dataclass
class IngestOutcome:
    state: str  # ingested | needs_ocr | duplicate | new_version | failed | busy (left in place)
    document_id: int | None = None
    version_id: int | None = None
    code: str = ""
    message: str = ""
    hint: str = ""
    failed_id: int | None = None
    children: list[IngestOutcome] = field(default_factory=list)
    name: str = ""  # the file's name as lists may show it (pseudonymised in such a collection)

    @property
    def ok(self) -> bool:
        return self.state in ("ingested", "needs_ocr", "duplicate", "new_version")


def ingest_file(
    app: Appliance,
    path: Path | str,
    collection: str | Collection,
    *,
    source_name: str | None = None,
    actor: str = "system",
    keep_source: bool = True,
) -> IngestOutcome:
    """Ingest one file. Never raises for a bad file: the outcome says what happened.

    keep_source=False (drop folder) removes the file only after it is stored, committed and indexed;
    a failing file then moves to failed/<collection>/ with a reason beside it.
    """
    path = Path(path)
    coll = collection if isinstance(collection, Collection) else _collection(app, collection)
    return _ingest(app, path, coll, safe_relative_name(source_name or path.name), actor, keep_source,
                   parent_id=None, depth=0)


def _collection(app: Appliance, name: str) -> Collection:
    with read_session(app.db) as s:
        coll = s.exec(select(Collection).where(Collection.name == name)).first()
    return coll if coll is not None else ensure_collection(app, name)


def _ingest(
    app: Appliance, path: Path, coll: Collection, name: str, actor: str, keep_source: bool, *,
    parent_id: int | None, depth: int, failed_row: FailedFile | None = None,
) -> IngestOutcome:
    if not path.is_file():
        return IngestOutcome("failed", code="ingest.missing", message="the file is no longer there",
                             hint="it was moved or already processed; nothing to do")
    settings = app.settings
    ctx = PipelineContext(
        path=path, source_name=name, staging_dir=app.layout.staging,
        max_bytes=settings.ingest.max_file_mb * MIB,
        chunk_chars=settings.ingest.chunk_chars, chunk_overlap=settings.ingest.chunk_overlap,
        app=app, collection_id=coll.id or 0, collection_name=coll.name, actor=actor, parent_id=parent_id,
        limits=ingest_limits(settings),  # extraction runs caged: a hostile file cannot take the worker down
    )
    try:
        stop = run_steps(pipeline_steps(), ctx)
    except IngestError as err:
        return _fail(app, path, coll, name, err, keep_source, parent_id, failed_row, size=ctx.size)
    except Exception as exc:
        log.exception("unexpected ingest error")
        return _fail(app, path, coll, name, wrap_unexpected(exc), keep_source, parent_id, failed_row,
                     size=ctx.size)
    # The pseudonymise step already renamed the file where it ran: no second pass of the name tagger.
    shown = ctx.source_name if ctx.source_name != name else shown_name(app, coll.id or 0, name)
    if stop == "busy":
        return IngestOutcome("busy", code="ingest.busy", message="the file changed while it was read",
                             hint="it is picked up again once the copy has finished", name=shown)
    state = "duplicate" if stop == "duplicate" else ctx.state
    outcome = IngestOutcome(state, ctx.document_id, ctx.version_id, name=shown)
    if ctx.index_deferred:
        outcome.code, outcome.message = "ingest.index_deferred", "stored; the index is repaired at the next start"
    if ctx.extracted is not None and ctx.extracted.children and stop is None and ctx.document_id:
        outcome.children = _ingest_children(app, ctx, coll, actor, depth)
        clear_children_pending(app, ctx.document_id)
    if not keep_source:
        _remove_source(path)
    if failed_row is not None:
        _resolve_failed(app, failed_row)
    log.info("ingest %s: document %s version %s (%d chunks)", state, ctx.document_id, ctx.version_id,
             len(ctx.new_chunk_ids))
    return outcome


def _ingest_children(app: Appliance, ctx: PipelineContext, coll: Collection, actor: str,
                     depth: int) -> list[IngestOutcome]:
    """Mail attachments become child documents; each one fails on its own."""
    assert ctx.extracted is not None
    outcomes = []
    for n, att in enumerate(ctx.extracted.children, 1):
        child_name = f"{ctx.source_name}/{safe_file_name(att.name or f'attachment-{n}')}"
        if depth + 1 > MAX_ATTACHMENT_DEPTH:
            outcomes.append(IngestOutcome("failed", code="ingest.too_deep",
                                          message="attachments nested too deep",
                                          hint="the attachment stays inside the stored mail; save it separately"))
            continue
        try:
            with staged_bytes(app.layout.staging, "att", safe_file_name(att.name or f"attachment-{n}"),
                              att.data) as child_path:
                outcomes.append(_ingest(app, child_path, coll, child_name, actor, keep_source=False,
                                        parent_id=ctx.document_id, depth=depth + 1))
        except Exception as exc:  # e.g. a full disk: the mail itself stays stored
            log.exception("attachment could not be processed")
            err = wrap_unexpected(exc)
            outcomes.append(IngestOutcome("failed", code=err.code, message=err.message, hint=err.hint))
    return outcomes


def _remove_source(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove a processed drop-folder file; it is a duplicate next time")


# --- Failed files --------------------------------------------------------------------------------


def _fail(
    app: Appliance, path: Path, coll: Collection, name: str, err: IngestError, keep_source: bool,
    parent_id: int | None, failed_row: FailedFile | None, *, size: int = 0,
) -> IngestOutcome:
    """Move (drop folder) or copy the file to failed/<collection>/, a reason beside it, and a row.

    On disk the file keeps its own name, and the reason file names it (IT recovers it from there); the
    row, which archivists see, carries the name as lists may show it (pseudonymised where it must be)."""
    settings = app.settings
    if failed_row is None and not path.exists():  # it vanished mid-way: nothing to keep, nothing lost here
        return IngestOutcome("failed", code="ingest.missing", message="the file disappeared while it was read",
                             hint="drop it again if it was not moved on purpose")
    at = utcnow()
    reason: dict[str, Any] = {
        "code": err.code, "message": err.message, "hint": err.hint, "at": at.isoformat(timespec="seconds"),
        "collection": coll.name, "original_name": name,
    }
    if parent_id is not None:
        reason["parent_document_id"] = parent_id
    if failed_row is not None:  # a retry that failed again: the file stays where it is
        dest = Path(failed_row.failed_path)
    else:
        folder = app.layout.failed / coll.name
        folder.mkdir(parents=True, exist_ok=True)
        dest = unique_destination(folder, safe_file_name(name))
        if not keep_source:
            move_no_overwrite(path, dest)
        elif size <= settings.ingest.max_file_mb * MIB:
            shutil.copy2(path, dest)
        else:
            dest = path.resolve()  # a too-large file is not copied; the row points at the source
    reason_dir = dest.parent if dest.is_relative_to(app.layout.failed) else app.layout.failed / coll.name
    reason_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_json(reason_dir / (dest.name + ".reason.json"), reason, indent=2, ensure_ascii=False)
    shown = shown_name(app, coll.id or 0, name)
    with write_session(app.db) as s:
        row = s.get(FailedFile, failed_row.id) if failed_row is not None else None
        if row is None:
            row = FailedFile(collection=coll.name, failed_path=str(dest))
        row.original_name = shown
        row.code, row.reason, row.hint, row.at, row.resolved = err.code, err.message, err.hint, at, False
        s.add(row)
        s.flush()
        s.add(AuditEvent(actor="system", action="document.failed", target=f"failed:{row.id}",
                         detail={"collection": coll.name, "code": err.code}))
        failed_id = row.id
    log.warning("ingest failed: %s (failed file #%s)", err.code, failed_id)
    return IngestOutcome("failed", code=err.code, message=err.message, hint=err.hint, failed_id=failed_id,
                         name=shown)


def list_failed(app: Appliance, *, include_resolved: bool = False, limit: int = 200) -> list[FailedFile]:
    with read_session(app.db) as s:
        q = select(FailedFile)
        if not include_resolved:
            q = q.where(FailedFile.resolved == False)
        return list(s.exec(q.order_by(col(FailedFile.id).desc()).limit(limit)).all())


def retry_failed(app: Appliance, failed_id: int, *, actor: str = "system") -> IngestOutcome:
    """Run a failed file through ingest again; on success the file and its reason leave failed/."""
    with read_session(app.db) as s:
        row = s.get(FailedFile, failed_id)
    if row is None or row.resolved:
        raise NotFound("failed.not_found", f"no open failed file #{failed_id}",
                       hint="it was retried already; reload the list")
    path = Path(row.failed_path)
    in_failed = path.resolve().is_relative_to(app.layout.failed.resolve())
    reason = _reason(app, row)
    parent_id = reason.get("parent_document_id")
    coll = _collection(app, row.collection)
    # The row may show a pseudonymised name; the document keeps the name it was dropped with.
    name = reason.get("original_name") if isinstance(reason.get("original_name"), str) else row.original_name
    return _ingest(app, path, coll, name or row.original_name, actor, keep_source=not in_failed,
                   parent_id=parent_id if isinstance(parent_id, int) else None, depth=0, failed_row=row)


def _reason_path(app: Appliance, row: FailedFile) -> Path:
    dest = Path(row.failed_path)
    if dest.resolve().is_relative_to(app.layout.failed.resolve()):
        return dest.with_name(dest.name + ".reason.json")
    return app.layout.failed / row.collection / (dest.name + ".reason.json")


def _reason(app: Appliance, row: FailedFile) -> dict[str, Any]:
    import json

    try:
        return dict(json.loads(_reason_path(app, row).read_text("utf-8")))
    except (OSError, ValueError):
        return {}


def _resolve_failed(app: Appliance, row: FailedFile) -> None:
    _reason_path(app, row).unlink(missing_ok=True)
    with write_session(app.db) as s:
        fresh = s.get(FailedFile, row.id)
        if fresh is not None:
            fresh.resolved = True
            s.add(fresh)


# --- Index repair --------------------------------------------------------------------------------


def prepare_ingest(app: Appliance) -> None:
    """Once per process before ingesting: the index matches the store."""
    from appliance.index.sync import ensure_index

    # Repairs FTS rows and vectors left out of step by a crash between commit and index.
    ensure_index(app)
    clean_staging(app)


def clean_staging(app: Appliance, older_than_s: float = 3600.0) -> int:
    """Remove copies a killed process left in staging/ (old ones only: another process may be busy)."""
    import time

    staging = app.layout.staging
    removed = 0
    if not staging.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    for entry in staging.iterdir():
        try:
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def list_jobs(app: Appliance, limit: int = 50) -> list[JobOutcome]:
    """Every job, newest first (the CLI and the system; a person's list is `documents.status.list_jobs`)."""
    with read_session(app.db) as s:
        return list(s.exec(select(JobOutcome).order_by(col(JobOutcome.id).desc()).limit(limit)).all())
