"""Small text measures used by Ask: question language, passage relevance, best sentences, topics."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence

from sqlmodel import Session, col, select

from appliance.ask.asked import (
    MAX_CHARS,
    POINTED,
    WHICH,
    asked_clause,
    asked_kind,
    asking_word,
    asks_call,
    asks_way,
    counted,
    light_words,
    names_word,
)
from appliance.ask.citations import split_sentences
from appliance.db.tables import Chunk
from appliance.index.acl import ReadScope
from appliance.index.keyword_base import KeywordIndex
from appliance.index.keywords import keyword_index
from appliance.index.text import (
    ALL_STOPWORDS,
    as_scope,
    content_words,
    fold,
    fts_idf,
    passage_terms,
    term_variants,
    terms_of,
    weighted_coverage,
)
from models.base import Embedder

# Languages the detector may say; only nl/fr/en are answered in, the rest is "unsupported".
DETECTABLE = ("nl", "fr", "en", "de", "es", "it", "pt", "pl", "tr")
UNSUPPORTED = "xx"


def detect_question_language(question: str) -> str:
    """'nl' | 'fr' | 'en' | another code | 'xx' (foreign script); short or unclear text -> 'nl'."""
    letters = [ch for ch in question if ch.isalpha()]
    if letters and sum(1 for ch in letters if ch < "\u0250") / len(letters) < 0.6:
        return UNSUPPORTED
    from ingest.chunk import detect_language

    return detect_language(question, DETECTABLE) or "nl"


def _terms(text: str) -> set[str]:
    return terms_of(content_words(text))


def relevance(question: str, passage: str, weights: Mapping[str, float] | None = None) -> float:
    """Share of the question's distinct content words found (stemmed, folded) in the passage,
    each word weighted by its rarity in the corpus (`weights`, see `idf_weights`) when given: a
    passage sharing 'kost' but not 'hondenbelasting' is not about the question. What a 'how many'
    question counts is carried by a compound ending in it (text.passage_terms: 'werkdagen'). The words that ask
    for an hour ('laat' in 'tot hoe laat') are not what a short question is about (asked.hour_words): a page on books
    returned 'te laat' is not closer to 'Tot hoe laat is het loket open?' for them. Nor are the function words the
    stopword lists lack ('heb', 'suis', 'ons'; asked.light_words), which a small corpus may never write."""
    words = _relevance_words(question)
    return weighted_coverage(words, weights or {}, passage_terms(passage, counted(question))) if words else 0.0


def _relevance_words(question: str) -> set[str]:
    """The words relevance weighs: the content words, in a short question without those asked.light_words leaves out."""
    return set(content_words(question)) - (light_words(question) if len(question) <= MAX_CHARS else set())


SITUATION_WEIGHT = 0.5  # of a word only the situation told before the asking sentence names
MIN_CLAUSE_WORDS = 2  # words the asking sentence must name of its own ('Wat moet ik doen?' names none)


def situated_relevance(question: str, passage: str, weights: Mapping[str, float] | None = None) -> float:
    """`relevance`, or where a short question first tells a situation and then asks (situation_words: an asking sentence
    with MIN_CLAUSE_WORDS words of its own, not pointing back at the situation nor asking a way), the same share with the
    words only the situation names at SITUATION_WEIGHT
    of their weight, whichever is higher: 'Onze buurtvereniging plant een barbecue in het park. Hoeveel nadarhekken
    kunnen we gratis lenen?' asks about the barriers; the passage that answers it need not say 'barbecue' or 'park'.
    The situation still counts: a passage on barriers for another use carries less of the question. Words that ask
    ('hoeveel', 'kost') or ask a way ('moet', 'doen') name nothing: after 'Wat moet ik doen?' the situation is the topic."""
    words, weights = _relevance_words(question), weights or {}
    if not words:
        return 0.0
    terms = passage_terms(passage, counted(question))  # read once: this runs for every retrieved passage
    whole = weighted_coverage(words, weights, terms)
    told = situation_words(question, words)
    return max(whole, weighted_coverage(words, situated(words, told, weights), terms)) if told else whole


# An asking sentence that points back at the situation told before it asks about that situation: 'De eik in onze tuin
# moet weg. Heb ik daar een vergunning voor nodig?', 'Puis-je y stationner ?', 'Do I need a permit for that?'.
_POINTS_BACK = re.compile(rf"\b(?:(?:daar|hier|er){POINTED}|daar|hier|y|cela|ca|ceci|(?:for|about|with|do|to) (?:it|this|that))\b")


def situation_words(question: str, words: Collection[str]) -> set[str]:
    """Those of `words` (the question's) that only the situation told before its asking sentence names, where the
    asking sentence names MIN_CLAUSE_WORDS words of its own (not 'hoeveel', 'kost', 'moet', 'doen'); else none. None
    either where the asking sentence points back at the situation ('daarvoor', 'daar … voor', 'y', 'for that') or asks
    a way (asked_kind): 'Bij wie kan ik terecht voor hulp?' asks help with what the situation tells."""
    asking = asked_clause(question)
    clause = set(content_words(asking))
    if len({w for w in clause.intersection(words) if not asking_word(w) and not asks_way(w)}) < MIN_CLAUSE_WORDS \
            or _POINTS_BACK.search(fold(asking)) or asked_kind(question) == "way":
        return set()
    return set(words) - clause


def situated(words: Collection[str], told: Collection[str], weights: Mapping[str, float]) -> dict[str, float]:
    """The rarity weights of `words`, those of the situation told (`told`, situation_words) at SITUATION_WEIGHT."""
    return {w: (SITUATION_WEIGHT if w in told else 1.0) * weights.get(w, 1.0) for w in words}


def names_about(question: str, text: str) -> bool:
    """Whether `text` (a quote read under its heading path) names a word of what the short `question` is about: one
    that does not ask for a kind of fact (asked.asking_word, asks_way, asks_call). 'Voor vragen over uw afvalophaling
    belt u 099 12 34 50.' shares only 'nummer'-'bellen' with 'De verwarming van de sporthal is stuk. Welk nummer moet
    ik bellen?': a number for another thing. A question that names only what it asks ('Wat kost het?') is not judged."""
    about = [w for w in _relevance_words(question) if not (w in WHICH or asking_word(w) or asks_way(w) or asks_call(w))]
    said = passage_terms(text, "")
    return len(question) > MAX_CHARS or not about or any(term_variants(w) & said for w in about)


# A sentence that opens with the case it is for: 'Bij een gevaarlijke situatie buiten de openingsuren belt u de politie
# op het nummer 101.', 'En cas de perte, …', 'In case of theft, …'. Only a noun's case: 'als', 'si' and 'if' open a
# clause whose verb the question may conjugate otherwise.
_CASE = re.compile(r"^\W*(?:bij|in (?:geval|het geval) van|en cas d[e']|in (?:the )?(?:case|event) of)\s+(.+)", re.IGNORECASE)
CASE_WORDS = 3  # the case's first content words: 'gevaarlijke situatie buiten'


def for_another_case(question: str, sentence: str) -> bool:
    """Whether `sentence` opens with a case ('Bij <case> …', 'En cas de <case> …') none of whose first CASE_WORDS
    content words the question names (asked.names_word), and names nothing the question is about (its words that do
    not ask: 'hoeveel', 'moet', 'nummer', 'bellen'): the police's number for a dangerous situation at night does not
    answer which number reports a street light that is out. A case the question names ('Welk nummer bel ik bij een
    gevaarlijke situatie?'), or a sentence on what it asks about ('Hoe lang duurt het openbaar onderzoek?': 'Bij de
    gewone procedure … loopt een openbaar onderzoek van 30 dagen'), answers it. A long question (a letter) names many
    cases of its own: never."""
    m = _CASE.match(sentence) if len(question) <= MAX_CHARS else None
    case = [w for w in content_words(re.split(r"[,:;]", m.group(1))[0]) if not w.isdigit()][:CASE_WORDS] if m else []
    asked, said = set(content_words(question)), set(content_words(sentence))
    about = {w for w in asked if not (asking_word(w) or asks_way(w) or asks_call(w))}
    return bool(case) and not any(names_word(w, a) or names_word(a, w) for w in case for a in asked) \
        and not any(names_word(a, w) for a in about for w in said)


def idf_weights(session: Session, question: str, scope: ReadScope | Collection[int], max_words: int = 120) -> dict[str, float]:
    """Rarity weights of the question's content words in the collections the asker may read."""
    return fts_idf(session, content_words(question), scope, max_words)


def rarest_known(session: Session, words: Collection[str], scope: ReadScope | Collection[int]) -> frozenset[str]:
    """Of `words`, those the fewest readable passages contain, among those some passage contains: the most
    specific thing a question names that the corpus knows ('smartphone' beside 'parkeren' and 'blauwe zone')."""
    known = [(df, w) for w, df in _passages_with(session, words, scope).items() if df]
    return frozenset(w for df, w in known if df == min(known)[0]) if known else frozenset()


def unknown(session: Session, words: Collection[str], scope: ReadScope | Collection[int]) -> frozenset[str]:
    """Of `words`, those no readable passage contains in any form (nothing where the asker may read nothing)."""
    return frozenset(w for w, df in _passages_with(session, words, scope).items() if not df)


def never_named(session: Session, word: str, scope: ReadScope | Collection[int]) -> bool:
    """Whether no readable passage names `word`, nor what its first part names where it is a compound: 'verlofdagen'
    where no passage says 'verlof'; not 'afvalsoorten', a kind of 'afval' the passages name."""
    parts = {word[:i] for i in range(MIN_PART, len(word) - MIN_PART + 1)} if word.isalpha() else set()
    return len(unknown(session, {word} | parts, scope)) == len({word} | parts) and bool(word)


def _passages_with(session: Session, words: Collection[str], scope: ReadScope | Collection[int]) -> dict[str, int]:
    """How many readable passages contain each of `words` in some form (term_variants); {} where none may be read."""
    read, chosen = as_scope(scope), sorted(words)
    if not chosen or not read.collections:
        return {}
    dfs = keyword_index(session).counts(session, read, [sorted(term_variants(w)) for w in chosen])
    return dict(zip(chosen, dfs, strict=True))


def usual_terms(session: Session, question: str, scope: ReadScope | Collection[int],
                terms: Sequence[tuple[str, str]]) -> str:
    """The question with each variant in `terms` (variant, usual term: the glossary's 'bib', 'stadhuis', 'containerpark'
    found in it) that no readable passage contains replaced by its usual term where they contain that: the asker's
    words are not always the pages' ('bibliotheek', 'gemeentehuis', 'recyclagepark'). A variant the passages use
    stays, as does one whose usual term they lack."""
    out = question
    for variant, usual in terms:
        if unknown(session, content_words(variant), scope) and content_words(usual) \
                and not unknown(session, content_words(usual), scope):
            kept_as_written = usual.replace("\\", "\\\\")  # a replacement is a template: its backslashes escaped
            out = re.sub(rf"(?<!\w){re.escape(variant)}(?!\w)", kept_as_written, out, flags=re.IGNORECASE)
    return out


MIN_PART = 4  # letters in each part of a split compound ('dag' alone is not split off)
MAX_SPLIT_WORDS = 12  # unknown words of one question tried as compounds
ACRONYM_HEAD = 3  # letters of an acronym that opens a compound ('PIN-code', 'PMD-zakken', 'KBO-nummer')


def split_compounds(session: Session, question: str, scope: ReadScope | Collection[int]) -> str:
    """The question with each (Dutch) compound that no readable passage contains replaced by its two
    parts where both occur: 'donderdagavond' -> 'donderdag avond', 'loketuren' -> 'loket uren', so
    that a passage saying 'donderdag … avondloket' carries the question's words. A linking s may
    end the first part ('stadsbestuur' -> 'stad bestuur'). Of several splits the one whose rarer part
    is most common wins (parts that are words of the corpus, not fragments). An acronym of ACRONYM_HEAD letters may
    open it where a passage writes it in capitals ('pincode' -> 'pin code' for 'PIN-code'). Known words stay."""
    read = as_scope(scope)
    words = [w for w in dict.fromkeys(content_words(question)) if len(w) >= ACRONYM_HEAD + MIN_PART and w.isalpha()]
    if not words or not read.collections:
        return question
    index = keyword_index(session)
    dfs = index.counts(session, read, [sorted(term_variants(w)) for w in words])
    unknown = [w for w, df in zip(words, dfs, strict=True) if df == 0][:MAX_SPLIT_WORDS]
    splits = {w: [(head, w[i:]) for i in range(MIN_PART, len(w) - MIN_PART + 1)
                  for head in dict.fromkeys((w[:i], w[:i - 1] if w[i - 1] == "s" and i - 1 >= MIN_PART else w[:i]))
                  if content_words(head) and content_words(w[i:])]
              + [(w[:ACRONYM_HEAD], w[ACRONYM_HEAD:])] for w in unknown}
    parts = sorted({p for options in splits.values() for pair in options for p in pair})
    df = dict(zip(parts, index.counts(session, read, [sorted(term_variants(p)) for p in parts]), strict=True))
    out = question
    for word, options in splits.items():
        known = [(min(df[a], df[b]), -len(a), a, b) for a, b in options if df[a] and df[b]
                 and (len(a) >= MIN_PART or _written_as_acronym(session, index, read, a))]
        if known:  # ties: the shorter first part (without its linking s)
            *_, a, b = max(known)
            out = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", f"{a} {b}", out, flags=re.IGNORECASE)
    return out


ACRONYM_LETTERS = (3, 6)  # an acronym's length: 'GFT', 'OCMW', 'CPAS'; two letters match words by chance
ACRONYM_CHUNKS = 20  # passages read to see an acronym written in capitals


def join_acronyms(session: Session, question: str, scope: ReadScope | Collection[int]) -> str:
    """The question with each run of words no readable passage contains replaced by the acronym their
    initials spell, where a readable passage writes it in capitals within lower-case text: 'het
    groente-, fruit- en tuinafval' -> 'het GFT' ('GFT (groene container)'), 'centre public d'action
    sociale' -> 'CPAS'. Stopwords between the words are skipped ('openbaar centrum voor maatschappelijk
    welzijn' -> 'OCMW'); a run with a word the passages contain stays, as do the words of a heading
    in capitals. The longest run wins where runs overlap."""
    read = as_scope(scope)
    tokens = [(m, fold(m.group(0))) for m in re.finditer(r"[^\W\d_]+", question)]
    tokens = [(m, w) for m, w in tokens if w not in ALL_STOPWORDS and len(w) > 2]
    low, high = ACRONYM_LETTERS
    if len(tokens) < low or not read.collections:
        return question
    index = keyword_index(session)
    dfs = index.counts(session, read, [sorted(term_variants(w)) for _, w in tokens])
    runs = [(i, j, "".join(w[0] for _, w in tokens[i:j])) for i in range(len(tokens))
            for j in range(i + low, min(i + high, len(tokens)) + 1) if not any(dfs[i:j])]
    if not runs:
        return question
    initials = sorted({r[2] for r in runs})
    known = index.counts(session, read, [sorted(term_variants(a)) for a in initials])
    acronyms = {a for a, df in zip(initials, known, strict=True) if df and _written_as_acronym(session, index, read, a)}
    spans: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for i, j, letters in sorted(runs, key=lambda r: (r[0] - r[1], r[0])):  # longest first
        if letters in acronyms and not taken & set(range(i, j)):
            taken |= set(range(i, j))
            spans.append((tokens[i][0].start(), tokens[j - 1][0].end(), letters.upper()))
    out, at = [], 0
    for start, end, acronym in sorted(spans):
        out += [question[at:start], acronym]
        at = end
    return "".join(out) + question[at:]


def _written_as_acronym(session: Session, index: KeywordIndex, read: ReadScope, letters: str) -> bool:
    """Whether a readable passage writes `letters` in capitals on a line that has lower case too."""
    acronym = re.compile(rf"(?<!\w){re.escape(letters.upper())}(?!\w)")
    ids = [cid for cid, _ in index.rank(session, read, sorted(term_variants(letters)), ACRONYM_CHUNKS)]
    if not ids:
        return False
    rows = session.exec(select(Chunk.context, Chunk.text).where(col(Chunk.id).in_(ids))).all()
    return any(acronym.search(line) and re.search(r"[a-z]", line)
               for context, text in rows for line in f"{context}\n{text}".splitlines())


# Cosine a passage needs to count as relevant, per embedding engine (their scales differ: e5's
# cosines of unrelated texts are ~0.75, a bag-of-words fake's ~0.1). Unknown engines: no vector vote.
VECTOR_THRESHOLDS = {"e5": 0.83, "sentence-transformers": 0.55, "fake": 0.45}


def vector_threshold(embedder_id: str) -> float | None:
    return VECTOR_THRESHOLDS.get(embedder_id.split(":", 1)[0])


def sentence_cosine(embedder: Embedder) -> tuple[Callable[[str, Sequence[str]], list[float]], float] | None:
    """Question-to-sentence cosine of `embedder`, with its 'relevant' threshold (None: none known)."""
    threshold = vector_threshold(embedder.id)
    if threshold is None:
        return None

    def cosine(question: str, texts: Sequence[str]) -> list[float]:
        qv = embedder.embed_queries([question])[0]
        return [float(v @ qv) for v in embedder.embed_passages(list(texts))]

    return cosine, threshold


def same_meaning(embedder: Embedder, question: str, other: str) -> bool:
    """Whether the embedder finds two questions (e.g. one and its translation) as close as a relevant
    passage is to a question; an engine without a known threshold gives no vote (True)."""
    threshold = vector_threshold(embedder.id)
    if threshold is None:
        return True
    a, b = embedder.embed_queries([question, other])
    return float(a @ b) >= threshold


def best_sentences(question: str, passage: str, n: int = 1, max_chars: int = 400) -> str:
    """The passage's sentence(s) sharing most words with the question (for extractive answers)."""
    sentences = split_sentences(passage) or [passage]
    q = _terms(question)
    scored = sorted(enumerate(sentences),
                    key=lambda it: (-len(_terms(it[1]) & q), it[0]))[:n]
    text = " ".join(s for _, s in sorted(scored))
    return text if len(text) <= max_chars else text[: max_chars - 1].rsplit(" ", 1)[0] + "…"


def matches_topic(question: str, topics: list[str]) -> str:
    """The first configured topic (a word or phrase) all of whose words occur in the question."""
    q = _terms(question)
    folded_q = fold(question)
    for topic in topics:
        words = content_words(topic)
        if not words:
            continue
        if all(term_variants(w) & q for w in words) or re.search(
            r"\b" + re.escape(fold(topic).strip()) + r"\b", folded_q
        ):
            return topic
    return ""
