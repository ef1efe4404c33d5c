"""Demo minutes: a short fictional council meeting of Gemeente Belveld, read aloud by espeak-ng.

Its agenda, speakers and street names are stored with the recording: they prime the transcription
and the draft uses that agenda.

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
# Fictional: written for this demo. Three speakers, each an espeak-ng Dutch voice of its own
# (variant, pitch, pace); one sentence per clip, with a pause after it that is longer at the end of
# a turn than inside one. Every decision is said aloud: two votes with their counts, one unanimous
# approval and one acknowledgement.
# Pace: 110-115 words a minute with a short gap between words; people speak ~150, but whisper-base
# then mishears espeak more often (measured on this script: WER 0.66 at 120, 0.71 at 135-145).
VOICES = {  # speaker -> (espeak-ng voice+variant, words per minute, pitch 0-99)
    "voorzitter": ("nl", 110, 45),
    "schepen": ("nl+f3", 115, 60),
    "raadslid": ("nl+m1", 110, 35),
}
WORD_GAP = "3"  # espeak-ng -g: tens of milliseconds between words
MEETING = [
    ("voorzitter", "Goedenavond iedereen. Ik open de openbare zitting van de gemeenteraad van Belveld."),
    ("voorzitter", "Agendapunt één: de notulen van de vorige zitting."),
    ("voorzitter", "Zijn er opmerkingen? Dat is niet het geval. De notulen worden eenparig goedgekeurd."),
    ("voorzitter", "Agendapunt twee: de heraanleg van de Molenstraat. Ik geef het woord aan schepen Pieter Claes."),
    ("schepen", ("Dank u, voorzitter. Het college stelt voor om in de Molenstraat een veilig fietspad aan te "
                 "leggen, met bomen tussen de rijbaan en het fietspad.")),
    ("raadslid", "Onze fractie steunt het fietspad, maar we vragen extra parkeerplaatsen in de Kerkstraat."),
    ("voorzitter", ("We gaan over tot de stemming. Twintig stemmen voor, drie tegen, twee onthoudingen. "
                    "Het voorstel is goedgekeurd.")),
    ("voorzitter", "Agendapunt drie: het reglement voor evenementen op het openbaar domein."),
    ("schepen", "Wie een evenement op het Marktplein organiseert, vraagt de toelating voortaan zes weken vooraf aan."),
    ("voorzitter", "De raad neemt kennis van het nieuwe reglement."),
    ("voorzitter", "Agendapunt vier: de openingsuren van de bibliotheek."),
    ("schepen", "De bibliotheek is voortaan ook op zaterdagvoormiddag open."),
    ("voorzitter", "Stemming: drieëntwintig stemmen voor, geen tegenstemmen, twee onthoudingen. Goedgekeurd."),
    ("voorzitter", "Ik sluit de zitting. Dank u wel en nog een fijne avond."),
]
AGENDA = [
    {"number": 1, "title": "Notulen van de vorige zitting"},
    {"number": 2, "title": "Heraanleg van de Molenstraat"},
    {"number": 3, "title": "Reglement voor evenementen op het openbaar domein"},
    {"number": 4, "title": "Openingsuren van de bibliotheek"},
]
NAMES = ["An Verhulst", "Pieter Claes", "Sofie Maes"]  # fictional chair, alderman and councillor
PLACES = ["Belveld", "Molenstraat", "Kerkstraat", "Marktplein", "Stationsstraat", "Dorpsplein"]
PAUSE_IN_TURN = "0.45"  # seconds after a sentence when the same speaker goes on
PAUSE_AFTER_TURN = "0.9"  # when another speaker takes over


def _whisper_ready(app: Appliance) -> bool:
    from models.catalog import resolve_model_dir

    try:
        import faster_whisper  # noqa: F401

        folder = resolve_model_dir(app.settings.models_dir, app.settings.asr.model)
    except Exception:  # noqa: BLE001 - not installed or not provisioned: the demo skips the recording
        return False
    return (folder / "model.bin").is_file()


def speak_meeting(target: Path) -> Path:
    """Every line read by its speaker's espeak-ng voice, 16 kHz mono, joined with pauses, into target."""
    with tempfile.TemporaryDirectory(prefix="belfort-demo-") as tmp:
        parts = []
        for n, (speaker, sentence) in enumerate(MEETING):
            voice, pace, pitch = VOICES[speaker]
            nxt = MEETING[n + 1][0] if n + 1 < len(MEETING) else ""
            pause = PAUSE_IN_TURN if nxt == speaker else PAUSE_AFTER_TURN
            raw, part = Path(tmp) / f"{n:02d}.raw.wav", Path(tmp) / f"{n:02d}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(pace), "-p", str(pitch), "-g", WORD_GAP, "-w", str(raw),
                            sentence], check=True, capture_output=True, timeout=60)
            subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", str(part), "pad", "0", pause],
                           check=True, capture_output=True, timeout=60)
            parts.append(str(part))
        joined = Path(tmp) / "meeting.wav"
        subprocess.run(["sox", *parts, str(joined)], check=True, capture_output=True, timeout=60)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(joined, target)
    return target


def reference_text() -> str:
    """What the recording says (for measuring the transcript against it)."""
    return " ".join(sentence for _, sentence in MEETING)


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
    from appliance.mandates import import_mandates, list_bodies
    from appliance.recordings import set_vocabulary
    from ops.demo.seed_lblod import MANDATES_FILE, RAAD

    if not list_bodies(app):  # the demo council's mandatarissen prime the transcription too
        import_mandates(app, MANDATES_FILE, actor="demo-seed")
    set_vocabulary(app, rec.id, agenda=AGENDA, names=NAMES, places=PLACES, body_uri=RAAD)
    queue_recording(app, rec)
    log(f"demo: council meeting recording ({rec.duration:.0f} s) queued for transcription: "
        f"/recordings/{rec.id}")
    return rec
