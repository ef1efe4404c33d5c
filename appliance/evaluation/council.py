"""Published council notulen (Gelinkt Notuleren export as plain text) as minutes eval cases.

A notulen file lists its agenda items, then repeats each with its text and, where the council
voted, a `Stemming` block (names under Voor / Tegen / Onthoudingen, each with a `Totaal`). The
meeting is read back as a chair would say it: "Agendapunt 4: <title>.", the item's text one
sentence per segment, and the vote said aloud with the counts in Dutch words ("Stemming: twintig
stemmen voor, drie tegen, twee onthoudingen."; "eenparig" when nobody voted against or abstained).
The known decisions are the titles of the items that were voted on. Names listed under the vote
and the attendance lists are not read out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_TITLE = re.compile(r"^(?:AP)?\d{1,3}\.?\s+\S")
_NUMBER_PREFIX = re.compile(r"^(?:AP)?\d{1,3}\.?\s+")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9À-Ý])")
_UNITS = ["nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf",
          "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien"]
_TENS = ["", "", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig"]
_LABELS = {"Voor:": "for", "Tegen:": "against", "Onthoudingen:": "abstain"}
SEGMENT_SECONDS = 6.0
MAX_SEGMENT_WORDS = 40


def dutch_number(n: int) -> str:
    """0..99 as a Dutch speaker says it (drieëntwintig); larger numbers as digits."""
    if n < 20:
        return _UNITS[n]
    if n >= 100:
        return str(n)
    tens, unit = divmod(n, 10)
    if not unit:
        return _TENS[tens]
    joiner = "ën" if _UNITS[unit].endswith("e") else "en"
    return f"{'een' if unit == 1 else _UNITS[unit]}{joiner}{_TENS[tens]}"


def _titles(lines: list[str]) -> tuple[list[str], int]:
    """The agenda's item lines and where the detailed part starts (the first title said again)."""
    try:
        start = lines.index("Agendapunten") + 1
    except ValueError:
        return [], len(lines)
    titles: list[str] = []
    for i in range(start, len(lines)):
        if titles and lines[i] == titles[0]:
            return titles, i
        if _TITLE.match(lines[i]):
            titles.append(lines[i])
    return [], len(lines)


def _vote(block: list[str]) -> dict[str, int] | None:
    if "Stemming" not in block:
        return None
    counts: dict[str, int] = {}
    label = ""
    lines = block[block.index("Stemming"):]
    for i, line in enumerate(lines):
        if line in _LABELS:
            label = _LABELS[line]
        elif line == "Totaal:" and label and i + 1 < len(lines) and lines[i + 1].isdigit():
            counts[label] = int(lines[i + 1])
            label = ""
        elif line.startswith("Aanwezigen"):
            break
    return counts


def _said_vote(counts: dict[str, int]) -> str:
    n_for, n_against, n_abstain = counts.get("for", 0), counts.get("against", 0), counts.get("abstain", 0)
    if not n_against and not n_abstain:
        return f"Het voorstel wordt eenparig goedgekeurd met {dutch_number(n_for)} stemmen voor."
    return (f"Stemming: {dutch_number(n_for)} stemmen voor, {dutch_number(n_against)} tegen, "
            f"{dutch_number(n_abstain)} onthoudingen.")


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for sentence in _SENTENCE.split(" ".join(text.split())):
        words = sentence.split()
        out += [" ".join(words[i:i + MAX_SEGMENT_WORDS]) for i in range(0, len(words), MAX_SEGMENT_WORDS)]
    return [s for s in out if s]


def notulen_case(text: str, name: str = "") -> dict[str, Any] | None:
    """One eval case ({transcript, agenda, decisions}) from a notulen text; None when the text is
    not in that layout or records no vote."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    titles, at = _titles(lines)
    if not titles:
        return None
    said: list[str] = []
    decisions: list[str] = []
    votes: list[dict[str, int]] = []
    wanted = 0
    block: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    for line in lines[at:]:
        if wanted < len(titles) and line == titles[wanted]:
            blocks.append((line, block := []))
            wanted += 1
        elif blocks:
            block.append(line)
    for k, (title_line, lines_of) in enumerate(blocks, start=1):
        title = _NUMBER_PREFIX.sub("", title_line).strip()
        said.append(f"Agendapunt {k}: {title}")
        body = lines_of[:next((i for i, ln in enumerate(lines_of) if ln in ("Pdf-versie", "Stemming")), len(lines_of))]
        for paragraph in dict.fromkeys(body):  # the export repeats the item's text
            said += _sentences(paragraph)
        counts = _vote(lines_of)
        if counts is not None:
            said.append(_said_vote(counts))
            decisions.append(title)
            votes.append(counts)
    if not decisions:
        return None
    transcript = [{"start": i * SEGMENT_SECONDS, "end": (i + 1) * SEGMENT_SECONDS, "text": t}
                  for i, t in enumerate(said)]
    agenda = [{"number": k, "title": _NUMBER_PREFIX.sub("", t).strip()} for k, t in enumerate(titles, start=1)]
    return {"name": name, "transcript": transcript, "agenda": agenda, "decisions": decisions, "votes": votes,
            "language": "nl"}


def council_cases(folder: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """(cases, skipped file names) for every *.txt in the folder."""
    cases: list[dict[str, Any]] = []
    skipped: list[str] = []
    for path in sorted(Path(folder).glob("*.txt")):
        case = notulen_case(path.read_text("utf-8", errors="replace"), path.name)
        if case is None:
            skipped.append(path.name)
        else:
            cases.append(case)
    return cases, skipped
