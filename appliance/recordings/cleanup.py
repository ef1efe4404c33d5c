"""Clean a transcript up towards the meeting's vocabulary, every change a reversible revision.

Speech recognition bends the words a meeting is about ("morrenstraat" for Molenstraat, "omt
houdingen" for onthoudingen). A word, or two neighbouring words heard as one, that is close in
spelling (`MATCH` similarity) to a word of the vocabulary (agenda titles, names, street and place
names, vote words) is replaced by that word. With a language model, it may propose further fixes
for a segment; a proposal is kept only where every word it changes becomes a vocabulary word that
is close to the word heard, so the model corrects towards the vocabulary and never rewrites.
Every change is stored as a SegmentRevision (action `cleanup`): shown in the segment's history
and undone there (`revert_revision`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from appliance.access import Principal
from appliance.context import Appliance
from appliance.recordings.asr_guard import normalise
from appliance.recordings.transcript_edit import correct_segment, segments_of
from appliance.recordings.vocabulary import meeting_terms, primed_vocabulary
from models.base import LLM, ChatMessage, ModelError

MATCH = 0.8  # similarity of a heard word to a vocabulary word
LOOSE = 0.6  # a model's proposal must still be this close to the word it replaces
MIN_WORD = 5  # shorter words are too easily confused ("raad" ~ "raat" is fine, "de" ~ "te" is not)
VOTE_WORDS = ("onthoudingen", "stemmen", "tegenstemmen", "goedgekeurd", "eenparig", "stemming", "agendapunt",
              "notulen", "gemeenteraad", "zitting", "voorzitter", "schepen", "raadslid", "college", "kennis",
              "abstentions", "unanimité", "conseil", "séance")
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)
_SYSTEM = ("Je verbetert een transcriptie van een vergadering. Verbeter alleen woorden die verkeerd gehoord "
           "zijn en eigenlijk een woord uit de woordenlijst zijn. Verander niets anders. Antwoord met JSON.")


@dataclass(frozen=True)
class Change:
    segment_id: int
    old: str
    new: str


def vocabulary_words(terms: Sequence[str]) -> dict[str, str]:
    """Normalised word -> its spelling, for every word of at least MIN_WORD letters in the terms.
    Names keep their capitals (a capitalised word inside a term, or a term of capitalised words
    such as "Pieter Claes"); the first word of a title ("Heraanleg van ...") is a common word."""
    out: dict[str, str] = {}
    for term in [*terms, *VOTE_WORDS]:
        words = _WORD.findall(term)
        all_capital = len(words) <= 3 and all(w[:1].isupper() for w in words)
        for i, word in enumerate(words):
            name = word[:1].isupper() and (i > 0 or all_capital)
            spelled = word if name else word.lower()
            if len(word) >= MIN_WORD and (normalise(word) not in out or name):
                out[normalise(word)] = spelled
    return out


def _closest(heard: str, vocab: dict[str, str], threshold: float) -> tuple[str, float]:
    """(vocabulary word, similarity) closest to `heard`, or ('', 0) below the threshold."""
    key = normalise(heard).replace(" ", "")
    if len(key) < MIN_WORD:
        return "", 0.0
    if key in vocab:
        return vocab[key], 1.0
    best, score = "", threshold
    for norm, word in vocab.items():
        if abs(len(norm) - len(key)) > 3:
            continue
        r = SequenceMatcher(None, key, norm).ratio()
        if r >= score:
            best, score = word, r
    return (best, score) if best else ("", 0.0)


def correct_text(text: str, vocab: dict[str, str]) -> str:
    """`text` with each word (or two words heard for one) close to a vocabulary word replaced by it."""
    words = list(_WORD.finditer(text))
    out, pos, i = [], 0, 0
    while i < len(words):
        m = words[i]
        single, s_score = _closest(m.group(), vocab, MATCH)
        nxt = words[i + 1] if i + 1 < len(words) and text[m.end():words[i + 1].start()] == " " else None
        if nxt is not None and min(len(m.group()), len(nxt.group())) >= 3:
            joined, j_score = _closest(m.group() + nxt.group(), vocab, MATCH)
            if joined and j_score > max(s_score, _closest(nxt.group(), vocab, MATCH)[1]):
                out += [text[pos:m.start()], _cased(joined, m.group())]
                pos, i = nxt.end(), i + 2
                continue
        if single and normalise(single) != normalise(m.group()):
            out += [text[pos:m.start()], _cased(single, m.group())]
            pos = m.end()
        i += 1
    return "".join(out) + text[pos:]


def _cased(word: str, heard: str) -> str:
    """A name keeps the vocabulary's spelling; a common word the capital (or not) it was heard with."""
    if word[:1].isupper():
        return word
    return word[:1].upper() + word[1:] if heard[:1].isupper() else word


def accept_proposal(heard: str, proposed: str, vocab: dict[str, str]) -> str:
    """The proposal with only its changes towards vocabulary words kept (the rest as heard)."""
    a, b = heard.split(), proposed.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b).get_opcodes():
        new = b[j1:j2]
        ok = op == "replace" and all(normalise(w) in vocab for w in new) and \
            SequenceMatcher(None, normalise(" ".join(a[i1:i2])), normalise(" ".join(new))).ratio() >= LOOSE
        out += new if op == "equal" or ok else a[i1:i2]
    return " ".join(out)


def _model_proposal(llm: LLM, text: str, vocab: dict[str, str], timeout: float) -> str:
    words = ", ".join(sorted(set(vocab.values()))[:300])
    messages = [ChatMessage("system", _SYSTEM),
                ChatMessage("user", f"Woordenlijst: {words}\n\nTranscriptie: {text}")]
    schema = {"type": "object", "properties": {"text": {"type": "string", "maxLength": len(text) + 80}},
              "required": ["text"]}
    try:
        raw = "".join(llm.stream(messages, max_tokens=len(text) // 2 + 40, temperature=0.0, json_schema=schema,
                                 timeout=timeout))
        return str(json.loads(raw).get("text", ""))
    except (ModelError, ValueError, AttributeError):
        return ""


def clean_up_transcript(app: Appliance, who: Principal, recording_id: int, *, terms: Sequence[str] = (),
                        llm: LLM | None = None) -> list[Change]:
    """Correct every segment towards the vocabulary (the recording's kept one and the settings' lists
    when `terms` is empty); each change is a revision by `who`. Returns the changes."""
    if not terms:
        agenda, names, places = primed_vocabulary(app, recording_id)
        terms = meeting_terms(app, agenda=agenda, names=names, places=places)
    vocab = vocabulary_words(terms)
    changes: list[Change] = []
    for seg in segments_of(app, recording_id):
        new = correct_text(seg.text, vocab)
        if llm is not None:
            proposal = _model_proposal(llm, new, vocab, app.settings.llm.timeout_seconds)
            new = accept_proposal(new, proposal, vocab) if proposal else new
        if new != seg.text and seg.id is not None:
            correct_segment(app, who, recording_id, seg.id, new)
            changes.append(Change(seg.id, seg.text, new))
    return changes
