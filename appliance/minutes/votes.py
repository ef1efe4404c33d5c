"""Votes and decisions said aloud, found by rule before a language model sees the transcript.

"Stemming: twintig stemmen voor, drie tegen, twee onthoudingen", "met 18 ja-stemmen en 5
neen-stemmen", "eenparig goedgekeurd", "21 voix pour, 3 contre et 2 abstentions", "à l'unanimité":
counts in digits or in Dutch / French number words (Belgian septante and nonante included) become
for / against / abstain. A vote may run over two segments (Whisper cuts where the reader pauses).
Vote labels are matched with a little tolerance because speech recognition splits and bends
them ("omt houdingen"); numbers are matched exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from appliance.recordings import normalise_asr_text as normalise

_NL_UNITS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf",
             "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien"]
_NL_TENS = ["", "", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig"]
_FR_UNITS = ["zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
             "douze", "treize", "quatorze", "quinze", "seize", "dix sept", "dix huit", "dix neuf"]
_FR_TENS = ["", "", "vingt", "trente", "quarante", "cinquante", "soixante", "septante", "quatre vingt", "nonante"]


def _spellings() -> dict[str, int]:
    """Every spelling of 0..100 after normalisation (accents folded, hyphens to spaces)."""
    out: dict[str, int] = {"geen": 0, "honderd": 100, "cent": 100, "une": 1, "huitante": 80,
                           "quatre vingts": 80, "eentje": 1}
    for n, w in enumerate(_NL_UNITS):
        out[w] = n
    for n, w in enumerate(_FR_UNITS):
        out.setdefault(w, n)
    for t in range(2, 10):
        out[_NL_TENS[t]] = t * 10
        out[_FR_TENS[t]] = t * 10
        for u in range(1, 10):
            unit = _NL_UNITS[u]
            out[f"{unit}en{_NL_TENS[t]}"] = t * 10 + u  # eenentwintig, drieentwintig (from drieëntwintig)
            out[f"{unit} en {_NL_TENS[t]}"] = t * 10 + u
            fr = f"{_FR_TENS[t]} et un" if u == 1 else f"{_FR_TENS[t]} {_FR_UNITS[u]}"
            out[fr] = t * 10 + u
            if u == 1:
                out[f"{_FR_TENS[t]} et une"] = t * 10 + 1
    for u in range(10, 20):  # France: soixante-dix .. soixante-dix-neuf, quatre-vingt-dix ..
        out[f"soixante {'et ' if u == 11 else ''}{_FR_UNITS[u]}"] = 60 + u
        out[f"quatre vingt {_FR_UNITS[u]}"] = 80 + u
    for u in range(1, 10):
        out[f"quatre vingt {_FR_UNITS[u]}"] = 80 + u
    return out


NUMBERS = _spellings()
_LONGEST = max(len(k.split()) for k in NUMBERS)

FOR_WORDS = ("voor", "pour", "ja", "oui", "jastemmen", "voorstemmen")
AGAINST_WORDS = ("tegen", "contre", "nee", "neen", "non", "tegenstemmen", "neenstemmen")
ABSTAIN_WORDS = ("onthoudingen", "onthouding", "onthouders", "abstentions", "abstention", "onthielden")
_BALLOT = {"stemmen", "stem", "voix", "vote", "votes", "stemmen:"}
UNANIMOUS = re.compile(r"\b(eenparig\w*|unaniem\w*|met algemene stemmen|a l unanimite|unanimement)\b")
APPROVED = re.compile(
    r"\b(goedgekeurd|goed gekeurd|aangenomen|keurt\b.{0,120}\bgoed|keuren\b.{0,120}\bgoed|gaat akkoord|"
    r"gaan akkoord|adopte\w*|approuve\w*|est accepte\w*)\b")
REJECTED = re.compile(r"\b(verworpen|afgekeurd|niet aangenomen|niet goedgekeurd|rejete\w*|refuse\w*|n est pas adopte)\b")
NOTED = re.compile(r"\b(neemt kennis|nemen kennis|kennisname|kennis genomen|prend acte|prennent acte)\b")
LABEL_MATCH = 0.8  # similarity of a heard word to a vote label ("omthoudingen" ~ "onthoudingen")


@dataclass
class Vote:
    counts: dict[str, int] = field(default_factory=dict)  # for / against / abstain
    unanimous: bool = False

    @property
    def found(self) -> bool:
        return bool(self.counts) or self.unanimous


def _label(token: str, nxt: str = "") -> tuple[str, int]:
    """(kind, tokens used) when token (or token + next, rejoined) is a vote label."""
    for joined, used in ((token + nxt, 2), (token, 1)) if nxt else ((token, 1),):
        for kind, words in (("for", FOR_WORDS), ("against", AGAINST_WORDS), ("abstain", ABSTAIN_WORDS)):
            if joined in words:
                return kind, used
            if len(joined) >= 7 and any(len(w) >= 7 and SequenceMatcher(None, joined, w).ratio() >= LABEL_MATCH
                                        for w in words):
                return kind, used
    return "", 0


def tokens_with_numbers(text: str) -> list[str | int]:
    """Normalised words with every spoken or written number (longest spelling first) as an int."""
    words = normalise(text).split()
    out: list[str | int] = []
    i = 0
    while i < len(words):
        if words[i].isdigit() and len(words[i]) <= 3:
            out.append(int(words[i]))
            i += 1
            continue
        for span in range(min(_LONGEST, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + span])
            if phrase in NUMBERS:
                out.append(NUMBERS[phrase])
                i += span
                break
        else:
            out.append(words[i])
            i += 1
    return out


def parse_vote(text: str) -> Vote:
    """The counts said in `text`: '<n> (stemmen) voor/tegen', '<n> onthoudingen', or the label first
    ('voor: 20, tegen: 3', only when two counts are said that way and the text starts so), and unanimity."""
    toks = tokens_with_numbers(text)
    after: dict[str, tuple[int, int]] = {}  # kind -> (position, count) for '<n> label'
    bare: list[int] = []  # '<n> stemmen' heard without its label
    before: dict[str, tuple[int, int]] = {}  # kind -> (position, count) for 'label <n>'
    for i, tok in enumerate(toks):
        if not isinstance(tok, int):
            continue
        j = i + 1
        while j < len(toks) and toks[j] in _BALLOT:
            j += 1
        if j < len(toks) and isinstance(toks[j], str):
            nxt = toks[j + 1] if j + 1 < len(toks) and isinstance(toks[j + 1], str) else ""
            kind, _ = _label(str(toks[j]), str(nxt))
            if kind and kind not in after and (j > i + 1 or kind != "for" or _not_purpose(toks, j)):
                after[kind] = (i, tok)
            elif not kind and j > i + 1:
                bare.append(tok)
        if i > 0 and isinstance(toks[i - 1], str):
            kind, _ = _label(str(toks[i - 1]))
            if kind:
                before.setdefault(kind, (i - 1, tok))
    if bare and "for" not in after and after:  # "twintig stemmen vol, drie tegen": the first count is for
        after["for"] = (-1, bare[0])
    chosen = after
    if len(before) >= 2 and min(p for p, _ in before.values()) < min((p for p, _ in after.values()), default=len(toks)):
        chosen = before
    return Vote({k: n for k, (_, n) in chosen.items()}, bool(UNANIMOUS.search(normalise(text))))


def _not_purpose(toks: Sequence[str | int], j: int) -> bool:
    """'20 voor' is a count unless 'voor' starts a phrase ('3 voor de begroting' is not a vote)."""
    after = toks[j + 1] if j + 1 < len(toks) else ""
    return not (isinstance(after, str) and after in {"de", "het", "een", "den", "le", "la", "les"})


def outcome_of(text: str, vote: Vote) -> str:
    """approved | rejected | noted | '' from what was said, else from the counts."""
    norm = normalise(text)
    if REJECTED.search(norm):
        return "rejected"
    if APPROVED.search(norm) or vote.unanimous:
        return "approved"
    if NOTED.search(norm):
        return "noted"
    heard = _heard_outcome(norm.split())
    if heard:
        return heard
    if vote.counts:
        return "approved" if vote.counts.get("for", 0) > vote.counts.get("against", 0) else "rejected"
    return ""


OUTCOME_SPELLINGS = {"goedgekeurd": "approved", "aangenomen": "approved", "verworpen": "rejected",
                     "afgekeurd": "rejected"}


def _heard_outcome(words: Sequence[str]) -> str:
    """An outcome word speech recognition bent or split ("goed gekeld" for goedgekeurd)."""
    for i, word in enumerate(words):
        for heard in (word + words[i + 1], word) if i + 1 < len(words) else (word,):
            if len(heard) < 8:
                continue
            for spelling, outcome in OUTCOME_SPELLINGS.items():
                if SequenceMatcher(None, heard, spelling).ratio() >= LABEL_MATCH:
                    return outcome
    return ""


@dataclass
class Said:
    """A decision said in segments [first, last]: its outcome and vote."""

    first: int
    last: int
    outcome: str
    vote: Vote


def decisions_said(texts: Sequence[str]) -> list[Said]:
    """Every vote or outcome said, in transcript order; a vote's counts may run into the next
    segment, and an outcome said in the segment after a vote belongs to that vote."""
    out: list[Said] = []
    i = 0
    while i < len(texts):
        vote = parse_vote(texts[i])
        last = i
        if vote.counts and i + 1 < len(texts):
            more = parse_vote(texts[i + 1])
            if more.counts and not set(more.counts) & set(vote.counts):
                vote.counts.update(more.counts)
                last = i + 1
        joined = " ".join(texts[i:last + 2]) if vote.found else texts[i]
        outcome = outcome_of(joined, vote)
        if vote.found and last + 1 < len(texts) and outcome_of(texts[last + 1], Vote()):
            last += 1  # "Het voorstel is goedgekeurd." right after the counts
        if vote.found or outcome:
            out.append(Said(i, last, outcome or "approved", vote))
        i = last + 1
    return out
