"""Word-level differences of two versions of one unit, and its tables compared row by row.

Words and punctuation marks are compared as written, so "300" -> "500" and "dertig" -> "veertig" are
changes, while a line break, a double space or a space before a comma ("Peeters ," / "Peeters,", as
two extractors write one text) is none; the runs shown keep the new text's own spacing. A table row is matched by
its label (its first cell) and its cells are compared by column header.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field

from appliance.compare.articles import is_row

EQUAL, INSERT, DELETE = "equal", "insert", "delete"


# A number keeps its separators ("1.250,50", "2.2.18"), a word its hyphen or apostrophe; every other
# mark is a token of its own, so "1. Goedkeuring" and "1.Goedkeuring" are the same three tokens.
_TOKEN = re.compile(r"\d+(?:[.,:/]\d+)*|[^\W\d_]+(?:[-'’]\w+)*|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Piece:
    op: str  # equal | insert | delete
    text: str
    space: bool = True  # a space goes before it (when it is not the first piece)


def tokens(text: str) -> list[tuple[str, bool]]:
    """(token, whether a space precedes it) for every word and punctuation mark."""
    out: list[tuple[str, bool]] = []
    end = 0
    for m in _TOKEN.finditer(text):
        out.append((m.group(), m.start() > end))
        end = m.end()
    return out


def same_words(a: str, b: str) -> bool:
    return [t for t, _ in tokens(a)] == [t for t, _ in tokens(b)]


def _run(toks: list[tuple[str, bool]]) -> str:
    return "".join((" " if space and k else "") + tok for k, (tok, space) in enumerate(toks))


@dataclass
class RowChange:
    label: str
    status: str  # changed | added | removed
    cells: list[dict[str, str]] = field(default_factory=list)  # {"column", "old", "new"}

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def word_diff(old: str, new: str) -> list[Piece]:
    """The new text as equal, inserted and deleted runs of words (a replacement: delete, then insert)."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, [t for t, _ in a], [t for t, _ in b], autojunk=False)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece(EQUAL, _run(b[j1:j2]), b[j1][1]))
            continue
        if i2 > i1:
            pieces.append(Piece(DELETE, _run(a[i1:i2]), a[i1][1]))
        if j2 > j1:
            pieces.append(Piece(INSERT, _run(b[j1:j2]), b[j1][1]))
    return pieces


def replacements(pieces: list[Piece]) -> list[tuple[str, str]]:
    """(deleted, inserted) runs that stand together: what a reader calls 'X became Y'."""
    out: list[tuple[str, str]] = []
    k = 0
    while k < len(pieces):
        p = pieces[k]
        if p.op == DELETE and k + 1 < len(pieces) and pieces[k + 1].op == INSERT:
            out.append((p.text, pieces[k + 1].text))
            k += 2
            continue
        if p.op == DELETE:
            out.append((p.text, ""))
        elif p.op == INSERT:
            out.append(("", p.text))
        k += 1
    return out


def _cells(row: str) -> tuple[str, list[tuple[str, str]]]:
    """(label, [(column, value)]) of a row line."""
    if row.startswith("|"):
        parts = [c.strip() for c in row.strip("|").split("|")]
        return parts[0], [(str(k), v) for k, v in enumerate(parts[1:], start=1)]
    label, _, rest = row.partition(": ")
    cells: list[tuple[str, str]] = []
    for k, part in enumerate(rest.split("; "), start=1):
        column, value = _column(part)
        cells.append((column or str(k), value))
    return label, cells


def _column(part: str) -> tuple[str, str]:
    """'normale procedure € 85,00' -> ('normale procedure', '€ 85,00'): the header is the words before
    the value (the value starts at its first digit, currency sign or dash)."""
    for k, ch in enumerate(part):
        if ch.isdigit() or ch in "€$£–-":
            return part[:k].strip(), part[k:].strip()
    return "", part.strip()


def table_changes(old: str, new: str) -> list[RowChange]:
    """Rows of the unit's tables that changed, were added or were removed, matched by label."""
    old_rows = {_cells(r)[0]: _cells(r)[1] for r in old.splitlines() if is_row(r)}
    new_rows = {_cells(r)[0]: _cells(r)[1] for r in new.splitlines() if is_row(r)}
    out: list[RowChange] = []
    for label, cells in new_rows.items():
        if label not in old_rows:
            out.append(RowChange(label, "added", [{"column": c, "old": "", "new": v} for c, v in cells]))
            continue
        before = dict(old_rows[label])
        changed = [{"column": c, "old": before.get(c, ""), "new": v} for c, v in cells if before.get(c, "") != v]
        changed += [{"column": c, "old": v, "new": ""} for c, v in old_rows[label] if c not in dict(cells)]
        if changed:
            out.append(RowChange(label, "changed", changed))
    for label, cells in old_rows.items():
        if label not in new_rows:
            out.append(RowChange(label, "removed", [{"column": c, "old": v, "new": ""} for c, v in cells]))
    return out
