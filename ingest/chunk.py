"""Pages -> chunks with exact anchors: every chunk is a slice of one page's text.

`page.text[c.char_start:c.char_end] == c.text` always holds, so a hit can be shown in place.
Pages are normalised once by the extractors (ingest.extract.common.clean_text); the chunker never
rewrites text, it only chooses where to cut. Bump CHUNKER_VERSION whenever the cuts change: the
index manifest records it and a mismatch triggers a rebuild.

The heading path of a chunk (document title > section > subsection) travels beside its text as
`context`, never inside it, so the anchors stay exact; the index and the prompt put it in front.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ingest.types import ChunkDraft, Heading, Page

CHUNKER_VERSION = "2"  # 2: tables keep their headers, lists their markers, chunks their heading path
PATH_SEPARATOR = " > "
MAX_CONTEXT_CHARS = 300
DEFAULT_LANGUAGES: tuple[str, ...] = ("nl", "fr", "en", "de")
MIN_LANGUAGE_LETTERS = 12  # below this py3langid guesses; '' is more honest
MIN_LANGUAGE_CONFIDENCE = 0.6

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
# ';' ends a sentence only at a line end: inside a line it separates the cells of a table row, and a
# cut there would part a value from its row's label.
_SENTENCE = re.compile(r"[.!?…](?:[\"'”’»)\]]*)(?=\s)|[:;](?=\s*\n)")
_LINE = re.compile(r"\n")
_SPACE = re.compile(r"\s+")


def chunk_pages(pages: Iterable[Page], size: int = 900, overlap: int = 120, *,
                title: str = "") -> list[ChunkDraft]:
    """Chunks of the pages; each carries its heading path (`title` > section > subsection) as context."""
    if size < 50:
        raise ValueError("chunk size must be at least 50 characters")
    overlap = max(0, min(overlap, size // 2))
    drafts: list[ChunkDraft] = []
    for page in pages:
        path = _HeadingPath(title, page.headings)
        for start, end in _spans(page.text, size, overlap, [h.offset for h in page.headings]):
            text = page.text[start:end]
            drafts.append(ChunkDraft(ordinal=len(drafts), text=text, page=page.number,
                                     char_start=start, char_end=end, language=detect_language(text),
                                     context=path.at(start)))
    return drafts


def heading_path(title: str, headings: Sequence[Heading], offset: int) -> str:
    """'Title > Section > Subsection' of the place `offset` in a page: the headings above it, by level."""
    return _HeadingPath(title, headings).at(offset)


class _HeadingPath:
    """The open headings at increasing offsets of one page (each heading is read once)."""

    def __init__(self, title: str, headings: Sequence[Heading]) -> None:
        self.title = " ".join(title.split())
        self.headings = headings
        self.next = 0
        self.stack: list[Heading] = []

    def at(self, offset: int) -> str:
        while self.next < len(self.headings) and self.headings[self.next].offset <= offset:
            heading = self.headings[self.next]
            while self.stack and self.stack[-1].level >= heading.level:
                self.stack.pop()
            self.stack.append(heading)
            self.next += 1
        parts: list[str] = []
        for part in [self.title] + [h.text for h in self.stack]:
            if part and not (parts and parts[-1].casefold() == part.casefold()):
                parts.append(part)
        return PATH_SEPARATOR.join(parts)[:MAX_CONTEXT_CHARS]


def _spans(text: str, size: int, overlap: int, headings: Sequence[int] = ()) -> Iterator[tuple[int, int]]:
    n = len(text)
    start = _skip_space(text, 0)
    while start < n:
        section = _section_cut(headings, start, size)
        if not section and n - start <= size:
            end = _trim_end(text, start, n)
            if end > start:
                yield start, end
            return
        cut = section or _best_cut(text, start, start + size)
        end = _trim_end(text, start, cut)
        if end > start:
            yield start, end
        if section:
            next_start = section  # a new section starts afresh: no overlap across its heading
        elif overlap:
            next_start = _overlap_start(text, max(start + 1, end - overlap), end)
        else:
            next_start = cut
        start = _skip_space(text, max(next_start, start + 1))


def _section_cut(headings: Sequence[int], start: int, size: int) -> int:
    """The first heading inside the window past its first quarter (0: none): a chunk ends where a new
    section starts, so the section's text is found under its own heading path."""
    i = bisect_left(headings, start + size // 4)
    return headings[i] if i < len(headings) and headings[i] < start + size else 0


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
