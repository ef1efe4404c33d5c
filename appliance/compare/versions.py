"""Two versions of a text -> a Comparison: per unit unchanged, changed (a word diff), added, removed,
moved, renumbered, split or merged; "no changes" for identical texts and "unrelated" for two texts
that hardly align (no invented diff)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from appliance.compare.align import MIN_SIMILARITY, Alignment, align
from appliance.compare.articles import Unit, split_units
from appliance.compare.diff import EQUAL, Piece, RowChange, same_words, table_changes, word_diff

MIN_ALIGNED = 0.3  # share of the text (both sides) in aligned units below which two texts are unrelated
NUMBERED = ("article", "paragraph", "chapter")
STATUSES = ("unchanged", "changed", "added", "removed", "moved", "renumbered", "split", "merged")


@dataclass
class Entry:
    status: str
    old: Unit | None = None
    new: Unit | None = None
    moved: bool = False
    renumbered: bool = False
    pieces: list[Piece] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)
    related: list[str] = field(default_factory=list)  # split parts, the merge target

    @property
    def name(self) -> str:
        unit = self.new or self.old
        return unit.name if unit else ""

    def as_dict(self) -> dict[str, Any]:
        def ref(u: Unit | None) -> dict[str, Any] | None:
            return None if u is None else {"name": u.name, "kind": u.kind, "number": u.number, "page": u.page}

        return {"status": self.status, "old": ref(self.old), "new": ref(self.new), "moved": self.moved,
                "renumbered": self.renumbered, "related": self.related,
                "diff": [{"op": p.op, "text": p.text, "space": p.space} for p in self.pieces
                         if self.status != "unchanged"],
                "rows": [r.as_dict() for r in self.rows]}


@dataclass
class Comparison:
    status: str  # no_changes | changed | unrelated
    entries: list[Entry]
    aligned_share: float
    old_units: int
    new_units: int
    old_title: str = ""
    new_title: str = ""

    @property
    def changes(self) -> list[Entry]:
        return [e for e in self.entries if e.status != "unchanged"]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for e in self.entries if e.status == s) for s in STATUSES}

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "old_title": self.old_title, "new_title": self.new_title,
                "aligned_share": round(self.aligned_share, 3), "old_units": self.old_units,
                "new_units": self.new_units, "counts": self.counts(),
                "entries": [e.as_dict() for e in self.entries]}


def compare_pages(old_pages: Sequence[tuple[int, str]], new_pages: Sequence[tuple[int, str]], *,
                  old_title: str = "", new_title: str = "") -> Comparison:
    old, new = split_units(old_pages), split_units(new_pages)
    return compare_units(old, new, old_title=old_title, new_title=new_title)


def compare_units(old: Sequence[Unit], new: Sequence[Unit], *, old_title: str = "",
                  new_title: str = "") -> Comparison:
    a = align(old, new)
    share = _aligned_share(old, new, a)
    if old and new and share < MIN_ALIGNED:
        return Comparison("unrelated", [], share, len(old), len(new), old_title, new_title)
    entries = _entries(old, new, a)
    status = "no_changes" if all(e.status == "unchanged" for e in entries) else "changed"
    return Comparison(status, entries, share, len(old), len(new), old_title, new_title)


def _aligned_share(old: Sequence[Unit], new: Sequence[Unit], a: Alignment) -> float:
    total = sum(len(u.text) + 1 for u in old) + sum(len(u.text) + 1 for u in new)
    if not total:
        return 1.0
    kept = sum(len(new[j].text) + len(old[i].text) + 2 for j, i in a.pairs.items() if a.scores[j] >= MIN_SIMILARITY)
    kept += sum(len(new[j].text) + 1 for j in a.split_from) + sum(len(old[i].text) + 1 for i in a.merged_into)
    return kept / total


def _entries(old: Sequence[Unit], new: Sequence[Unit], a: Alignment) -> list[Entry]:
    parts: dict[int, list[int]] = {}
    for j, i in a.split_from.items():
        parts.setdefault(i, []).append(j)
    merged_in: dict[int, list[int]] = {}
    for i, j in a.merged_into.items():
        merged_in.setdefault(j, []).append(i)
    by_new: list[Entry] = []
    for j, u in enumerate(new):
        if j in a.pairs:
            entry = _paired(old[a.pairs[j]], u, j in a.moved)
            if a.pairs[j] in parts:
                entry.status, entry.related = "split", [new[k].name for k in parts[a.pairs[j]]]
            if j in merged_in:
                entry.status, entry.related = "merged", [old[i].name for i in merged_in[j]]
        elif j in a.split_from:
            source = old[a.split_from[j]]
            entry = Entry("split", source, u, pieces=[Piece(EQUAL, u.text)], related=[source.name])
        else:
            entry = Entry("added", None, u, pieces=[Piece("insert", u.text)])
        by_new.append(entry)
    return _with_removed(old, a, by_new, parts, new)


def _paired(o: Unit, n: Unit, moved: bool) -> Entry:
    renumbered = n.kind in NUMBERED and o.name != n.name
    if not same_words(o.text, n.text):
        return Entry("changed", o, n, moved, renumbered, word_diff(o.text, n.text), table_changes(o.text, n.text))
    status = "moved" if moved else "renumbered" if renumbered else "unchanged"
    return Entry(status, o, n, moved, renumbered, [Piece(EQUAL, n.text)])


def _with_removed(old: Sequence[Unit], a: Alignment, by_new: list[Entry], parts: dict[int, list[int]],
                  new: Sequence[Unit]) -> list[Entry]:
    """The old units without a partner, placed after the entry of the nearest paired unit before them."""
    old_to_new = {i: j for j, i in a.pairs.items()}
    after: dict[int, list[Entry]] = {}
    anchor = -1
    for i, u in enumerate(old):
        if i in old_to_new:
            anchor = old_to_new[i]
            continue
        if i in a.merged_into:
            entry = Entry("merged", u, None, related=[new[a.merged_into[i]].name],
                          pieces=[Piece(EQUAL, u.text)])
        elif i in parts:
            entry = Entry("split", u, None, related=[new[k].name for k in parts[i]], pieces=[Piece(EQUAL, u.text)])
        else:
            entry = Entry("removed", u, None, pieces=[Piece("delete", u.text)])
        after.setdefault(anchor, []).append(entry)
    out = list(after.get(-1, []))
    for j, entry in enumerate(by_new):
        out.append(entry)
        out.extend(after.get(j, []))
    return out
