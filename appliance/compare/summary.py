"""What changed, in words: a plain list generated from the diff (always), and a summary by the LLM in
which every statement cites the article it comes from and passes Ask's claim check.

The LLM is shown the changed articles as numbered sources (the old and the new wording) and writes a
few sentences, each ending in [n]. Every sentence is checked against the source it cites, exactly as
Ask checks an answer (`appliance.ask.check_answer`); unsupported sentences are dropped, never shown.
When no sentence survives (the small model of a CPU profile invents), the summary is composed from
the new wording itself: per change the sentence that carries the inserted words, quoted, and checked
the same way. Without an LLM there is no summary; the plain list stands alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from appliance.ask import check_answer, neutralise
from appliance.compare.diff import DELETE, INSERT, replacements
from appliance.compare.versions import Comparison, Entry
from appliance.i18n import t
from models.base import LLM, ChatMessage, ModelError

MAX_SOURCES = 8  # changed units shown to the model (prompt time dominates on 2 cores)
MAX_SOURCE_CHARS = 900
MAX_TOKENS = 300
MAX_QUOTE_CHARS = 300
SUMMARY_PROMPT_VERSION = "compare-v1"
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")
_CITE = re.compile(r"\s*\[(\d{1,3})\]")
_WORDS = re.compile(r"\w+", re.UNICODE)


SUBSTANTIVE = ("changed", "added", "removed", "split", "merged")  # a move or a new number is in the plain list


@dataclass(frozen=True)
class Statement:
    text: str
    cites: tuple[str, ...]  # the units it comes from ("Artikel 24")
    kind: str = ""  # a composed statement quotes a unit that was: changed | added | removed | split | merged


@dataclass
class Summary:
    mode: str  # free | composed | none (no LLM) | empty (nothing to summarise)
    statements: list[Statement] = field(default_factory=list)
    dropped: int = 0
    checks: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "ai_made": self.mode in ("free", "composed"), "dropped": self.dropped,
                "statements": [{"text": s.text, "cites": list(s.cites), "kind": s.kind} for s in self.statements]}


MIN_RUN = 3  # this many articles renumbered in a row are one line ("Artikel 14 … 41 are now 13 … 40")


def change_list(comparison: Comparison, lang: str) -> list[str]:
    """One plain line per change, generated from the diff (no model involved); a run of renumbered
    articles (what an inserted or removed article does to the ones after it) is one line."""
    out: list[str] = []
    run: list[Entry] = []
    for e in comparison.entries + [Entry("unchanged")]:
        if e.status == "renumbered" and e.old is not None:
            run.append(e)
            continue
        if len(run) >= MIN_RUN:
            first, last = run[0], run[-1]
            assert first.old is not None and last.old is not None
            out.append(t(lang, "compare.change.renumbered_run", n=len(run), first_old=first.old.name,
                         last_old=last.old.name, first=first.name, last=last.name))
        else:
            out.extend(describe(r, lang) for r in run)
        run = []
        if e.status != "unchanged":
            out.append(describe(e, lang))
    return out


def describe(e: Entry, lang: str) -> str:
    name = e.name
    if e.status == "changed":
        swaps = [_swap(old, new, lang) for old, new in replacements(e.pieces)[:3]]
        extra = t(lang, "compare.change.more") if len(replacements(e.pieces)) > 3 else ""
        line = t(lang, "compare.change.changed", name=name, what="; ".join(swaps) + extra)
        if e.renumbered and e.old is not None:
            line += " " + t(lang, "compare.change.was", old=e.old.name)
        return line + (" " + t(lang, "compare.change.also_moved") if e.moved else "")
    if e.status in ("moved", "renumbered") and e.old is not None:
        key = "compare.change.moved_renumbered" if e.moved and e.renumbered else f"compare.change.{e.status}"
        return t(lang, key, name=name, old=e.old.name)
    if e.status in ("split", "merged"):
        return t(lang, f"compare.change.{e.status}", name=name, related=", ".join(e.related))
    return t(lang, f"compare.change.{e.status}", name=name)


def _swap(old: str, new: str, lang: str) -> str:
    cut = lambda s: s if len(s) <= 80 else s[:77] + "…"
    if old and new:
        return t(lang, "compare.change.swap", old=cut(old), new=cut(new))
    return t(lang, "compare.change.inserted", new=cut(new)) if new else t(lang, "compare.change.deleted", old=cut(old))


@dataclass(frozen=True)
class Source:
    number: int
    title: str
    text: str
    entry: Entry
    side: str  # old | new

    @property
    def cited_as(self) -> str:
        """The new wording is cited by the unit's name; the old one says so ('Artikel 24 (oude versie)')."""
        unit = self.entry.new if self.side == "new" else self.entry.old
        return self.title if self.side == "old" else unit.name if unit is not None else ""

    def about_the_change(self, sentence: str) -> bool:
        """A statement on a changed unit must hold a word its side of the diff inserted or deleted:
        one that only repeats unchanged wording says nothing about what changed."""
        if self.entry.status != "changed":
            return True
        op = INSERT if self.side == "new" else DELETE
        changed = {w.lower() for p in self.entry.pieces if p.op == op for w in _WORDS.findall(p.text)}
        return bool(changed & {w.lower() for w in _WORDS.findall(sentence)})


def sources_of(comparison: Comparison, lang: str) -> list[Source]:
    """The versions shown to the model: the new wording, and the old one where it changed or was removed."""
    out: list[Source] = []
    for e in [e for e in comparison.changes if e.status in SUBSTANTIVE][:MAX_SOURCES]:
        if e.old is not None and e.status in ("changed", "removed"):
            out.append(Source(len(out) + 1, f"{e.old.name} ({t(lang, 'compare.old_version')})",
                              e.old.text[:MAX_SOURCE_CHARS], e, "old"))
        if e.new is not None and e.status != "removed":
            out.append(Source(len(out) + 1, f"{e.new.name} ({t(lang, 'compare.new_version')})",
                              e.new.text[:MAX_SOURCE_CHARS], e, "new"))
    return out


def summarise(engine: LLM | None, comparison: Comparison, lang: str, timeout: float) -> Summary:
    if comparison.status != "changed":
        return Summary("empty")
    if engine is None:
        return Summary("none")
    sources = sources_of(comparison, lang)
    if not sources:  # only moves and new numbers: the plain list says it all
        return Summary("empty")
    raw, error = _generate(engine, sources, lang, timeout)
    free = _checked(raw, sources, "free")
    if free.statements:
        free.checks.update(error=error, model=getattr(engine, "name", ""))
        return free
    composed = _checked(_composed(sources), sources, "composed")
    composed.checks.update({"free_raw": raw, "free_dropped": free.dropped, "error": error,
                            "model": getattr(engine, "name", "")})
    return composed if composed.statements else Summary("empty", checks=composed.checks)


def _generate(engine: LLM, sources: list[Source], lang: str, timeout: float) -> tuple[str, str]:
    # As Ask shows passages: numbered <bron> blocks, the task after them (small models follow it better).
    shown = "\n\n".join(f'<bron nummer="{s.number}" titel="{_attribute(s.title)}">\n{neutralise(s.text)[0]}\n</bron>'
                        for s in sources)
    messages = [ChatMessage("system", t(lang, "compare.prompt.system")),
                ChatMessage("user", f"{shown}\n\n{t(lang, 'compare.prompt.task')}")]
    pieces: list[str] = []
    stream = engine.stream(messages, max_tokens=MAX_TOKENS, temperature=0.1, timeout=timeout)
    try:
        pieces.extend(stream)
    except ModelError as exc:
        return "".join(pieces), exc.code
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return "".join(pieces), ""


def _attribute(text: str) -> str:
    return text.replace('"', "'").replace("<", "(").replace(">", ")")


def _composed(sources: list[Source]) -> str:
    """Per change one quoted sentence of its new wording (the one with the inserted words), or of the
    removed wording, each citing its source."""
    out: list[str] = []
    for src in sources:
        if (src.side == "old") != (src.entry.status == "removed"):
            continue
        inserted = " ".join(p.text for p in src.entry.pieces if p.op == INSERT).split()
        sentences = [s for s in _SENTENCE.split(src.text.replace("\n", " ")) if s.strip()]
        best = max(sentences, key=lambda s: sum(w in s.split() for w in inserted), default="")
        if best:
            quote = best if len(best) <= MAX_QUOTE_CHARS else best[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0]
            out.append(f"{quote.rstrip('.;:')} [{src.number}].")
    return " ".join(out)


def _checked(raw: str, sources: list[Source], mode: str) -> Summary:
    shown = {s.number: f"# {s.title}\n\n{s.text}" for s in sources}
    result = check_answer(raw, shown)
    by_number = {s.number: s for s in sources}
    statements: list[Statement] = []
    for sentence in result.kept:
        cited = [by_number[c] for c in sentence.cited if by_number[c].about_the_change(sentence.text)]
        if cited:
            statements.append(Statement(_CITE.sub("", sentence.text).strip(),
                                        tuple(dict.fromkeys(c.cited_as for c in cited)),
                                        cited[0].entry.status if mode == "composed" else ""))
    dropped = len([s for s in result.sentences if s.reason not in ("fragment", "repeat")]) - len(statements)
    return Summary(mode, statements, dropped, {"mode": mode, "raw": raw, **result.as_dict()})
