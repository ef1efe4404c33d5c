"""Decisions found by rule (appliance.minutes.votes), as minutes items, before the model drafts.

Each vote or outcome said becomes a decision of the agenda item being treated then (the last item
whose start lies at or before it), titled by that item: "Goedgekeurd: Heraanleg Molenstraat" with
the counts in `vote`. Without an agenda the sentence said is the decision's text. The counts are
what was said, so the model's own decisions for that agenda item are dropped as repeats.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from appliance.ask import MIN_SUPPORT, PassageTerms, lexical_support
from appliance.db.tables import MinutesItem, TranscriptSegment
from appliance.minutes.agenda import AgendaItem, locate_items, opens_an_item
from appliance.minutes.votes import Said, decisions_said

OUTCOME_WORDS = {
    "nl": {"approved": "Goedgekeurd", "rejected": "Verworpen", "noted": "Kennis genomen"},
    "fr": {"approved": "Approuvé", "rejected": "Rejeté", "noted": "Pris acte"},
    "en": {"approved": "Approved", "rejected": "Rejected", "noted": "Noted"},
}
RULE_FLAG = "from_rules"
# Whisper's segments run over several sentences (and over the next item's opening when nobody
# pauses); votes and items are found per sentence, and before every "punt ..." said.
_UNIT_CUT = re.compile(r"(?<=[.!?])\s+|[,;]?\s+(?=(?:agenda)?punt\w*\b|point\b)", re.IGNORECASE)
# Primed transcription often writes commas where the speaker ended a sentence: a clause after a comma
# that opens an agenda item (its title read out) starts a sentence of its own.
_CLAUSE_CUT = re.compile(r"(?<=,)\s+")


def _units(segs: Sequence[TranscriptSegment], agenda: Sequence[AgendaItem] = ()) -> tuple[list[str], list[int]]:
    """The transcript's sentences and, for each, the index of the segment it is in."""
    texts: list[str] = []
    owner: list[int] = []
    for k, seg in enumerate(segs):
        for piece in _UNIT_CUT.split(seg.text):
            for sentence in _sentences(piece, agenda):
                texts.append(sentence)
                owner.append(k)
    return texts, owner


def _sentences(piece: str, agenda: Sequence[AgendaItem]) -> list[str]:
    clauses = [c.strip() for c in _CLAUSE_CUT.split(piece or "") if c.strip()]
    out: list[str] = []
    for n, clause in enumerate(clauses):
        ahead = " ".join(clauses[n:n + 2])  # a title read out may run over the next comma
        if out and agenda and (opens_an_item(agenda, clause) or opens_an_item(agenda, ahead)
                               and not opens_an_item(agenda, out[-1] + " " + clause)):
            out.append(clause)
        elif out:
            out[-1] += " " + clause
        else:
            out.append(clause)
    return out


def _item_at(index: int, agenda: Sequence[AgendaItem], starts: Sequence[int | None]) -> tuple[AgendaItem | None, int]:
    """The agenda item being treated at segment `index` and the segment that opened it (-1: none)."""
    best: tuple[AgendaItem | None, int] = (None, -1)
    for item, start in zip(agenda, starts, strict=True):
        if start is not None and start <= index:
            best = (item, start)
    return best


def rule_decisions(segs: Sequence[TranscriptSegment], agenda: Sequence[AgendaItem], language: str) -> list[MinutesItem]:
    """One decision per vote said, and per agenda item where an outcome was said without a vote."""
    texts, owner = _units(segs, agenda)
    starts = locate_items(agenda, texts) if agenda else []
    words = OUTCOME_WORDS.get(language, OUTCOME_WORDS["nl"])
    out: list[MinutesItem] = []
    plain_at: dict[int, int] = {}  # agenda number -> index in `out` of its decision without a vote
    voted: set[int] = set()
    for said in decisions_said(texts):
        item, opened = _item_at(said.first, agenda, starts)
        if item is None and agenda:
            item, opened = agenda[0], -1  # said before the first item was found: the first item
        made = _item(segs, texts, owner, said, item, opened, words)
        if item is None:
            out.append(made)
        elif said.vote.found:  # a vote outranks an outcome said without one ("keurt ... goed")
            voted.add(item.number)
            if item.number in plain_at:
                out[plain_at.pop(item.number)] = made
            else:
                out.append(made)
        elif item.number not in voted and item.number not in plain_at:
            plain_at[item.number] = len(out)
            out.append(made)
    return out


def _item(segs: Sequence[TranscriptSegment], texts: Sequence[str], owner: Sequence[int], said: Said,
          item: AgendaItem | None, opened: int, words: dict[str, str]) -> MinutesItem:
    units = range(said.first, said.last + 1)
    cited = [segs[k] for k in sorted({*(owner[u] for u in units), *([owner[opened]] if opened >= 0 else [])})]
    if item is not None:
        text = f"{words.get(said.outcome, words['approved'])}: {item.title}"
    else:
        text = " ".join(texts[u] for u in units)
    sources = [PassageTerms(s.text) for s in cited] + ([PassageTerms(item.title)] if item else [])
    share, _ = lexical_support(text, sources)
    flags = [RULE_FLAG] + (["unanimous"] if said.vote.unanimous else []) + \
        ([] if share >= MIN_SUPPORT else ["unsupported"])
    return MinutesItem(
        minutes_id=0, kind="decision", agenda_number=item.number if item else 0,
        agenda_title=item.title if item else "", text=text[:480], vote=dict(said.vote.counts),
        segment_ids=[s.id for s in cited if s.id is not None],
        start=min(s.start for s in cited), end=max(s.end for s in cited),
        support=round(share, 3), supported=share >= MIN_SUPPORT, flags=flags, source="ai",
    )
