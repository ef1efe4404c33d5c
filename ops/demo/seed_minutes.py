"""Demo minutes: a short fictional council meeting of Gemeente Belveld, read aloud by espeak-ng.

Made once (when espeak-ng, sox and the whisper model are there), stored as a recording uploaded by
`archivaris` and queued for transcription: the worker that `belfort up` starts transcribes it, so
the seed itself stays fast. Without the tools or the model it is skipped with one log line.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import select

from appliance.db.engine import read_session
from appliance.db.tables import Recording, User
from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.context import Appliance

UPLOADER = "archivaris"
FILE_NAME = "gemeenteraad-belveld-demo.wav"
# Fictional: written for this demo. One sentence per segment; espeak reads it slowly enough for
# whisper-base (110 words a minute, 40 ms between words), with a pause after each sentence.
MEETING = [
    "Goedenavond, ik open de zitting van de gemeenteraad van Belveld.",
    "Punt een: de notulen van de vorige zitting.",
    "Er zijn geen opmerkingen. De notulen worden goedgekeurd.",
    "Punt twee: de heraanleg van de Molenstraat.",
    "Het college stelt voor om een veilig fietspad aan te leggen.",
    "Stemming: twintig stemmen voor, drie tegen, twee onthoudingen. Het voorstel is goedgekeurd.",
    "Punt drie: het reglement voor evenementen op het openbaar domein.",
    "De raad neemt kennis van het nieuwe reglement.",
    "Punt vier: de nieuwe openingsuren van de bibliotheek.",
    "De bibliotheek is voortaan ook op zaterdag open.",
    "Ik sluit de zitting. Dank u wel.",
]
PAUSE_SECONDS = "0.8"


def _whisper_ready(app: Appliance) -> bool:
    from models.catalog import resolve_model_dir

    try:
        import faster_whisper  # noqa: F401

        folder = resolve_model_dir(app.settings.models_dir, app.settings.asr.model)
    except Exception:  # noqa: BLE001 - not installed or not provisioned: the demo skips the recording
        return False
    return (folder / "model.bin").is_file()


def speak_meeting(target: Path) -> Path:
    """All sentences read by espeak-ng (Dutch voice), 16 kHz mono, joined with pauses, into target."""
    with tempfile.TemporaryDirectory(prefix="belfort-demo-") as tmp:
        parts = []
        for n, sentence in enumerate(MEETING):
            raw, part = Path(tmp) / f"{n:02d}.raw.wav", Path(tmp) / f"{n:02d}.wav"
            subprocess.run(["espeak-ng", "-v", "nl", "-s", "110", "-g", "4", "-w", str(raw), sentence],
                           check=True, capture_output=True, timeout=60)
            subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", str(part), "pad", "0", PAUSE_SECONDS],
                           check=True, capture_output=True, timeout=60)
            parts.append(str(part))
        joined = Path(tmp) / "meeting.wav"
        subprocess.run(["sox", *parts, str(joined)], check=True, capture_output=True, timeout=60)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(joined, target)
    return target


def _existing(app: Appliance) -> Recording | None:
    with read_session(app.db) as s:
        return s.exec(select(Recording).where(Recording.uploaded_by == UPLOADER,
                                              Recording.source_name == FILE_NAME)).first()


def seed_recording(app: Appliance, log: Callable[[str], None]) -> Recording | None:
    """The demo recording (made and queued once), or None when it was skipped."""
    from appliance.access import principal_for
    from appliance.jobs import queue_recording
    from appliance.recordings import store_upload

    found = _existing(app)
    if found is not None:
        log(f"demo: council meeting recording ({found.state}): /recordings/{found.id}")
        return found
    missing = [t for t in ("espeak-ng", "sox") if shutil.which(t) is None]
    if missing or not _whisper_ready(app):
        why = f"{' and '.join(missing)} not installed" if missing else "speech model not provisioned"
        log(f"demo: no council meeting recording ({why}); upload one at /recordings")
        return None
    with read_session(app.db) as s:
        user = s.exec(select(User).where(User.username == UPLOADER)).first()
        if user is None:
            return None
        who = principal_for(s, user)
    wav = app.layout.staging / "demo-minutes" / FILE_NAME
    try:
        speak_meeting(wav)
        with wav.open("rb") as fh:
            rec = store_upload(app, who, FILE_NAME, fh)
    except (OSError, subprocess.SubprocessError, BelfortError) as exc:  # the rest of the demo still starts
        log(f"demo: no council meeting recording ({getattr(exc, 'code', type(exc).__name__)})")
        return None
    finally:
        shutil.rmtree(wav.parent, ignore_errors=True)
    assert rec.id is not None
    queue_recording(app, rec)
    log(f"demo: council meeting recording ({rec.duration:.0f} s) queued for transcription: "
        f"/recordings/{rec.id}")
    return rec
