"""The per-page OCR choice ("auto"): Tesseract reads every page first (measured the more accurate engine
on office scans of Dutch text); RapidOCR reads a page too only when the page image looks like a photo or
a low-contrast copy, or when Tesseract's own evidence is weak, and then the better-scored text is kept.

Pure functions over the engines' result type (`OcrPage`) and a few image statistics: no engine is
loaded here, so the decision is testable with made-up pages. `AutoOcr` applies it to one image.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from models.base import ModelError, OcrEngine, OcrPage

# Image evidence (grey levels 0..255 on a 300 dpi page): below this ink-to-paper difference a page
# is a faded or low-contrast copy; above this spread of the paper's brightness over the page the light
# was uneven (a photo); above this pixel-to-pixel jitter of the paper it has sensor grain.
LOW_CONTRAST = 0.45
UNEVEN_LIGHT = 0.08
GRAIN = 0.03
# Text evidence: Tesseract's page is trusted alone when this share of its tokens look like words
# and (where the engine reports them) its mean word confidence reaches WEAK_CONFIDENCE.
WEAK_WORDLIKE = 0.85
WEAK_CONFIDENCE = 0.80
# The second engine's text replaces the first only when it scores this much better (relative): on a
# tie the engine measured more accurate on text pages keeps the page.
MARGIN = 0.03

_TOKEN = re.compile(r"\S+")
_EDGE = "\"'“”‘’«»()[]{}.,;:!?…-–—*•/"
_WORD = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")
_NUMBER = re.compile(r"^[€$]?\d+(?:[.,:/-]\d+)*[€%]?$")
_VOWEL = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]", re.IGNORECASE)
_LONGEST_WORD = 24  # longer "words" are mostly words run together (a reader that lost the spaces)
# The commonest short words of Dutch and French: text in the language holds many; garbage and words
# run together hold few. Written for this purpose, not taken from any evaluation text.
FUNCTION_WORDS = frozenset([
    # Dutch
    "de", "het", "een", "en", "van", "in", "op", "te", "dat", "die", "is", "niet", "met", "voor", "zijn",
    "er", "aan", "ook", "als", "bij", "of", "door", "om", "naar", "uit", "over", "tot", "dan", "maar", "nog",
    "wel", "ze", "hij", "zij", "we", "wij", "u", "uw", "dit", "deze", "kan", "worden", "wordt", "werd",
    "heeft", "hebben", "na", "onder", "tussen", "per", "zoals", "geen", "meer", "al", "wat", "wie", "waar",
    "hoe", "zo",
    # French
    "le", "la", "les", "l", "des", "du", "un", "une", "et", "à", "au", "aux", "en", "dans", "pour", "par",
    "sur", "avec", "que", "qui", "ne", "pas", "est", "sont", "ce", "cette", "il", "elle", "nous", "vous",
    "leur", "se", "son", "sa", "ses", "plus", "ou", "mais", "comme", "été", "être", "d",
])


@dataclass(frozen=True)
class TextEvidence:
    """How much a page's text looks like words of the language."""

    tokens: int  # whitespace-separated tokens, lone punctuation and symbols included
    stray: int  # lone punctuation marks: on a misread page mostly specks read as characters
    words: int  # tokens that look like words (letters with a vowel, sane length and case) or numbers
    known: int  # tokens found in the language's word list, and numbers (= words without a word list)
    function_words: int

    @property
    def wordlike(self) -> float:
        """Share of tokens (lone punctuation aside) that look like words: ~0.9+ for a good read of
        prose, low for garbage."""
        real = self.tokens - self.stray
        return self.words / real if real else 0.0

    @property
    def score(self) -> float:
        """For comparing two readings of one page: known words count, unknown tokens (misread words,
        words run together, garbage) count against twice, stray symbols once, and the language's
        common short words count again (they vanish when a reader loses the spaces)."""
        unknown = self.tokens - self.stray - self.known
        return self.known - 2.0 * unknown - self.stray + self.function_words


def _looks_like_word(token: str) -> bool:
    core = token.strip(_EDGE)
    if not core:
        return False
    if _NUMBER.match(core):
        return True
    if not _WORD.match(core) or len(core) > _LONGEST_WORD:
        return False
    if len(core) == 1:
        return True
    if not _VOWEL.search(core) and not core.isupper():
        return False
    tail = core[1:]
    return tail.islower() or core.isupper() or "-" in core  # "aanDe", "gEmeente": misread case


def text_evidence(text: str, lexicon: frozenset[str] = frozenset()) -> TextEvidence:
    """Counts over `text`'s tokens; `lexicon` (lower-case words of the page's languages) tells known
    words from word-shaped misreadings, without one a word-shaped token counts as known."""
    tokens = _TOKEN.findall(text)
    cores = [t.strip(_EDGE) for t in tokens]
    stray = sum(1 for core in cores if not core)
    shaped = [t for t, core in zip(tokens, cores) if core and _looks_like_word(t)]
    if lexicon:
        known = sum(1 for t in shaped if _NUMBER.match(t.strip(_EDGE)) or t.strip(_EDGE).lower() in lexicon)
    else:
        known = len(shaped)
    function_words = sum(1 for core in cores if core.lower() in FUNCTION_WORDS)
    return TextEvidence(len(tokens), stray, len(shaped), known, function_words)


@dataclass(frozen=True)
class PageLook:
    """What the page image looks like, from its grey levels (all 0..1)."""

    contrast: float  # paper brightness less ink darkness
    uneven: float  # spread of the paper's brightness between parts of the page
    grain: float  # median jitter between neighbouring pixels

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.contrast < LOW_CONTRAST:
            out.append("low contrast")
        if self.uneven > UNEVEN_LIGHT or self.grain > GRAIN:
            out.append("photo-like")
        return out


CLEAN_PAGE = PageLook(contrast=1.0, uneven=0.0, grain=0.0)


def page_look(image: Any) -> PageLook:
    """Grey-level statistics of a page image (a PIL image), judged at half size through a median filter
    so that isolated specks do not count as ink, per tile (6 x 8) so that a shadow does not count as ink
    either: a tile's paper is its bright bulk, its ink the darkest tenth of what is clearly darker. A page
    without ink looks clean."""
    import numpy as np
    from PIL import ImageFilter

    grey_image = image.convert("L")
    if grey_image.width < 12 or grey_image.height < 16:
        return CLEAN_PAGE
    grain = float(np.median(np.abs(np.diff(np.asarray(grey_image, dtype=np.int16), axis=1)))) / 255.0
    small = grey_image.resize((grey_image.width // 2, grey_image.height // 2)).filter(ImageFilter.MedianFilter(3))
    grey = np.asarray(small, dtype=np.float32) / 255.0
    h, w = grey.shape
    papers, contrasts = [], []
    for r in range(8):
        for c in range(6):
            tile = grey[r * h // 8:(r + 1) * h // 8, c * w // 6:(c + 1) * w // 6]
            paper = float(np.percentile(tile, 90))
            papers.append(paper)
            dark = tile[tile < paper - 0.12]
            if dark.size > tile.size * 0.002:
                contrasts.append(paper - float(np.percentile(dark, 10)))
    contrast = float(np.median(contrasts)) if contrasts else 1.0
    uneven = float(np.percentile(papers, 90) - np.percentile(papers, 10))
    return PageLook(contrast=round(contrast, 3), uneven=round(uneven, 3), grain=round(grain, 3))


def second_opinion_reasons(first: OcrPage, look: PageLook, *, word_confidence: bool) -> list[str]:
    """Why the first engine's page should be read again by the second; empty: keep it as it is.
    `word_confidence`: whether `first.confidence` is the engine's own mean word confidence."""
    reasons = list(look.reasons)
    if text_evidence(first.text).wordlike < WEAK_WORDLIKE:
        reasons.append("few word-like tokens")
    if word_confidence and first.confidence < WEAK_CONFIDENCE:
        reasons.append("low word confidence")
    return reasons


@dataclass(frozen=True)
class Choice:
    page: OcrPage  # the kept page; its `engine` says which engine read it
    reason: str  # why, for the audit trail and `belfort eval ocr`


def choose(first: OcrPage, second: OcrPage | None, reasons: Sequence[str] = (),
           lexicon: frozenset[str] = frozenset()) -> Choice:
    """Keep the first engine's page unless the second read one that scores clearly better."""
    why = ", ".join(reasons)
    if second is None:
        return Choice(first, f"{first.engine}: {why or 'strong evidence'}")
    a, b = text_evidence(first.text, lexicon).score, text_evidence(second.text, lexicon).score
    if b > a + MARGIN * max(abs(a), 1.0):
        return Choice(second, f"{second.engine} scored {b:g} against {a:g} ({why})")
    return Choice(first, f"{first.engine} scored {a:g} against {b:g} ({why})")


class AutoOcr:
    """The "auto" engine for single images: `first` reads every image, `second` (built on first need;
    None when it cannot be built) only where `second_opinion_reasons` gives a reason; `lexicon` gives
    the word list the two readings are scored with (loaded on the first comparison)."""

    name = "auto"

    def __init__(self, first: OcrEngine, second: Any,
                 lexicon: Callable[[], frozenset[str]] = frozenset) -> None:
        self.first = first
        self._second = second  # an engine, or a factory that builds one
        self._lexicon = lexicon
        self.last_reason = ""

    def second(self) -> OcrEngine | None:
        if callable(self._second) and not hasattr(self._second, "ocr_image"):
            try:
                self._second = self._second()
            except ModelError:
                self._second = None  # e.g. rapidocr not installed: the first engine's pages stand
        return self._second  # type: ignore[no-any-return]

    def ocr_image(self, image: Path, *, languages: Sequence[str] = ()) -> OcrPage:
        from PIL import Image

        first = self.first.ocr_image(image, languages=languages)
        first = replace(first, engine=first.engine or self.first.name)
        with Image.open(image) as img:
            look = page_look(img)
        reasons = second_opinion_reasons(first, look, word_confidence=True)
        second = self.second() if reasons else None
        other = None
        if second is not None:
            other = second.ocr_image(image, languages=languages)
            other = replace(other, engine=other.engine or second.name)
        choice = choose(first, other, reasons, self._lexicon() if other is not None else frozenset())
        self.last_reason = choice.reason
        return choice.page
