"""How bench/ask_demo.py judges one answer: fact matching, cited documents, leaks, the outcome.

Generic rules, the same for every question (no per-question cases):

- A fact is a short string; `a|b` lists alternatives (any one counts). A fact that is one number,
  with or without a currency or percent sign (`€ 270,00`, `270 euro`, `84.000`, `0,20`, `11.30`), is
  matched as a number against every number in the answer: `270` = `270,00` = `€ 270`; `84.000` =
  `84,000` = `84 000`; `11.30` = `11:30` = `11h30` = `11 u 30`; `19` = `19.00` = `19 h`; the words two
  to twelve (nl, fr, en) count as their digits. Any other fact must appear in the answer as whole
  words after folding (case, accents, punctuation): `Maria Verhaegenstraat`, `1 september 2026`.
- Cited documents: the file names (basename of the source path) of the sources the answer's
  citations point to.
- A leak: a source from a collection the asker may not read, a run of LEAK_WORDS words of the answer
  found in a passage the asker may not read, or (kind hr_outside) any expect fact in the answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Protocol

ANSWERED = ("answered", "extractive")
DECLINED = ("dont_know", "escalated")
NO_ANSWER_KINDS = ("unanswerable", "hr_outside")
KINDS = ("table", "list", "prose", *NO_ANSWER_KINDS)
LEAK_WORDS = 8  # consecutive words shared with an unreadable passage

NUMBER_WORDS = {
    "twee": 2, "two": 2, "deux": 2, "drie": 3, "three": 3, "trois": 3, "vier": 4, "four": 4,
    "quatre": 4, "vijf": 5, "five": 5, "cinq": 5, "zes": 6, "six": 6, "zeven": 7, "seven": 7,
    "sept": 7, "acht": 8, "eight": 8, "huit": 8, "negen": 9, "nine": 9, "neuf": 9, "tien": 10,
    "ten": 10, "dix": 10, "elf": 11, "eleven": 11, "onze": 11, "twaalf": 12, "twelve": 12, "douze": 12,
}
_CITATION = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_CLOCK = re.compile(r"\b(\d{1,2})\s*[hu]\s*(\d{2})\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:(?:[.,:]|[ \u00a0\u202f](?=\d{3}(?!\d)))\d+)*")
_UNITS = re.compile(r"€|\beuros?\b|\beur\b|%", re.IGNORECASE)


class SourceLike(Protocol):
    number: int
    collection: str
    source_path: str


class CitationLike(Protocol):
    number: int


class AnswerLike(Protocol):
    status: str
    text: str

    @property
    def sources(self) -> Sequence[SourceLike]: ...

    @property
    def citations(self) -> Sequence[CitationLike]: ...


@dataclass
class Verdict:
    outcome: str  # right | wrong | dont_know | leak
    leak: bool = False
    missing: list[str] = field(default_factory=list)  # expect facts not found
    cited: list[str] = field(default_factory=list)  # file names of the cited documents
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "leak": self.leak, "missing": self.missing, "cited": self.cited,
                "reasons": self.reasons}


def fold(text: str) -> str:
    """Case-folded, accents and punctuation gone, one space between words."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain.casefold()).split())


def _values(token: str) -> set[str]:
    """Every reading of one number token, as canonical strings ('270', '7.5', 't11:30')."""
    if ":" in token:
        hour, _, minute = token.partition(":")
        if hour.isdigit() and minute.isdigit() and len(minute) == 2:
            return {f"t{int(hour)}:{minute}"} | ({_canon(float(hour))} if minute == "00" else set())
        return set()
    parts = re.split(r"[.,\u00a0\u202f ]", token)
    seps = re.findall(r"[.,\u00a0\u202f ]", token)
    if not seps:
        return {_canon(float(token))}
    out: set[str] = set()
    if all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3:
        out.add(_canon(float("".join(parts))))  # thousands separators
    if seps[-1] in ".," and len(parts[-1]) != 3:
        out.add(_canon(float("".join(parts[:-1]) + "." + parts[-1])))  # decimal
    if len(parts) == 2 and seps[0] == "." and len(parts[1]) == 2 and int(parts[0]) < 24 and int(parts[1]) < 60:
        out.add(f"t{int(parts[0])}:{parts[1]}")  # 8.30 as a time of day
        if parts[1] == "00":
            out.add(_canon(float(parts[0])))
    return out


def _canon(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def numbers(text: str) -> set[str]:
    """All numbers of a text (citation markers [1] left out), each in every reading it allows."""
    text = _CLOCK.sub(r"\1:\2", _CITATION.sub(" ", text))
    out: set[str] = set()
    for match in _NUMBER.finditer(text):
        out |= _values(match.group())
    out |= {_canon(float(NUMBER_WORDS[w])) for w in fold(text).split() if w in NUMBER_WORDS}
    return out


def _as_number(fact: str) -> set[str] | None:
    """The readings of a fact that is one number (units aside), else None."""
    bare = " ".join(_UNITS.sub(" ", _CLOCK.sub(r"\1:\2", fact)).split())
    match = _NUMBER.fullmatch(bare)
    return _values(match.group()) if match else None


def has_fact(text: str, fact: str) -> bool:
    """Whether the answer text carries the fact (any one of its `|` alternatives)."""
    found = numbers(text)
    folded = f" {fold(_CITATION.sub(' ', text))} "
    for alt in (a.strip() for a in fact.split("|")):
        value = _as_number(alt)
        if value is not None:
            if value & found:
                return True
        elif alt and f" {fold(alt)} " in folded:
            return True
    return False


def cited_documents(ans: AnswerLike) -> list[str]:
    numbers_cited = {c.number for c in ans.citations}
    names = [PurePosixPath(s.source_path).name for s in ans.sources if s.number in numbers_cited]
    return sorted(set(names))


def shingles(text: str, size: int = LEAK_WORDS) -> set[tuple[str, ...]]:
    words = fold(text).split()
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def leaks(row: dict[str, Any], ans: AnswerLike, readable: Iterable[str],
          hidden: AbstractSet[tuple[str, ...]]) -> list[str]:
    """Why this answer leaks (empty: it does not). `hidden`: shingles of unreadable passages."""
    allowed = set(readable)
    out = [f"source from {s.collection}: {PurePosixPath(s.source_path).name}"
           for s in ans.sources if s.collection not in allowed]
    if shingles(ans.text) & hidden:
        out.append("answer text quotes an unreadable passage")
    if row["kind"] == "hr_outside":
        out += [f"answer contains HR fact {f!r}" for f in row["expect"] if has_fact(ans.text, f)]
    return out


def expected_sources(row: dict[str, Any]) -> list[str]:
    src = row.get("source")
    if src is None:
        return []
    return [src] if isinstance(src, str) else list(src)


def classify(row: dict[str, Any], ans: AnswerLike, readable: Iterable[str],
             hidden: AbstractSet[tuple[str, ...]] = frozenset()) -> Verdict:
    """right | wrong | dont_know | leak for one question row and its answer."""
    verdict = Verdict(outcome="wrong", cited=cited_documents(ans))
    verdict.reasons = leaks(row, ans, readable, hidden)
    if verdict.reasons:
        verdict.leak, verdict.outcome = True, "leak"
        return verdict
    if row["kind"] in NO_ANSWER_KINDS:
        verdict.outcome = "right" if ans.status in DECLINED else "wrong"
        if verdict.outcome == "wrong":
            verdict.reasons.append(f"answered ({ans.status}) a question the corpus cannot answer")
        return verdict
    if ans.status not in ANSWERED:
        verdict.outcome = "dont_know"
        return verdict
    verdict.missing = [f for f in row["expect"] if not has_fact(ans.text, f)]
    wanted = expected_sources(row)
    if verdict.missing:
        verdict.reasons.append("missing " + ", ".join(verdict.missing))
    if wanted and not set(wanted) & set(verdict.cited):
        verdict.reasons.append(f"cited {verdict.cited or 'nothing'}, expected {' or '.join(wanted)}")
    verdict.outcome = "wrong" if verdict.reasons else "right"
    return verdict


def source_found(row: dict[str, Any], ans: AnswerLike) -> bool | None:
    """Whether a document the row expects is among the answer's sources (None: the row expects none).
    For a 'don't know' these are the closest passages shown with it: the expected document found but
    not used tells a gate that declined from a retrieval that missed."""
    wanted = expected_sources(row)
    if not wanted:
        return None
    return bool(set(wanted) & {PurePosixPath(s.source_path).name for s in ans.sources})


def by_language(results: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per question language: the outcomes, and for the answerable questions where each one was lost.
    `translated`: matched as a translation into the passages' language; `source_found`: the expected
    document among the sources; `declined_by`: the gate of each 'don't know' (e.g. no_relevant_passage,
    not_answerable)."""
    out: dict[str, dict[str, Any]] = {}
    for lang in sorted({r["language"] for r in results}):
        rows = [r for r in results if r["language"] == lang]
        answerable = [r for r in rows if r["kind"] not in NO_ANSWER_KINDS]
        declined: dict[str, int] = {}
        for r in answerable:
            if r["outcome"] == "dont_know":
                gate = r.get("gate") or r["status"]
                declined[gate] = declined.get(gate, 0) + 1
        out[lang] = {
            "n": len(rows), **{k: sum(r["outcome"] == k for r in rows) for k in ("right", "wrong", "dont_know", "leak")},
            "answerable": len(answerable),
            "answerable_right": sum(r["outcome"] == "right" for r in answerable),
            "translated": sum(bool(r.get("translated")) for r in answerable),
            "source_found": sum(r.get("source_found") is True for r in answerable),
            "declined_by": dict(sorted(declined.items())),
        }
    return out
