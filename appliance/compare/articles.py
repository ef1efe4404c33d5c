"""A regulation's text cut into units: articles, paragraphs (§), chapters and headings.

Text from PDFs and council websites breaks words and identifiers over lines and pages ("Artik" /
"el 1.", "regle-" / "ment", "Artikel 4" / "."), and repeats page headers and footers ("Pagina 3 van
12"). The text is first mended so that neither becomes a change: a line that only completes an
article heading is joined with it, a hyphenated word at a line end is joined, page numbers go.
Units keep their text with single spaces; the comparison works on words, never on line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A numbered heading at the start of a line: "Artikel 3.", "Art. 3bis", "Article 5 -", "Enig artikel.",
# "§ 2.", "Hoofdstuk II", "Chapitre 3", "Afdeling 1", "Titel IV", "Section 2".
_SUFFIX = r"(?:\s?(?:bis|ter|quater|quinquies|sexies|septies|octies|novies|decies))?"
# Roman numerals in capitals only: "Arti" (a heading cut by a line break) is not article i.
_NUMBER = rf"(?:\d{{1,4}}(?:[.:/]\d{{1,4}})*(?i:{_SUFFIX})(?![\w])|[IVXLC]{{1,7}}(?![\w]))"
_ARTICLE = re.compile(rf"^(?P<word>(?i:artikel|artikelen|article|art\.?))\s*(?P<num>{_NUMBER})(?P<rest>.*)$")
_SINGLE = re.compile(r"^(?P<word>enig artikel|article unique)(?P<rest>.*)$", re.IGNORECASE)
_PARAGRAPH = re.compile(rf"^(?P<word>§)\s*(?P<num>{_NUMBER})(?P<rest>.*)$")
_CHAPTER = re.compile(rf"^(?P<word>(?i:hoofdstuk|chapitre|chapter|afdeling|section|titel|titre|deel|partie))\s+"
                      rf"(?P<num>{_NUMBER})(?P<rest>.*)$")
# After the number a heading goes on with punctuation, a title or nothing; "Artikel 28 van het decreet"
# at a line start is a reference, not a heading.
_HEADING_REST = re.compile(r"^\s*(?:$|[.:)\-–—]|\(|[A-ZÀ-Ý«\"'])")
_MARKDOWN = re.compile(r"^#{1,6}\s+(?P<title>\S.*)$")
_PAGE_FURNITURE = re.compile(r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?\d{1,3}(?:\s*(?:van|of|sur|de|/)\s*\d{1,4})?$",
                             re.IGNORECASE)
_HYPHEN_END = re.compile(r"[^\W\d_]-$")
_WORD_START = re.compile(r"^[a-zà-ÿ]")
_DIGITS_END = re.compile(r"^\d{1,2}[.:]$")  # "Artikel 3" / "8." is article 38
_HEADING_WORDS = ("artikel", "article", "art", "enig artikel", "hoofdstuk", "chapitre", "afdeling")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")  # also what XML cannot carry
_BULLET = re.compile(r"^[-•*▪◦·–](?:\s+|$)")  # a list marker is layout: one extractor writes it, another not
MAX_JOIN = 12  # a line this short may be the start of a heading cut by a line or page break


@dataclass(frozen=True)
class Unit:
    index: int
    kind: str  # preamble | article | paragraph | chapter | heading | block
    number: str  # normalised: "3bis", "ii", "" for none
    label: str  # as written, tidied: "Artikel 3bis", "§ 2", "Hoofdstuk II", a heading's text
    text: str  # the body: prose lines joined by single spaces, each table row on a line of its own
    page: int
    parent: str = ""  # the article a paragraph (§) belongs to

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.parent}:{self.number}" if self.number else f"{self.kind}:{self.label.lower()}"

    @property
    def name(self) -> str:
        """How the unit is cited: 'Artikel 3 § 2', 'Hoofdstuk II', 'Inleiding'."""
        return f"{self.parent} {self.label}".strip() if self.parent else self.label


def mend_lines(pages: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """(page, line) with page furniture dropped, hyphenated words and cut headings joined."""
    lines: list[tuple[int, str]] = []
    for page, text in pages:
        for raw in text.splitlines():
            line = _BULLET.sub("", " ".join(_INVISIBLE.sub("", raw).split()))
            if line and not _PAGE_FURNITURE.match(line):
                lines.append((page, line))
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        page, line = lines[i]
        while i + 1 < len(lines):
            nxt = lines[i + 1][1]
            joined = _joined(line, nxt)
            if joined is None:
                break
            line = joined
            i += 1
        out.append((page, line))
        i += 1
    return out


def _joined(line: str, nxt: str) -> str | None:
    """The line joined with the next one when a break cut a heading or a word, else None."""
    if _HYPHEN_END.search(line) and _WORD_START.match(nxt):
        return line[:-1] + nxt
    if _heading(line) is not None:  # a complete heading: only a lone '.' or a cut-off digit belongs to it
        if nxt in (".", ":") or (line[-1].isdigit() and _DIGITS_END.match(nxt)):
            return line + nxt
        return None
    if len(line) > MAX_JOIN:
        return None
    for glue in ("", " "):
        candidate = line + glue + nxt
        if _heading(candidate) is not None and any(w.startswith(line.lower()) or line.lower().startswith(w)
                                                   for w in _HEADING_WORDS + ("§",)):
            return candidate
    return None


def _heading(line: str) -> tuple[str, str, str, str] | None:
    """(kind, word, number, rest) when the line starts a numbered unit."""
    for kind, pattern in (("article", _ARTICLE), ("paragraph", _PARAGRAPH), ("chapter", _CHAPTER)):
        m = pattern.match(line)
        if m and _HEADING_REST.match(m.group("rest")):
            return kind, m.group("word"), m.group("num"), m.group("rest")
    m = _SINGLE.match(line)
    if m and _HEADING_REST.match(m.group("rest")):
        return "article", m.group("word"), "enig", m.group("rest")
    return None


def _is_caps_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return 4 <= len(letters) and len(line) <= 80 and all(c.isupper() for c in letters) and not line.endswith(",")


def norm_number(num: str) -> str:
    return re.sub(r"\s+", "", num).lower().rstrip(".")


def split_units(pages: Sequence[tuple[int, str]]) -> list[Unit]:
    """The document's units in reading order; without any heading, its paragraphs (blocks of lines)."""
    lines = mend_lines(pages)
    starts = [(i, _heading(line)) for i, (_, line) in enumerate(lines)]
    numbered = sum(1 for _, h in starts if h is not None)
    if numbered == 0 and not any(_MARKDOWN.match(line) for _, line in lines):
        return _blocks(pages)
    units: list[Unit] = []
    body: list[str] = []
    head: tuple[str, str, str, str, int] = ("preamble", "", "", "", lines[0][0] if lines else 1)
    article = ""
    for (page, line), (_, h) in zip(lines, starts, strict=True):
        md = _MARKDOWN.match(line)
        if h is None and not md and not (numbered and _is_caps_heading(line)):
            body.append(line)
            continue
        _close(units, head, body, article)
        body = []
        if h is not None:
            kind, word, num, rest = h
            label = f"{_word(word)} {norm_number(num) if kind != 'chapter' else num.strip()}".strip()
            if word.lower().startswith("enig") or word.lower() == "article unique":
                label = word.strip().capitalize()
            article = label if kind == "article" else ("" if kind == "chapter" else article)
            head = (kind, norm_number(num), label, "", page)
            rest = rest.lstrip(" .:-–—)")
            if rest:
                body.append(rest)
        else:
            title = md.group("title") if md else line
            head = ("heading", "", title.strip("# ").strip(), "", page)
            article = ""
    _close(units, head, body, article)
    return units


_ROW = re.compile(r"^\|.*\|$|^[^:;|]{1,80}: [^;]+(?:; [^;]+)+$")


def is_row(line: str) -> bool:
    """A table row as the extractors write it ('Label: header value; header value') or in Markdown."""
    return bool(_ROW.match(line))


def join_lines(lines: Sequence[str]) -> str:
    """Prose lines joined by spaces (a line break is no change); each table row stays a line."""
    out: list[str] = []
    prose = False
    for line in lines:
        if is_row(line):
            out.append(line)
            prose = False
        elif prose:
            out[-1] += " " + line
        else:
            out.append(line)
            prose = True
    return "\n".join(out)


def _word(word: str) -> str:
    w = word.strip().lower().rstrip(".")
    return {"art": "Art.", "artikelen": "Artikelen", "§": "§"}.get(w, w.capitalize())


def _close(units: list[Unit], head: tuple[str, str, str, str, int], body: list[str], article: str) -> None:
    kind, number, label, _, page = head
    text = join_lines(body)
    if kind == "preamble" and not text:
        return
    parent = article if kind == "paragraph" else ""
    units.append(Unit(len(units), kind, number, label or "Inleiding", text, page, parent))


def _blocks(pages: Sequence[tuple[int, str]]) -> list[Unit]:
    """Paragraphs (blank-line blocks) as units, for a text without headings."""
    units: list[Unit] = []
    for page, text in pages:
        for block in re.split(r"\n\s*\n", text):
            mended = mend_lines([(page, block)])
            if mended:
                units.append(Unit(len(units), "block", str(len(units) + 1), f"¶ {len(units) + 1}",
                                  join_lines([line for _, line in mended]), page))
    return units
