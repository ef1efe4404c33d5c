"""Retention (GDPR): the audio of a meeting is deleted after `minutes.recording_retention_days`;
the transcript, its corrections and the minutes stay.

Only files Belfort stored itself are deleted: uploads under `data_dir/recordings/`. A recording
transcribed in place (`belfort transcribe ~/raad.wav`) points at a person's own file, which is
never touched; its row is left as it is. Uploads are stored once per content hash, so a file is
deleted only when every recording that uses it is past the retention period; all of them are then
marked (`audio_deleted_at`) and each deletion is an AuditEvent. Recordings still being transcribed
keep their audio until the transcription has finished or failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import col, select

from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, LegalHold, Recording

if TYPE_CHECKING:
    from appliance.context import Appliance

log = logging.getLogger(__name__)
BUSY_STATES = ("pending", "running")


@dataclass
class PurgePlan:
    cutoff: datetime | None  # None: retention is off (0 days)
    files: dict[str, list[int]] = field(default_factory=dict)  # stored path -> recording ids
    kept_busy: int = 0  # files kept because a recording using them is still being transcribed
    kept_recent: int = 0  # files kept because a recording using them is younger than the cutoff
    outside: int = 0  # recordings whose audio is not Belfort's own file (never deleted)
    kept_held: int = 0  # files kept because a recording using them is under a legal hold


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _stored_by_belfort(app: Appliance, path: str) -> bool:
    # resolve() follows links: a symlink planted in the folder cannot point the deletion elsewhere.
    if not path:
        return False
    folder = app.layout.recordings.resolve()
    try:
        return Path(path).resolve().is_relative_to(folder)
    except (OSError, RuntimeError):
        return False


def plan_purge(app: Appliance, now: datetime | None = None) -> PurgePlan:
    """Which stored audio files are due for deletion (nothing is changed)."""
    days = app.settings.minutes.recording_retention_days
    if days <= 0:
        return PurgePlan(cutoff=None)
    cutoff = _aware(now or datetime.now(UTC)) - timedelta(days=days)
    plan = PurgePlan(cutoff=cutoff)
    with read_session(app.db) as s:
        rows = s.exec(select(Recording).where(col(Recording.audio_deleted_at).is_(None))).all()
        # A legal hold on the meeting (appliance.governance) suspends the deletion of its audio.
        held = {h.ref for h in s.exec(select(LegalHold).where(LegalHold.kind == "meeting",
                                                              col(LegalHold.released_at).is_(None))).all()}
    by_path: dict[str, list[Recording]] = {}
    for rec in rows:
        if not _stored_by_belfort(app, rec.source_path):
            plan.outside += 1
            continue
        by_path.setdefault(str(Path(rec.source_path).resolve()), []).append(rec)
    for path, recs in by_path.items():
        if any(str(r.id) in held for r in recs):
            plan.kept_held += 1
        elif any(r.state in BUSY_STATES for r in recs):
            plan.kept_busy += 1
        elif any(_aware(r.created_at) > cutoff for r in recs):
            plan.kept_recent += 1
        else:
            plan.files[path] = [r.id for r in recs if r.id is not None]
    return plan


def purge_recordings(app: Appliance, now: datetime | None = None) -> int:
    """Delete the stored audio of recordings past the retention period; returns how many files went."""
    plan = plan_purge(app, now)
    days = app.settings.minutes.recording_retention_days
    deleted = 0
    for path, ids in plan.files.items():
        file = Path(path)
        try:
            size = file.stat().st_size if file.is_file() else 0
            file.unlink(missing_ok=True)
        except OSError as exc:  # a read-only disk or a permission problem: try again tomorrow
            log.warning("retention: could not delete the audio of recordings %s: %s", ids, type(exc).__name__)
            continue
        at = _aware(now or datetime.now(UTC))
        with write_session(app.db) as s:
            for rec_id in ids:
                rec = s.get(Recording, rec_id)
                if rec is None or rec.audio_deleted_at is not None:
                    continue
                rec.audio_deleted_at = at
                s.add(rec)
                # No file name: an uploaded name may name a person. The hash identifies the audio.
                detail = {"reason": "retention", "retention_days": days, "sha256": rec.sha256, "bytes": size,
                          "age_days": (at - _aware(rec.created_at)).days}
                s.add(AuditEvent(actor="system", action="recording.audio_deleted",
                                 target=f"recording:{rec_id}", detail=detail))
        deleted += 1
    if deleted:
        log.info("retention: deleted the audio of %d recording file(s)", deleted)
    return deleted

