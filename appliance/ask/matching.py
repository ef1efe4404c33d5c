"""How Ask matches a question against the passages: as asked or as its translation, written as they write it.

The lexical evidence (relevance gate, answerability, the sentences a composed answer quotes) works
within one language. A question in another language than the readable passages is translated by the
LLM into the language most of them are in, and matched as that translation; the answer keeps the
asker's language. A short question is matched without the example of a reason it gives after a comma
(asked.without_reason), with the runs of words no readable passage contains joined into the acronym
the passages use (relevance.join_acronyms) and, in Dutch, the compounds they lack split into their
parts (relevance.split_compounds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, col, func, select

from appliance.access import Principal, read_scope
from appliance.ask import glossary, prompts
from appliance.ask.asked import (
    asked_subject,
    polar_words,
    priced_words,
    sentences,
    wh_subject,
    which_subject,
    without_reason,
)
from appliance.ask.days import weekdays_named
from appliance.ask.relevance import (
    detect_question_language,
    join_acronyms,
    never_named,
    rarest_known,
    same_meaning,
    split_compounds,
    unknown,
    usual_terms,
)
from appliance.db.engine import read_session
from appliance.db.tables import Chunk
from appliance.index.text import content_words
from models.base import LLM, ModelError

if TYPE_CHECKING:
    from appliance.context import Appliance

LONG_QUESTION_CHARS = 300  # above this, word coverage of one passage is low by nature
TRANSLATION_TOKENS = 96  # a question of at most LONG_QUESTION_CHARS characters, translated


@dataclass(frozen=True)
class Asked:
    """The question as asked (after a follow-up's rewrite), and as matched against the passages: its
    translation into their language where it was in another one, else itself. `tried`: the
    translations already asked of the model, by language ('' where none was usable), not asked again.
    `rare`: what a quote must name: what a yes/no or way question asks about where no readable passage names it, else
    what a yes/no or price question names most specifically (rare_asked)."""

    text: str
    match: str
    match_language: str
    tried: dict[str, str] = field(default_factory=dict)
    # What a yes/no or way question asks about that the corpus lacks, else a yes/no or price question's rarest words.
    rare: frozenset[str] = frozenset()


def rare_asked(app: Appliance, who: Principal, question: str, original: str = "") -> frozenset[str]:
    """What a quote must name for a short question (Asked.rare): what a yes/no or way question asks about
    (asked.asked_subject) where no passage `who` may read names it, even split as a compound ('Krijgen studenten
    korting …', 'Hoe kan ik een vergaderzaal reserveren …': no quote can answer it), or the thing a 'welke' question
    asks about (asked.which_subject) where no passage names it nor its first part (relevance.never_named: 'welke
    verlofdagen'); else the rarest words that some passage contains of those a yes/no question asks about
    (asked.polar_words) or a price question names (asked.priced_words; relevance.rarest_known); for a when / how
    long / where question, the thing it asks about (asked.wh_subject), known or not. Where `question` is a model's
    translation of `original`, its subject may be a word of the model's own: not the former; nor a 'welke' or 'wanneer'
    thing copied unchanged from the question as asked ('desk'). Else none."""
    subject, words = "" if original else asked_subject(question), polar_words(question) or priced_words(question)
    which, wh = ("" if w in content_words(original) else w for w in (which_subject(question), wh_subject(question)))
    if not subject and not which and not wh and not words:
        return frozenset()
    with read_session(app.db) as session:
        scope = read_scope(session, who)
        missing = unknown(session, {subject}, scope) if subject else frozenset()
        if not missing and which and never_named(session, which, scope):
            missing = frozenset([which])
        return missing or (frozenset([wh]) if wh else rarest_known(session, words, scope))


_LANGUAGE_OF: dict[tuple[str, tuple[int, ...], int], str] = {}  # (store, collections, newest chunk) -> language
_LANGUAGE_OF_SIZE = 256


def corpus_language(session: Session, who: Principal) -> str:
    """The language most of the passages the asker may read are in ('' when unknown). Counting every
    passage is a scan of the chunk table, so the answer is kept until a new passage is stored."""
    collections = tuple(sorted(read_scope(session, who).collections))
    if not collections:
        return ""
    key = (str(session.get_bind().engine.url), collections, int(session.exec(select(func.max(Chunk.id))).one() or 0))
    if key not in _LANGUAGE_OF:
        rows = session.exec(select(Chunk.language, func.count()).where(
            col(Chunk.collection_id).in_(collections), col(Chunk.active), Chunk.language != "")
            .group_by(Chunk.language).order_by(func.count().desc(), Chunk.language).limit(1)).all()
        if len(_LANGUAGE_OF) >= _LANGUAGE_OF_SIZE:
            _LANGUAGE_OF.clear()
        _LANGUAGE_OF[key] = str(rows[0][0]) if rows else ""
    return _LANGUAGE_OF[key]


def translation(app: Appliance, engine: LLM | None, who: Principal, q: str,
                language: str) -> tuple[str, str, list[str]] | None:
    """(the question translated into the language most readable passages are in, that language, the
    glossary terms the model was given as 'term = translation'):
    a French question over a mostly Dutch corpus is matched in Dutch, the French pages stay reachable
    by meaning. The text is '' where the model gave no usable translation (the embedding's closeness
    across languages then decides, as before); None where none is tried (no model, a letter-long
    question)."""
    if engine is None or len(q) > LONG_QUESTION_CHARS:
        return None
    with read_session(app.db) as session:
        target = corpus_language(session, who)
    out = translate(app, engine, q, language, target)
    return ("", target, []) if out is None else (as_indexed(app, who, out[0], target), target, out[1])


def translate(app: Appliance, engine: LLM, q: str, language: str, target: str) -> tuple[str, list[str]] | None:
    """(`q` translated from `language` into `target` by the model, the glossary terms it was given as
    'term = translation'); None for the same language, one without prompts, or a failed or implausible
    output. A question that tells its situation first and that the model answers instead of translating
    ('My son is 15 and needs his first passport. How long will it stay valid?' -> 'Het duurt 10 jaar …') is
    translated a sentence at a time: a situation told is nothing to answer, and the asking sentence alone
    gives the model no facts to answer from."""
    if target == language or target not in prompts.LANGUAGES:
        return None
    parts = sentences(q)
    for pieces in ([q], parts) if len(parts) > 1 else ([q],):
        try:
            done = [_translated(app, engine, piece, language, target) for piece in pieces]
        except ModelError:
            return None
        text = " ".join(t for t, _ in done)
        if _plausible(app, q, text, target):
            return text, list(dict.fromkeys(term for _, terms in done for term in terms))
    return None


def _translated(app: Appliance, engine: LLM, q: str, language: str, target: str) -> tuple[str, list[str]]:
    """The first line of the model's translation of `q`, and the glossary terms it was given."""
    terms = [(h.source, h.target) for h in glossary.hints(q, language, target, Path(app.settings.data_dir) / "glossary")]
    out = "".join(engine.stream(prompts.translate_messages(q, target, terms), max_tokens=TRANSLATION_TOKENS,
                                temperature=0.0, timeout=app.settings.llm.timeout_seconds))
    lines = [line for line in (" ".join(x.split()).strip("\"'") for x in out.splitlines()) if line]
    return (lines[0] if lines else ""), [f"{a} = {b}" for a, b in terms]


def _plausible(app: Appliance, q: str, text: str, target: str) -> bool:
    """Only a plausible translation counts: it has words, is not much longer, is in the target language,
    is still a question where one was asked, keeps the question's numbers and the weekdays it names (adds
    none, loses none: 'Christmas Day' is no 'zaterdag') and means what the question means (a model answering
    instead of translating fails these)."""
    return bool(content_words(text)) and len(text) <= 2 * len(q) + 40 and detect_question_language(text) == target \
        and (text.endswith("?") or not q.rstrip().endswith("?")) and _numbers(text) == _numbers(q) \
        and weekdays_named(text) == weekdays_named(q) and _same_meaning(app, q, text)


def as_indexed(app: Appliance, who: Principal, q: str, language: str) -> str:
    """A short question written as the readable passages write it: without the example of a reason the
    asker gives ('…, bijvoorbeeld omdat …': asked.without_reason), with the usual term for a variant they lack
    (relevance.usual_terms, the glossary's `language`-`language` list: 'bib' -> 'bibliotheek'), runs of words they lack joined into the
    acronym they use (relevance.join_acronyms), and in Dutch the compounds they lack split into their
    parts (relevance.split_compounds). A long one (a letter, a written question) as it is: its other
    words carry it."""
    if len(q) > LONG_QUESTION_CHARS:
        return q
    q = without_reason(q)
    variants = [(h.source, h.target) for h in glossary.hints(q, language, language, Path(app.settings.data_dir) / "glossary")]
    with read_session(app.db) as session:
        scope = read_scope(session, who)
        q = join_acronyms(session, usual_terms(session, q, scope, variants), scope)
        return split_compounds(session, q, scope) if language == "nl" else q


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+", text))


def _same_meaning(app: Appliance, question: str, text: str) -> bool:
    try:
        embedder = app.embedder
    except Exception:  # noqa: BLE001  # no embedder provisioned: no vote
        return True
    return same_meaning(embedder, question, text)
