"""Speech to text with faster-whisper (CTranslate2), from a provisioned model folder.

Audio and video files are decoded with PyAV, the FFmpeg binding bundled with faster-whisper (no
system ffmpeg): wav, mp3, m4a, ogg, opus, webm, mp4 and anything else FFmpeg reads. Every file is
downmixed to mono at 16 kHz; a stereo recording with one speaker per channel therefore becomes one
track with both voices, which Whisper handles like any conversation (speaker turns are the
diarizer's or the editor's job, not the decoder's).

`transcribe(offset=, duration=)` decodes only that window (a seek, not a decode from the start), so
a long meeting is transcribed in chunks without holding hours of samples in memory; timestamps are
always relative to the start of the original recording.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.base import ModelError, Segment, Word

SAMPLE_RATE = 16000
INSTALL_HINT = "belfort models install-defaults --only whisper-base (or set the model folder)"
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
# Temperature-fallback samples: a fixed seed makes a fresh engine's transcripts reproducible. CTranslate2
# seeds each compute thread's generator once, so within one engine the samples also depend on what it
# transcribed before (measured: the same garbled clip gave 1, 1, 6 and 8 segments on four calls).
SEED = 0
# PyAV's resampler frees its buffers only on a garbage collection (faster-whisper #390); a full
# collection costs ~0.1 s with a model loaded, so collect per 10 minutes decoded, not per file.
_GC_EVERY_SAMPLES = 600 * SAMPLE_RATE
_decoded_since_gc = 0


@dataclass(frozen=True)
class AudioInfo:
    duration: float  # seconds; measured by decoding when the container does not say
    channels: int
    sample_rate: int
    codec: str


def _open(path: Path) -> Any:
    """Open a media file, mapping every failure to a stable code with a hint."""
    import av

    if not path.is_file():
        raise ModelError("asr.not_found", f"no such audio file: {path.name}", hint="check the path")
    if path.stat().st_size == 0:
        raise ModelError("asr.empty_audio", f"{path.name} is an empty file (0 bytes)",
                         hint="the recording was not saved; record or copy it again")
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise ModelError("asr.corrupt_audio", f"{path.name} cannot be read as audio or video",
                         hint="the file is damaged or not a media file; export it again "
                              "(wav, mp3, m4a, ogg, opus, webm, mp4)") from exc
    if not container.streams.audio:
        container.close()
        raise ModelError("asr.no_audio_track", f"{path.name} has no audio track",
                         hint="the video was recorded without sound; check the microphone and export again")
    return container


def _origin(stream: Any) -> float:
    # Time zero of the recording is its first sample, whatever the container's start time.
    if stream.start_time is not None and stream.time_base is not None:
        return float(stream.start_time * stream.time_base)
    return 0.0


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    import av

    it = container.decode(stream)
    while True:
        try:
            yield next(it)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            continue  # one damaged packet in a long recording is skipped, not fatal


def _decode(path: Path, offset: float, duration: float | None, *, seek: bool) -> np.ndarray:
    import av

    container = _open(path)
    have = 0  # samples decoded so far
    try:
        stream = container.streams.audio[0]
        origin = _origin(stream)
        resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        start_at: float | None = None  # recording time of the first decoded sample
        if seek and offset > 0:
            container.seek(int((offset + origin) / stream.time_base), stream=stream, backward=True)
        pieces: list[np.ndarray] = []
        want_end = None if duration is None else offset + duration
        try:
            for frame in _frames(container, stream):
                if start_at is None:
                    if seek and offset > 0:
                        if frame.time is None or frame.time - origin > offset + 1e-3:
                            return _decode(path, offset, duration, seek=False)  # imprecise seek
                        start_at = frame.time - origin
                    else:
                        start_at = 0.0
                frame.pts = None
                for out in resampler.resample(frame):
                    arr = out.to_ndarray().reshape(-1)
                    pieces.append(arr)
                    have += arr.size
                if want_end is not None and start_at + have / SAMPLE_RATE >= want_end + 0.5:
                    break
            else:
                for out in resampler.resample(None):
                    pieces.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError as exc:
            raise ModelError("asr.corrupt_audio", f"{path.name} cannot be decoded",
                             hint="the file is damaged; export it again") from exc
    finally:
        container.close()
        _collect_now_and_then(have)
    if not pieces or start_at is None:
        return np.zeros(0, dtype=np.float32)
    audio = np.concatenate(pieces).astype(np.float32) / 32768.0
    first = max(0, round((offset - start_at) * SAMPLE_RATE))
    last = None if duration is None else first + round(duration * SAMPLE_RATE)
    return audio[first:last]


def _collect_now_and_then(samples: int) -> None:
    global _decoded_since_gc
    _decoded_since_gc += samples
    if _decoded_since_gc >= _GC_EVERY_SAMPLES:
        _decoded_since_gc = 0
        gc.collect()


def decode_window(path: Path, offset: float = 0.0, duration: float | None = None) -> np.ndarray:
    """Mono float32 samples at 16 kHz of [offset, offset + duration) seconds of the recording."""
    return _decode(Path(path), max(0.0, offset), duration, seek=True)


def probe(path: Path) -> AudioInfo:
    """Duration, channels and codec; raises ModelError for empty, corrupt or silent-video files."""
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.audio[0]
        seconds = None
        if stream.duration is not None and stream.time_base is not None:
            seconds = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            seconds = container.duration / 1_000_000  # AV_TIME_BASE
        info = AudioInfo(seconds or 0.0, stream.codec_context.channels or 1,
                         stream.codec_context.sample_rate or 0, stream.codec_context.name or "")
    finally:
        container.close()
    if not info.duration:  # e.g. webm from a browser recorder carries no duration: count samples
        info = AudioInfo(decode_window(path).size / SAMPLE_RATE, info.channels, info.sample_rate, info.codec)
    if info.duration <= 0:
        raise ModelError("asr.empty_audio", f"{path.name} holds no audio (0 seconds)",
                         hint="the recording is empty; record or export it again")
    return info


def check_model_dir(model_dir: Path) -> None:
    missing = [f for f in REQUIRED_FILES if not (Path(model_dir) / f).is_file()]
    if missing:
        raise ModelError("asr.missing_model",
                         f"speech model not provisioned in {model_dir} (missing {', '.join(missing)})",
                         hint=INSTALL_HINT)


class WhisperTranscriber:
    """faster-whisper behind the `Transcriber` protocol; the model loads once, on first use."""

    def __init__(self, model_dir: Path, *, device: str = "cpu", compute_type: str = "int8",
                 threads: int = 0, beam_size: int = 5, vad: bool = True, word_timestamps: bool = False) -> None:
        self.model_dir = Path(model_dir)
        check_model_dir(self.model_dir)
        self.device = device
        self.compute_type = compute_type
        self.threads = threads or (os.cpu_count() or 1)
        self.beam_size = beam_size
        self.vad = vad
        self.word_timestamps = word_timestamps  # for speaker turns: a segment can be cut between words
        self.seed = SEED
        self.name = f"faster-whisper:{self.model_dir.name}:{compute_type}"
        self._model: Any = None
        self.last_language = ""
        self.last_decode_seconds = 0.0

    @property
    def model(self) -> Any:
        if self._model is None:
            from faster_whisper import WhisperModel

            try:
                self._model = WhisperModel(str(self.model_dir), device=self.device,
                                           compute_type=self.compute_type, cpu_threads=self.threads,
                                           local_files_only=True)
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelError("asr.model_load_failed", f"speech model in {self.model_dir} did not load: {exc}",
                                 hint="verify it with `belfort models verify`; on CPU use compute_type int8") from exc
        return self._model

    def transcribe(
        self, audio: Path, *, language: str | None = None, hotwords: Sequence[str] = (),
        offset: float = 0.0, duration: float | None = None,
    ) -> Iterator[Segment]:
        t0 = time.perf_counter()
        samples = decode_window(Path(audio), offset, duration)
        self.last_decode_seconds = time.perf_counter() - t0
        if samples.size == 0:
            if offset <= 0:
                raise ModelError("asr.empty_audio", f"{Path(audio).name} holds no audio (0 seconds)",
                                 hint="the recording is empty; record or export it again")
            return  # a window past the end: nothing to say
        words = [w.strip() for w in hotwords if w and w.strip()]
        import ctranslate2

        ctranslate2.set_random_seed(self.seed)
        segments, info = self.model.transcribe(
            samples, language=language or None, beam_size=self.beam_size, vad_filter=self.vad,
            # Names of council members and streets steer the decoder towards their spelling.
            hotwords=", ".join(words) if words else None,
            # Without a fixed language, detect it per 30 s window so Dutch/French switches survive.
            multilingual=not language, word_timestamps=self.word_timestamps,
        )
        self.last_language = language or info.language
        for s in segments:
            yield Segment(
                start=round(offset + s.start, 3), end=round(offset + s.end, 3), text=s.text.strip(),
                language=language or "", no_speech_prob=float(s.no_speech_prob),
                avg_logprob=float(s.avg_logprob), compression_ratio=float(s.compression_ratio),
                words=[Word(round(offset + w.start, 3), round(offset + w.end, 3), w.word) for w in s.words or ()],
            )
