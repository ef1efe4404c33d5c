"""Build the Dutch ASR evaluation manifest from Debian's Fish Fillets voice lines.

    apt-get install -y fillets-ng-data-nl fillets-ng-data
    python bench/make_asr_set.py /tmp/asr-fillets.tsv [--n 200]
    belfort eval asr /tmp/asr-fillets.tsv --language nl --json

`fillets-ng-data-nl` (GPL-2) holds recorded Dutch voice lines (acted game dialogue) as
`sound/<level>/nl/<dialog-id>.ogg`; their Dutch text is the `dialogStr(...)` that follows
`dialogId("<dialog-id>", ...)` in `script/<level>/dialogs_nl.lua` of `fillets-ng-data`. The sample
is fixed: all pairs sorted by level and id, then every k-th, so every run scores the same clips.
The manifest is written outside the repository (the data stays Debian's, never copied into ours).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path("/usr/share/games/fillets-ng")
_PAIR = re.compile(r'dialogId\(\s*"([^"]+)"[^\n]*\)\s*dialogStr\(\s*"((?:[^"\\]|\\.)*)"\s*\)', re.DOTALL)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": " ", "t": " "}.get(m.group(1), m.group(1)), text)


def dialog_texts(root: Path = ROOT) -> dict[tuple[str, str], str]:
    """(level, dialog id) -> Dutch text, from every script/<level>/dialogs_nl.lua."""
    out: dict[tuple[str, str], str] = {}
    for lua in sorted((root / "script").glob("*/dialogs_nl.lua")):
        for dialog_id, text in _PAIR.findall(lua.read_text("utf-8", errors="replace")):
            clean = " ".join(_unescape(text).split())
            if clean:
                out[(lua.parent.name, dialog_id)] = clean
    return out


def pairs(root: Path = ROOT) -> list[tuple[Path, str]]:
    """Every Dutch clip with its text, sorted by level and id; clips without text are left out."""
    texts = dialog_texts(root)
    by_id: dict[str, str] = {}
    for (_level, dialog_id), text in texts.items():
        by_id.setdefault(dialog_id, text)  # a few levels reuse another level's lines
    found = []
    for clip in sorted((root / "sound").glob("*/nl/*.ogg")):
        level, dialog_id = clip.parent.parent.name, clip.stem
        text = texts.get((level, dialog_id)) or by_id.get(dialog_id)
        if text:
            found.append((clip, text))
    return found


def sample(items: list[tuple[Path, str]], n: int) -> list[tuple[Path, str]]:
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="manifest TSV to write (outside the repository)")
    ap.add_argument("--n", type=int, default=200, help="clips in the fixed sample (default 200)")
    ap.add_argument("--root", type=Path, default=ROOT, help="fillets-ng data folder")
    args = ap.parse_args(argv)
    if not (args.root / "sound").is_dir() or not (args.root / "script").is_dir():
        print(f"no fillets-ng data in {args.root}: apt-get install -y fillets-ng-data-nl fillets-ng-data",
              file=sys.stderr)
        return 2
    every = pairs(args.root)
    chosen = sample(every, args.n)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for clip, text in chosen:
            f.write(f"{clip}\t{text}\n")
    print(f"{len(chosen)} of {len(every)} Dutch clips -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
