"""Speaker diarization: who speaks when, behind the `Diarizer` protocol.

No neural diarization model ships with Belfort (none is installable offline from the package
registries), so the default is `none`: people split turns and assign speakers in the transcript
editor. Two engines exist:
- `channel`: a stereo recording with one microphone per channel (a telephone call, an interview
  recorder with two lavalier microphones). Per short window the channel carrying clearly more energy
  is the speaker. It decodes in a stream, so a 6-hour file never sits in memory.
- `pyannote`: the pyannote.audio pipeline, once IT provisions the package and its weights into
  `<models_dir>/pyannote-speaker-diarization/` (config.yaml pointing at local checkpoint files).
Labels are S1, S2, ...: the editor maps a label to an attendee's name for the whole recording.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from models.base import ModelError, Segment, Turn, Word

PYANNOTE_DIR = "pyannote-speaker-diarization"
PYANNOTE_HINT = (
    "IT provisions pyannote.audio 3.x and the pyannote/speaker-diarization-3.1 pipeline (config.yaml with "
    "local segmentation-3.0 and wespeaker-voxceleb-resnet34-LM checkpoints) into "
    f"<models_dir>/{PYANNOTE_DIR}/; until then set asr.diarizer = 'channel' (one speaker per stereo "
    "channel) or 'none' (speakers are assigned in the transcript editor)"
)


class ChannelDiarizer:
    """One speaker per channel of a stereo recording; mono recordings yield no turns."""

    name = "channel"

    def __init__(self, *, window: float = 0.25, rate: int = 8000, dominance_db: float = 6.0,
                 floor_db: float = -50.0, min_gap: float = 0.5) -> None:
        self.window = window
        self.rate = rate  # energy needs no more than telephone bandwidth
        self.dominance_db = dominance_db  # one channel this much louder: that speaker talks
        self.floor_db = floor_db  # below this (dBFS) both channels are silent
        self.min_gap = min_gap  # a pause shorter than this does not end a turn

    def window_labels(self, audio: Path) -> list[int]:
        """Per window: 0 or 1 for the dominant channel, -1 for silence or both at once."""
        import av

        from models.whisper import _frames, _open

        container = _open(Path(audio))
        try:
            stream = container.streams.audio[0]
            if (stream.codec_context.channels or 1) < 2:
                return []
            resampler = av.audio.resampler.AudioResampler(format="s16", layout="stereo", rate=self.rate)
            size = max(1, round(self.window * self.rate))
            carry = np.zeros((0, 2), dtype=np.float64)
            labels: list[int] = []
            for frame in _frames(container, stream):
                frame.pts = None
                for out in resampler.resample(frame):
                    carry = np.concatenate([carry, out.to_ndarray().reshape(-1, 2) / 32768.0])
                    whole = carry.shape[0] // size * size
                    labels += self._label(carry[:whole].reshape(-1, size, 2))
                    carry = carry[whole:]
            for out in resampler.resample(None):
                carry = np.concatenate([carry, out.to_ndarray().reshape(-1, 2) / 32768.0])
            if carry.shape[0]:
                labels += self._label(carry.reshape(1, -1, 2))
            return labels
        finally:
            container.close()

    def _label(self, windows: np.ndarray) -> list[int]:
        if windows.size == 0:
            return []
        db = 10 * np.log10(np.mean(windows**2, axis=1) + 1e-12)  # (n, 2) energy per channel
        loud = db.max(axis=1) > self.floor_db
        which = np.argmax(db, axis=1)
        clear = np.abs(db[:, 0] - db[:, 1]) >= self.dominance_db
        labels: list[int] = np.where(loud & clear, which, -1).astype(int).tolist()
        return labels

    def diarize(self, audio: Path) -> list[Turn]:
        turns: list[Turn] = []
        for i, label in enumerate(self.window_labels(audio)):
            if label < 0:
                continue
            start, end, speaker = i * self.window, (i + 1) * self.window, f"S{label + 1}"
            last = turns[-1] if turns else None
            if last is not None and last.speaker == speaker and start - last.end <= self.min_gap:
                turns[-1] = Turn(last.start, end, speaker)
            else:
                turns.append(Turn(start, end, speaker))
        return [Turn(round(t.start, 3), round(t.end, 3), t.speaker) for t in turns]


class PyannoteDiarizer:
    """pyannote.audio's pipeline from a local folder (no hub access: the config names local files)."""

    name = "pyannote"

    def __init__(self, model_dir: Path) -> None:
        config = Path(model_dir) / "config.yaml"
        if not config.is_file():
            raise ModelError("diarizer.missing_model", f"no diarization pipeline in {model_dir}",
                             hint=PYANNOTE_HINT)
        try:
            from pyannote.audio import Pipeline
        except ImportError as exc:
            raise ModelError("diarizer.missing_engine", "pyannote.audio is not installed",
                             hint=PYANNOTE_HINT) from exc
        self._pipeline: Any = Pipeline.from_pretrained(str(config))

    def diarize(self, audio: Path) -> list[Turn]:
        result = self._pipeline(str(audio))
        names: dict[str, str] = {}
        turns = []
        for span, _track, label in result.itertracks(yield_label=True):
            speaker = names.setdefault(label, f"S{len(names) + 1}")
            turns.append(Turn(round(span.start, 3), round(span.end, 3), speaker))
        return sorted(turns, key=lambda t: t.start)


def assign_speakers(segments: Sequence[Segment], turns: Sequence[Turn], *, min_share: float = 0.3) -> int:
    """Give each segment without a speaker the speaker whose turns overlap it most.

    A segment gets a label only when that speaker covers at least `min_share` of it (crosstalk and
    silence stay unlabelled rather than guessed). Returns how many segments got a speaker.
    """
    done = 0
    for seg in segments:
        if seg.speaker:
            continue
        length = max(seg.end - seg.start, 1e-3)
        overlap: dict[str, float] = {}
        for turn in turns:
            if turn.end <= seg.start:
                continue
            if turn.start >= seg.end:
                break  # turns are in time order
            shared = min(seg.end, turn.end) - max(seg.start, turn.start)
            overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
        if overlap:
            speaker, shared = max(overlap.items(), key=lambda kv: kv[1])
            if shared / length >= min_share:
                seg.speaker = speaker
                done += 1
    return done


def speaker_at(t: float, turns: Sequence[Turn]) -> str:
    for turn in turns:
        if turn.start <= t < turn.end:
            return turn.speaker
        if turn.start > t:
            break
    return ""


def split_at_turns(segments: Sequence[Segment], turns: Sequence[Turn]) -> list[Segment]:
    """Cut segments where the speaker changes (between words), then label every piece.

    Whisper often writes one segment across a short pause in which the speaker changed; with word
    timestamps each word goes to the turn it lies in (a word in no turn stays with its neighbour),
    and consecutive words of one speaker form a segment. Segments without words keep their span and
    get the speaker who covers most of it (`assign_speakers`).
    """
    turns = sorted(turns, key=lambda t: t.start)
    out: list[Segment] = []
    for seg in segments:
        if seg.speaker or len(seg.words) < 2:
            out.append(seg)
            continue
        runs: list[tuple[str, list[Word]]] = []
        for word in seg.words:
            who = speaker_at((word.start + word.end) / 2, turns) or (runs[-1][0] if runs else "")
            if runs and (runs[-1][0] == who or not runs[-1][0]):
                runs[-1] = (who or runs[-1][0], [*runs[-1][1], word])
            else:
                runs.append((who, [word]))
        if len(runs) == 1:
            out.append(seg)
            continue
        for who, words in runs:
            text = "".join(w.text for w in words).strip()
            if text:
                out.append(replace(seg, start=words[0].start, end=words[-1].end, text=text, speaker=who,
                                   words=list(words)))
    assign_speakers(out, turns)
    return out
