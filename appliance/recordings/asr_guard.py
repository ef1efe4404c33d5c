"""Hallucination guard: drop the text Whisper invents on silence, noise and music.

Whisper was trained on subtitled video, so on silence it writes subtitle credits ("Ondertitels
ingediend door de Amara.org gemeenschap"), sign-offs ("Bedankt voor het kijken") or loops one line
over and over. Minutes are a legal record, so such text must never reach them. A segment is dropped
when any of these holds (the thresholds are Whisper's own fallback thresholds):
- the decoder thought there was no speech and was unsure of its words (no-speech probability high
  and mean log-probability low);
- the text compresses too well (a repetition loop inside one segment);
- the same text comes back more than `max_repeats` times in a row;
- the text is a known phantom phrase (after normalisation: case, accents, punctuation).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from models.base import Segment

# Exact phrases: dropped when a segment is this phrase, alone or with a couple of stray words.
PHANTOM_PHRASES = (
    "ondertitels ingediend door de amara org gemeenschap",
    "ondertiteling ingediend door de amara org gemeenschap",
    "bedankt voor het kijken",
    "bedankt om te kijken",
    "vergeet niet te abonneren",
    "abonneer op het kanaal",
    "merci d avoir regarde",
    "merci d avoir regarde cette video",
    "abonnez vous",
    "n oubliez pas de vous abonner",
    "thanks for watching",
    "thank you for watching",
    "please subscribe",
)
# Prefixes: subtitle credits end in a name or a year that varies ("Ondertiteling door TV Gelderland").
PHANTOM_PREFIXES = (
    "ondertiteling door",
    "ondertiteld door",
    "ondertitels door",
    "ondertiteling ingediend door",
    "ondertitels ingediend door",
    "sous titres realises par",
    "sous titres fait par",
    "sous titres faits par",
    "sous titrage",
    "subtitles by",
)
PHANTOM_MARKERS = ("amara org",)  # anywhere in the segment: never said in a meeting
# Sound annotations Whisper writes for non-speech ("MUZIEK.", "[Applaus]"): dropped when alone.
ANNOTATIONS = frozenset({
    "muziek", "muziek speelt", "applaus", "gelach", "stilte", "musique", "applaudissements", "rires",
    "silence", "music", "applause", "laughter",
})

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces, whitespace collapsed."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _SPACE.sub(" ", _PUNCT.sub(" ", folded)).strip()


def is_phantom(text: str) -> bool:
    norm = normalise(text)
    if not norm:
        return False
    if norm in ANNOTATIONS:
        return True
    if any(marker in norm for marker in PHANTOM_MARKERS):
        return True
    if any(norm == p or norm.startswith(p + " ") for p in PHANTOM_PREFIXES):
        return True
    for phrase in PHANTOM_PHRASES:
        if norm == phrase or (norm.startswith(phrase + " ") and len(norm.split()) - len(phrase.split()) <= 2):
            return True
    return False


@dataclass(frozen=True)
class GuardConfig:
    no_speech_prob: float = 0.6
    log_prob: float = -1.0
    compression_ratio: float = 2.4
    max_repeats: int = 2  # "ja. ja." is speech; the same line a third time in a row is a loop


DEFAULT_GUARD = GuardConfig()


def reason_to_drop(seg: Segment, cfg: GuardConfig = GuardConfig()) -> str:
    """'' to keep the segment, or why it goes: empty | no_speech | compression | phantom."""
    if not normalise(seg.text):
        return "empty"
    if seg.no_speech_prob > cfg.no_speech_prob and seg.avg_logprob < cfg.log_prob:
        return "no_speech"
    if seg.compression_ratio > cfg.compression_ratio:
        return "compression"
    if is_phantom(seg.text):
        return "phantom"
    return ""


class Guard:
    """A streaming filter; keep one per recording so repeats are caught across chunks."""

    def __init__(self, cfg: GuardConfig = GuardConfig()) -> None:
        self.cfg = cfg
        self.last = ""
        self.run = 0
        self.dropped: dict[str, int] = {}

    def keep(self, seg: Segment) -> bool:
        why = reason_to_drop(seg, self.cfg)
        if not why:
            norm = normalise(seg.text)
            self.run = self.run + 1 if norm == self.last else 1
            self.last = norm
            if self.run > self.cfg.max_repeats:
                why = "repeat"
        if why:
            self.dropped[why] = self.dropped.get(why, 0) + 1
            return False
        return True

    def filter(self, segments: Iterable[Segment]) -> Iterator[Segment]:
        return (s for s in segments if self.keep(s))


def guard_segments(segments: Iterable[Segment], cfg: GuardConfig = GuardConfig()) -> list[Segment]:
    return list(Guard(cfg).filter(segments))
