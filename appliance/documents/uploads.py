"""Upload acceptance (web form and API alike): who may upload where, the name sanitised, the bytes staged
within the size limit, then the file handed to the ingest queue through `enqueue`."""

from __future__ import annotations

import contextlib
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlmodel import select

from appliance.access import Principal, can_read_collection
from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import Collection
from appliance.errors import BelfortError, Forbidden, NotFound
from appliance.storage.names import upload_name
from appliance.storage.staging import MIB, stage_stream

# (app, staged file, collection name, original file name, actor) -> job id
Enqueue = Callable[[Appliance, Path, str, str, str], str]


@dataclass(frozen=True)
class UploadReceipt:
    job_id: str
    collection: str
    filename: str
    size: int


def sanitize_filename(name: str) -> str:
    """Keep a readable name (Unicode, spaces) but never a path: no separators, no dots up front."""
    name = upload_name(name)
    if not name:
        raise BelfortError(
            "upload.bad_name", "the file has no usable name", hint="rename the file and try again"
        )
    return name


PRUNE_AFTER_S = 3600.0  # an empty upload folder younger than this may be another upload's, not yet written


def _prune(root: Path) -> None:
    """Remove the empty folders of earlier uploads (the ingest job removes the file once stored). A
    folder is made empty before its file is opened, so a young one is left to the upload that owns it."""
    if not root.is_dir():
        return
    cutoff = time.time() - PRUNE_AFTER_S
    for child in root.iterdir():
        with contextlib.suppress(OSError):  # not empty (its job has not run yet) or gone meanwhile
            if child.stat().st_mtime < cutoff:
                child.rmdir()


def accept_upload(
    app: Appliance, who: Principal, collection: str, filename: str, stream: IO[bytes], enqueue: Enqueue
) -> UploadReceipt:
    if not who.can_ingest:
        raise Forbidden(
            "auth.forbidden",
            "uploading needs the role archivist or admin",
            hint="ask an administrator for the archivist role",
        )
    with read_session(app.db) as session:
        row = session.exec(select(Collection).where(Collection.name == collection)).first()
        # An unreadable collection answers like a missing one: no hint that it exists.
        if row is None or row.id is None or not can_read_collection(session, who, row.id):
            raise NotFound(
                "collection.not_found",
                f"no collection '{collection}'",
                hint="choose one of the collections offered",
            )
    safe = sanitize_filename(filename)
    limit = app.settings.web.max_upload_mb * MIB
    _prune(app.layout.uploads)
    folder = app.layout.uploads / uuid.uuid4().hex
    folder.mkdir(parents=True)
    too_large = BelfortError("upload.too_large", f"the file is larger than {app.settings.web.max_upload_mb} MiB",
                             hint="split the file or raise web.max_upload_mb", status=413)
    try:
        staged = stage_stream(stream, folder / safe, limit, too_large)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job_id = enqueue(app, staged.path, collection, safe, who.username)
    return UploadReceipt(job_id=job_id, collection=collection, filename=safe, size=staged.size)

