"""The name lists the rule-only person detector consults: first names and family names as data.

They come from the separate bundle in `name_lists/` (Statbel's tables by way of belgian-deduce,
GPL-3.0-only: see name_lists/SOURCES.md) and, where Frog is installed, frogdata's first names.
Belfort still works without either: names then need a title, a role or an initial.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

BUNDLE = Path(__file__).with_name("name_lists")


@dataclass(frozen=True)
class NameLists:
    """First names as written ("Jan", "Marie-Louise"); family names case-folded ("van den broeck"),
    so that "VAN DEN BROECK" and "Van den Broeck" are both found. The *_weak sets hold names that
    are also everyday words: a rule takes them only with stronger evidence beside them."""

    first: frozenset[str]
    first_weak: frozenset[str]
    surnames: frozenset[str]
    surnames_weak: frozenset[str]

    @classmethod
    def empty(cls) -> NameLists:
        return cls(frozenset(), frozenset(), frozenset(), frozenset())

    def is_first(self, word: str, *, weak: bool = False) -> bool:
        if "-" in word and word not in self.first:  # "Jean-Marc": both halves first names
            return all(self.is_first(p, weak=weak) for p in word.split("-") if p)
        return word in self.first or (weak and word in self.first_weak) or (
            word.isupper() and len(word) > 2 and word.title() in self.first)

    def is_surname(self, name: str, *, weak: bool = False) -> bool:
        key = " ".join(name.split()).casefold()
        return key in self.surnames or (weak and key in self.surnames_weak)


def _read(path: Path) -> frozenset[str]:
    if not path.is_file():
        return frozenset()
    return frozenset(line.strip() for line in path.read_text("utf-8").splitlines() if line.strip())


def load_name_lists(folder: Path = BUNDLE, extra_first: frozenset[str] = frozenset()) -> NameLists:
    """The lists of a bundle folder (missing files are empty lists), plus `extra_first` first names."""
    return NameLists(
        first=_read(folder / "first_names.txt") | extra_first,
        first_weak=_read(folder / "first_names_ambiguous.txt"),
        surnames=frozenset(n.casefold() for n in _read(folder / "surnames.txt")),
        surnames_weak=frozenset(n.casefold() for n in _read(folder / "surnames_ambiguous.txt")),
    )


@functools.cache
def bundle_first_names() -> frozenset[str]:
    return _read(BUNDLE / "first_names.txt")


@functools.cache
def default_name_lists() -> NameLists:
    """The bundle's lists (read once per process)."""
    return load_name_lists()
