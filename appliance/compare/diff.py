"""Word-level differences of two versions of one unit, and its tables compared row by row.

Words are compared as written, so "300" -> "500" and "dertig" -> "veertig" are changes, while a
line break or a double space is none (the units hold single-spaced text). A table row is matched by
its label (its first cell) and its cells are compared by column header.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field

from appliance.compare.articles import is_row

EQUAL, INSERT, DELETE = "equal", "insert", "delete"


@dataclass(frozen=True)
class Piece:
    op: str  # equal | insert | delete
    text: str


@dataclass
class RowChange:
    label: str
    status: str  # changed | added | removed
    cells: list[dict[str, str]] = field(default_factory=list)  # {"column", "old", "new"}

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def word_diff(old: str, new: str) -> list[Piece]:
    """The new text as equal, inserted and deleted runs of words (a replacement: delete, then insert)."""
    a, b = old.split(), new.split()
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(Piece(EQUAL, " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece(DELETE, " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece(INSERT, " ".join(b[j1:j2])))
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
