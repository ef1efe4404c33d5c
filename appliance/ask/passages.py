"""How a passage is cut for the claim check and for composed answers: blocks under their headings,
table and list rows that stand alone, prose lines joined back into paragraphs."""

from __future__ import annotations

import re

_LABELLED_ROW = re.compile(r"^[^.!?:]{1,80}:\s+[^:]*\d.*$")
_FIGURE_END = re.compile(r"[\d%€]\s*$")


def blocks(text: str) -> list[tuple[str, str]]:
    """(heading or '', the block below it) per block of a passage: blocks part at blank lines and
    before a heading, list item or table line; a block's first line is a heading when it starts
    with '#', or, for the first block, when it is short, ends without a full stop and the next line
    does not go on in lower case (a passage cut from the middle of a sentence)."""
    out: list[tuple[str, str]] = []
    for i, block in enumerate(b.strip() for b in re.split(r"\n\s*\n|\n(?=\s*(?:#|[-*•]\s|\|))", text.strip())):
        if not block:
            continue
        first, _, rest = block.partition("\n")
        title = (not out and i == 0 and first[-1:] not in ".!?:" and len(first.split()) <= 10
                 and not _LABELLED_ROW.search(first))
        if first.startswith("#") or (title and not rest[:1].islower()):  # lower case: a cut sentence goes on
            out.append((first, rest.strip()))
        else:
            out.append(("", block))
    return out


def rows_of(block: str) -> list[tuple[str, bool]]:
    """A block's lines joined into prose, except after a line that is a row of a table or a list:
    a 'label: value' line with a figure ('Reispas volwassene: normale procedure € 85,00; dringende
    procedure € 270,00'), or a line ending in a figure before a line that starts with a capital
    ('Reispas volwassene € 85,00 € 270,00' / 'Reispas minderjarige …'). A row stands alone:
    (text, is a row)."""
    out, cur = [], ""
    lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        cur = f"{cur} {line}".strip()
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _LABELLED_ROW.search(line) or (_FIGURE_END.search(line) and nxt[:1].isupper()):
            out.append((cur, True))
            cur = ""
    return [*out, (cur, False)] if cur else out
