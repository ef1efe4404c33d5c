"""ASR evaluation: WER, CER and real-time factor of Belfort's transcriber next to raw faster-whisper.

Manifest: one clip per line, `audio_path<TAB>reference text` (paths relative to the manifest's
folder are allowed; blank lines and lines starting with # are skipped). Both systems run the same
model object with the same decoding settings (language, beam size, VAD) in the same process, clip
by clip and in alternating order, so machine load hits both alike. Belfort's figure includes its
own audio decoding, the hallucination guard and language tagging; raw is
`WhisperModel.transcribe(path)` joined into one string.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from appliance.errors import BelfortError
from appliance.recordings import Guard
from models.base import ModelError, Transcriber

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")
RawFn = Callable[[Path], str]


def normalise_text(text: str) -> str:
    """Lower case, punctuation removed, whitespace collapsed; accents and digits kept as they are."""
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.casefold())).strip()


@dataclass
class Score:
    word_edits: int = 0
    ref_words: int = 0
    char_edits: int = 0
    ref_chars: int = 0
    seconds: float = 0.0
    failed: int = 0

    def add(self, ref: str, hyp: str) -> None:
        r, h = normalise_text(ref), normalise_text(hyp)
        self.word_edits += Levenshtein.distance(r.split(), h.split())
        self.ref_words += len(r.split())
        self.char_edits += Levenshtein.distance(r, h)
        self.ref_chars += len(r)

    def summary(self, audio_seconds: float) -> dict[str, float]:
        return {
            "wer": round(self.word_edits / max(1, self.ref_words), 4),
            "cer": round(self.char_edits / max(1, self.ref_chars), 4),
            "rtf": round(self.seconds / audio_seconds, 4) if audio_seconds else 0.0,
            "seconds": round(self.seconds, 2),
            "failed": self.failed,
        }


def wer(ref: str, hyp: str) -> float:
    s = Score()
    s.add(ref, hyp)
    return s.word_edits / max(1, s.ref_words)


def cer(ref: str, hyp: str) -> float:
    s = Score()
    s.add(ref, hyp)
    return s.char_edits / max(1, s.ref_chars)


def read_manifest(path: Path, limit: int | None = None) -> list[tuple[Path, str]]:
    rows: list[tuple[Path, str]] = []
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if "\t" not in line:
            raise BelfortError("eval.bad_manifest", f"line {n} of {Path(path).name} has no tab",
                               hint="each line: audio_path<TAB>reference text")
        audio, ref = line.split("\t", 1)
        audio_path = Path(audio)
        rows.append((audio_path if audio_path.is_absolute() else Path(path).parent / audio_path, ref.strip()))
        if limit is not None and len(rows) >= limit:
            break
    if not rows:
        raise BelfortError("eval.empty_manifest", f"{Path(path).name} lists no clips",
                           hint="each line: audio_path<TAB>reference text")
    return rows


def raw_faster_whisper(transcriber: Any, language: str | None) -> RawFn:
    """The plain library call on the very model object Belfort uses, with its decoding settings."""
    import ctranslate2

    model = transcriber.model
    seed = getattr(transcriber, "seed", 0)

    def run(path: Path) -> str:
        ctranslate2.set_random_seed(seed)  # the seed Belfort sets: the same fallback samples
        segments, _info = model.transcribe(str(path), language=language, beam_size=transcriber.beam_size,
                                           vad_filter=transcriber.vad)
        return " ".join(s.text.strip() for s in segments)

    return run


@dataclass
class _Run:
    belfort: Score = field(default_factory=Score)
    raw: Score = field(default_factory=Score)
    audio_seconds: float = 0.0
    dropped: dict[str, int] = field(default_factory=dict)
    ratios: list[float] = field(default_factory=list)  # per clip: Belfort's seconds / raw's seconds


def _belfort_text(transcriber: Transcriber, path: Path, language: str | None, run: _Run) -> str:
    from appliance.recordings import tag_language

    g = Guard()
    segs = [tag_language(s) for s in g.filter(transcriber.transcribe(path, language=language))]
    for why, count in g.dropped.items():
        run.dropped[why] = run.dropped.get(why, 0) + count
    return " ".join(s.text for s in segs)


def evaluate_asr(
    manifest: Path, *, transcriber: Transcriber, raw: RawFn | None = None, limit: int | None = None,
    language: str | None = "nl", durations: Callable[[Path], float] | None = None,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Score Belfort and raw on the manifest; returns the one JSON object `belfort eval asr` prints."""
    from models.whisper import probe

    rows = read_manifest(manifest, limit)
    raw = raw or raw_faster_whisper(transcriber, language)
    duration_of = durations or (lambda p: probe(p).duration)
    run = _Run()
    # One untimed warm-up per system, so neither pays the first-call costs (allocations, VAD load).
    first = rows[0][0]
    for warm in (lambda: _belfort_text(transcriber, first, language, _Run()), lambda: raw(first)):
        try:
            warm()
        except (ModelError, BelfortError):
            pass
    systems: Sequence[tuple[str, Callable[[Path], str], Score]] = (
        ("belfort", lambda p: _belfort_text(transcriber, p, language, run), run.belfort),
        ("raw", raw, run.raw),
    )
    n = 0
    for i, (path, ref) in enumerate(rows):
        try:
            seconds = duration_of(path)
        except ModelError:
            run.belfort.failed += 1
            run.raw.failed += 1
            continue
        run.audio_seconds += seconds
        n += 1
        # Alternate who goes first: neither system always meets a warm cache or a busy neighbour.
        took: dict[str, float] = {}
        for name, fn, score in (systems if i % 2 == 0 else tuple(reversed(systems))):
            t0 = time.perf_counter()
            try:
                hyp = fn(path)
            except (ModelError, BelfortError):
                hyp = ""
                score.failed += 1
            took[name] = time.perf_counter() - t0
            score.seconds += took[name]
            score.add(ref, hyp)
        if took["raw"] > 0:
            run.ratios.append(took["belfort"] / took["raw"])
        if progress is not None:
            progress(i + 1, len(rows), _result(run, n, transcriber, language))
    return _result(run, n, transcriber, language)


def _result(run: _Run, n: int, transcriber: Transcriber, language: str | None) -> dict[str, Any]:
    b, r = run.belfort.summary(run.audio_seconds), run.raw.summary(run.audio_seconds)
    return {
        "belfort": b,
        "raw": r,
        "n": n,
        "audio_seconds": round(run.audio_seconds, 2),
        "rtf_overhead": round(b["rtf"] / r["rtf"] - 1.0, 4) if r["rtf"] else 0.0,
        # The median of per-clip time ratios: a load spike on a shared machine moves one clip, not this.
        "rtf_overhead_median_clip": round(statistics.median(run.ratios) - 1.0, 4) if run.ratios else 0.0,
        "language": language or "auto",
        "model": getattr(transcriber, "name", ""),
        "guard_dropped": run.dropped,
    }
