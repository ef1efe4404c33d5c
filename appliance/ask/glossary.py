"""Term hints for translating a question: a Flemish municipal glossary (en -> nl, fr -> nl), and usual terms (nl -> nl).

The small CPU model that translates an English or French question into Dutch (matching.translation)
often picks a literal word where municipal texts use another: 'broken street light' becomes
'gebroken straatlicht' where the pages say 'defecte straatverlichting', and the lexical evidence
then finds nothing. The glossary's entries found in the question are given to the model as the
Dutch terms to use. A term matches word for word, its small words included ('dalle de trottoir'),
each word up to a plural or participle ending ('dalles', 'livrée' is 'livrer'). Accents count
('livré' is no 'livre') and stems are not used: a stemmer gives 'zone' and 'zoning' one stem, and
'terre' and 'terrasse'. Of overlapping matches the longest wins ('street light' rather than 'light'). An
English two-word term also matches written as one word ('streetlight').

A Dutch list (nl -> nl) gives the usual term for a variant a Dutch asker may write ('bib', 'stadhuis',
'containerpark'): where the readable passages lack the variant and use the usual term, the question is
matched with that term (relevance.usual_terms, in matching.as_indexed).

The glossary is general administrative vocabulary, written independently of any question set. An
organisation adds its own terms in `<data_dir>/glossary/<from>-<to>.tsv` (same format: one
`term<TAB>translation` a line); its entries replace packaged ones with the same term.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGED = Path(__file__).parent / "glossary"
MAX_HINTS = 8  # terms given with one question (prompt time on 2 cores)


@dataclass(frozen=True)
class Term:
    source: str
    target: str


_WORD = re.compile(r"[^\W_]+")
# Endings stripped to compare words: (ending, replacement), the first that applies, repeated for French
# (plural, then feminine: 'descellées' -> 'desceller', 'dalles' -> 'dall' as 'dalle' -> 'dall').
_ENDINGS = {
    "en": (("ies", "y"), ("ied", "y"), ("ss", "ss"), ("s", ""), ("ed", "")),
    "fr": (("ées", "er"), ("és", "er"), ("ée", "er"), ("é", "er"), ("eaux", "eau"), ("aux", "al"), ("eux", "eu"),
           ("s", ""), ("e", "")),
}
MIN_KEY = 3  # letters left after an ending is stripped ('des' stays 'des')
# Languages whose two-word terms are also written as one word ('streetlight', 'speedbump', 'bin bag'/'binbag'):
# the joined form matches the term too. Not French: its terms are phrases ('dalle de trottoir').
CLOSED_COMPOUNDS = ("en",)


def _key(word: str, language: str) -> str:
    out = word
    for _ in range(2 if language == "fr" else 1):
        for ending, replacement in _ENDINGS.get(language, ()):
            if out.endswith(ending) and len(out) - len(ending) >= MIN_KEY:
                out = out[: len(out) - len(ending)] + replacement
                break
    return out


def keys(text: str, language: str) -> tuple[str, ...]:
    """The words of `text` (lowercase, accents kept) with their plural or participle ending stripped."""
    return tuple(_key(w, language) for w in _WORD.findall(text.casefold()))


def load(path: Path, language: str) -> dict[tuple[str, ...], Term]:
    """The entries of one `term<TAB>translation` file, keyed by the term's word keys; a line without
    exactly one tab, or with an empty side, is skipped (and counted in the log, without its text)."""
    out: dict[tuple[str, ...], Term] = {}
    joined: dict[tuple[str, ...], Term] = {}
    bad = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        words = keys(parts[0], language) if len(parts) == 2 and all(parts) else ()
        if not words:
            bad += 1
            continue
        out.setdefault(words, Term(parts[0], parts[1]))
        if language in CLOSED_COMPOUNDS and len(words) == 2:  # 'street light' is also written 'streetlight'
            joined.setdefault((_key("".join(_WORD.findall(parts[0].casefold())), language),), Term(parts[0], parts[1]))
    if bad:
        log.warning("glossary %s: %d unusable lines skipped", path.name, bad)
    return joined | out  # a one-word entry of its own wins over a joined two-word term


@lru_cache(maxsize=16)
def _glossary(source: str, target: str, extra: str, _changed: float) -> dict[tuple[str, ...], Term]:
    terms: dict[tuple[str, ...], Term] = {}
    for path in (PACKAGED / f"{source}-{target}.tsv", Path(extra) if extra else None):
        if path is not None and path.is_file():
            terms.update(load(path, source))
    return terms


def hints(text: str, source: str, target: str, extra_dir: Path | None = None) -> list[Term]:
    """The glossary's terms found in `text` (in `source`), in text order, longest match first where
    they overlap, at most MAX_HINTS. The organisation's file is read again once it has changed."""
    extra = extra_dir / f"{source}-{target}.tsv" if extra_dir is not None else None
    try:
        changed = extra.stat().st_mtime if extra is not None else 0.0
    except OSError:  # no file of its own
        extra, changed = None, 0.0
    terms = _glossary(source, target, str(extra or ""), changed)
    if not terms:
        return []
    words = keys(text, source)
    longest = max(len(k) for k in terms)
    found: list[tuple[int, int, Term]] = []
    for i in range(len(words)):
        for n in range(min(longest, len(words) - i), 0, -1):
            term = terms.get(words[i:i + n])
            if term is not None:
                found.append((i, i + n, term))
                break
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    taken: set[int] = set()
    kept: list[tuple[int, Term]] = []
    for start, end, term in found:
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            kept.append((start, term))
    return list(dict.fromkeys(term for _, term in sorted(kept, key=lambda k: k[0])))[:MAX_HINTS]
