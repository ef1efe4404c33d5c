"""Pages -> chunks with exact anchors: every chunk is a slice of one page's text.

`page.text[c.char_start:c.char_end] == c.text` always holds, so a hit can be shown in place.
Pages are normalised once by the extractors (ingest.extract.common.clean_text); the chunker never
rewrites text, it only chooses where to cut. Bump CHUNKER_VERSION whenever the cuts change: the
index manifest records it and a mismatch triggers a rebuild.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ingest.types import ChunkDraft, Page

CHUNKER_VERSION = "1"
DEFAULT_LANGUAGES: tuple[str, ...] = ("nl", "fr", "en", "de")
MIN_LANGUAGE_LETTERS = 12  # below this py3langid guesses; '' is more honest
MIN_LANGUAGE_CONFIDENCE = 0.6

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE = re.compile(r"[.!?…;](?:[\"'”’»)\]]*)(?=\s)|:(?=\s*\n)")
_LINE = re.compile(r"\n")
_SPACE = re.compile(r"\s+")


def chunk_pages(pages: Iterable[Page], size: int = 900, overlap: int = 120) -> list[ChunkDraft]:
    if size < 50:
        raise ValueError("chunk size must be at least 50 characters")
    overlap = max(0, min(overlap, size // 2))
    drafts: list[ChunkDraft] = []
    for page in pages:
        for start, end in _spans(page.text, size, overlap):
            text = page.text[start:end]
            drafts.append(ChunkDraft(ordinal=len(drafts), text=text, page=page.number,
                                     char_start=start, char_end=end, language=detect_language(text)))
    return drafts


def _spans(text: str, size: int, overlap: int) -> Iterator[tuple[int, int]]:
    n = len(text)
    start = _skip_space(text, 0)
    while start < n:
        if n - start <= size:
            end = _trim_end(text, start, n)
            if end > start:
                yield start, end
            return
        cut = _best_cut(text, start, start + size)
        end = _trim_end(text, start, cut)
        if end > start:
            yield start, end
        if overlap:
            next_start = _overlap_start(text, max(start + 1, end - overlap), end)
        else:
            next_start = cut
        start = _skip_space(text, max(next_start, start + 1))


def _best_cut(text: str, start: int, limit: int) -> int:
    """Cut after the last paragraph, sentence, line or word boundary in the second half of the window."""
    lo = start + (limit - start) // 2
    window = text[lo:limit]
    for pattern in (_PARAGRAPH, _SENTENCE, _LINE, _SPACE):
        last = None
        for match in pattern.finditer(window):
            last = match
        if last is not None:
            return lo + last.end() if pattern is _SENTENCE else lo + last.start()
    return limit  # one very long word (a URL, a hash): hard cut


def _overlap_start(text: str, lo: int, end: int) -> int:
    """Start the next chunk at a sentence or line start inside the overlap, else at a word start."""
    window = text[lo:end]
    for pattern in (_SENTENCE, _LINE):
        match = pattern.search(window)
        if match is not None and lo + match.end() < end:
            return lo + match.end()
    match = _SPACE.search(window)
    if match is not None and lo + match.end() < end:
        return lo + match.end()
    return lo


def _skip_space(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    return pos


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# -- language -------------------------------------------------------------------------------------

_identifiers: dict[tuple[str, ...], Any] = {}
_lock = threading.Lock()


def _identifier(languages: tuple[str, ...]) -> Any:
    with _lock:
        found = _identifiers.get(languages)
        if found is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            found = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            found.set_languages(list(languages))
            _identifiers[languages] = found
        return found


def detect_language(text: str, languages: Sequence[str] = DEFAULT_LANGUAGES) -> str:
    """'nl', 'fr', 'en', 'de' (or another of `languages`), or '' for short, foreign-script or unclear text."""
    sample = text[:4000]
    letters = [ch for ch in sample if ch.isalpha()]
    if len(letters) < MIN_LANGUAGE_LETTERS:
        return ""
    latin = sum(1 for ch in letters if ch < "\u0250")  # Basic Latin .. Latin Extended-B
    if latin / len(letters) < 0.6:
        return ""  # Cyrillic, Arabic, CJK...: the restricted model would only guess
    lang, confidence = _identifier(tuple(languages)).classify(sample)
    return str(lang) if confidence >= MIN_LANGUAGE_CONFIDENCE else ""


def dominant_language(chunks: Iterable[ChunkDraft]) -> str:
    """The document's language: the one covering most characters among its chunks ('' if none)."""
    weight: Counter[str] = Counter()
    for chunk in chunks:
        if chunk.language:
            weight[chunk.language] += len(chunk.text)
    return weight.most_common(1)[0][0] if weight else ""
