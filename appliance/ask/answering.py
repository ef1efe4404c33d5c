"""Ask: grounded answers with checked citations, "I don't know", escalation, an audit record each.

question -> (multi-turn: rewrite with the conversation) -> permission-scoped hybrid search
-> relevance gate (nothing relevant: "I don't know" + closest documents + escalation route, no LLM; a situation
   told before a short question weighs half: relevance.situated_relevance)
-> sensitive topics of the readable collections: escalate, no LLM
-> answerability from the evidence (answerability.py): doubtful support is "I don't know"
-> CPU profile: the model chooses source sentences (choosing.py), shown as quotes, one carrying a short
   question (or, all in another language, its translation; one in another language beside the question's
   own is a choice only where it carries that translation: compose.py); larger models write freely
   (free.py); quotes that do not name what a 'how many' question counts, or a yes/no question's most specific
   word, answer something else (compose.off_question, compose.names_any), as does one that opens with a case the
   question does not name ('Bij een gevaarlijke situatie …': relevance.for_another_case); every sentence passes the
   claim check (citations.py)
-> nothing supported left: "I don't know"; no LLM or model busy: extractive answer
-> audit record (appliance.audit.log).
Only passages the asker may read ever reach the prompt: search filters first, and every hit is
checked again against the readable collections here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from sqlmodel import select

from appliance import audit
from appliance.access import Principal, read_scope, readable_document_ids
from appliance.ask import answerability, choosing, compose, days, free, prompts
from appliance.ask.asked import asked_kind, carries, polar_words
from appliance.ask.matching import LONG_QUESTION_CHARS, Asked, as_indexed, rare_asked, translate, translation
from appliance.ask.relevance import (
    best_sentences,
    detect_question_language,
    for_another_case,
    idf_weights,
    relevance,
    sentence_cosine,
    situated_relevance,
    vector_threshold,
)
from appliance.ask.routes import dont_know, escalation_routes, sensitive_topic, with_route
from appliance.ask.types import Answer, Citation, Source
from appliance.db.engine import read_session
from appliance.db.tables import Chunk
from appliance.errors import BelfortError
from appliance.i18n import t
from appliance.index.text import content_words, query_terms, snippet
from models.base import LLM, ChatMessage, ModelError

if TYPE_CHECKING:
    from appliance.context import Appliance

MAX_QUESTION_CHARS = 4000
RETRIEVE = 8  # hits looked at
PROMPT_SOURCES = 3  # hits put in the prompt (prompt time dominates on a 2-core CPU)
MIN_RELEVANCE = 0.34  # IDF-weighted share of the question's content words a passage must contain
CROSS_PASSAGE_MARGIN = 0.02  # cosine below the engine's threshold a passage in another language may be
PROMPT_PASSAGE_CHARS = 600  # a passage is cut to its best window of this size for the prompt

StreamCallback = Callable[[str], None]


def validate_question(question: str) -> str:
    q = " ".join((question or "").split())
    if not q:
        raise BelfortError("ask.empty_question", "the question is empty", hint="type a question")
    if len(q) > MAX_QUESTION_CHARS:
        raise BelfortError("ask.question_too_long",
                           f"the question has {len(q)} characters (at most {MAX_QUESTION_CHARS})",
                           hint="ask a shorter question; put long texts in a document instead")
    return q


def answer(
    app: Appliance,
    who: Principal,
    question: str,
    *,
    history: Sequence[ChatMessage] = (),
    llm: LLM | None = None,
    stream_cb: StreamCallback | None = None,
    use_llm: bool = True,
) -> Answer:
    started = time.perf_counter()
    q = validate_question(question)
    detected = detect_question_language(q)
    language = detected if detected in prompts.LANGUAGES else "nl"
    notice = t("nl", "answer.unsupported_language") if detected not in prompts.LANGUAGES and detected else ""
    engine = (llm or app.llm) if use_llm else None

    search_q = _rewrite(engine, history, q, app.settings.llm.timeout_seconds) if history else q
    # Matched as `match_q` in `match_language` (appliance.ask.matching); answered in `language`.
    match_q, match_language = as_indexed(app, who, search_q, language), language
    sources, weights = retrieve(app, who, match_q)
    relevant = [s for s in sources if _is_relevant(app, s, match_q, language, weights)]
    # Passages in the question's own language that carry its words answer it as asked; else it is
    # matched as its translation into the language most readable passages are in.
    own = any(s.language == language for s in relevant)
    tried = None if own or not sources else translation(app, engine, who, search_q, language)
    found, found_weights = retrieve(app, who, tried[0]) if tried and tried[0] else ([], {})
    translated = tried if found else None  # a translation that finds nothing is not used
    if translated is not None:
        (match_q, match_language), sources, weights = translated[:2], found, found_weights
        relevant = [s for s in sources if _is_relevant(app, s, match_q, match_language, weights)]
    routes = escalation_routes(app, who, [s.collection for s in sources])
    base: dict[str, Any] = {"language": language, "notice": notice, "question_used": search_q,
            "escalation": routes[0] if routes else {}}
    if translated is not None:
        base["question_translated"] = match_q

    topic = sensitive_topic(app, who, " ".join(dict.fromkeys((q, search_q, match_q))))
    if topic:
        ans = Answer(text=with_route(t(language, "answer.sensitive"), routes, language), citations=[],
                     sources=sources[:PROMPT_SOURCES], status="escalated",
                     checks={"sensitive_topic": topic}, **base)
    elif not relevant:
        ans = dont_know(language, routes, sources[:PROMPT_SOURCES], {"gate": "no_relevant_passage",
                             "best_relevance": max((s.relevance for s in sources), default=0.0)}, base)
    else:
        rare = rare_asked(app, who, match_q, search_q if translated is not None else "")
        asked = Asked(search_q, match_q, match_language, {tried[1]: tried[0]} if tried else {}, rare)
        ans = _grounded(app, engine, asked, sources, relevant, weights, language, routes, base, stream_cb)
    if translated is not None:
        ans.checks.update(match_language=match_language, glossary_terms=translated[2])  # in the audit record
    if match_q != search_q:
        ans.checks["question_matched"] = match_q
    ans.label = t(language, "answer.extractive" if ans.status == "extractive" else "answer.ai_label")
    ans.latency = round(time.perf_counter() - started, 3)
    ans.audit_id = _audit(app, who, q, ans, engine)
    return ans


def _rewrite(engine: LLM | None, history: Sequence[ChatMessage], q: str, timeout: float) -> str:
    """A follow-up ('en in Gent?') made standalone; without an LLM, the previous user turn goes first."""
    previous = [m.content for m in history if m.role == "user"][-1:]
    fallback = " ".join(previous + [q])[:MAX_QUESTION_CHARS]
    if engine is None:
        return fallback
    try:
        out = "".join(engine.stream(prompts.rewrite_messages(history, q), max_tokens=80,
                                    temperature=0.0, timeout=timeout))
    except ModelError:
        return fallback
    out = " ".join(out.split()).strip('"')
    return out if 3 <= len(out) <= MAX_QUESTION_CHARS else fallback


def retrieve(app: Appliance, who: Principal, q: str) -> tuple[list[Source], dict[str, float]]:
    """What Ask's retrieval finds for a text, readable by `who`, each passage with its lexical
    relevance and its cosine (None without an embedder), and the rarity weights of the text's words."""
    from appliance.search import search

    result = search(app, who, q[:app.settings.search.max_query_chars], limit=RETRIEVE)
    if not result.hits:
        return [], {}
    with read_session(app.db) as session:
        scope = read_scope(session, who)
        readable = set(scope.collections)
        ids = [h.chunk_id for h in result.hits]
        chunks = {c.id: c for c in session.exec(select(Chunk).where(Chunk.id.in_(ids)))}  # type: ignore[union-attr]
        docs = readable_document_ids(session, who, [c.document_id for c in chunks.values()])
        weights = idf_weights(session, q, scope)
    out: list[Source] = []
    for h in result.hits:
        c = chunks.get(h.chunk_id)
        # Defence in depth: whatever search returned, an unreadable passage never goes further.
        if c is None or c.collection_id not in readable or c.document_id not in docs or not c.active:
            continue
        # A short question is read under the heading path too (a table's 'gemeentehuis'); a letter would find any.
        read = f"{c.context}\n{c.text}" if c.context and len(q) <= LONG_QUESTION_CHARS else c.text
        out.append(Source(number=len(out) + 1, chunk_id=h.chunk_id, document_id=h.document_id,
                          version_id=h.version_id, collection=h.collection, title=h.title,
                          source_path=h.source_path, page=h.page, snippet_html=h.snippet_html,
                          text=c.text, relevance=round(situated_relevance(q, read, weights), 3), language=c.language,
                          context=c.context, document_probability=h.document_probability))
    _add_similarity(app, q, out)
    return out, weights


def close_in_meaning(app: Appliance, s: Source) -> bool:
    """The passage's cosine with the text reaches the embedding engine's relevance threshold."""
    try:
        threshold = vector_threshold(app.embedder.id)
    except Exception:  # noqa: BLE001  # no embedder provisioned
        return False
    return threshold is not None and s.similarity is not None and s.similarity >= threshold


def _add_similarity(app: Appliance, q: str, sources: list[Source]) -> None:
    """Cosine of question and passage: lets a French question pass the gate on Dutch passages."""
    if not sources:
        return
    try:
        embedder = app.embedder
        qv = embedder.embed_queries([q])[0]
        pv = embedder.embed_passages([s.text for s in sources])
    except Exception:  # noqa: BLE001  # no embedder provisioned: the lexical measure decides alone
        return
    for s, v in zip(sources, pv, strict=True):
        s.similarity = round(float(v @ qv), 4)


def _is_relevant(app: Appliance, s: Source, q: str, language: str, weights: dict[str, float]) -> bool:
    """Lexical evidence decides within a language for short questions: the passage's words, read
    under its heading path (a section 'Geluid' of the events regulation is about events, though its
    sentences do not say 'evenement' again). The embedding vote counts only where words cannot match
    (the passage is in another language) or where coverage is low by nature (a long question, e.g. a
    citizen's letter, against a short passage). Within a language a short question that shares only
    'kost' with a passage is not about it, however close e5 says."""
    if s.relevance >= MIN_RELEVANCE:  # read under its heading path (retrieve)
        return True
    cross = bool(s.language) and s.language != language
    if s.similarity is None or not (cross or len(q) > LONG_QUESTION_CHARS):
        return False
    try:
        threshold = vector_threshold(app.embedder.id)
    except Exception:  # noqa: BLE001
        return False
    # Across languages a short question scores lower against a whole passage than against the one
    # sentence that answers it: the passage may come a little closer; its sentences must then reach
    # the threshold itself (compose.MIN_SCORE).
    return threshold is not None and s.similarity >= threshold - (CROSS_PASSAGE_MARGIN if cross else 0.0)


def _grounded(app: Appliance, engine: LLM | None, asked: Asked, sources: list[Source], relevant: list[Source],
              weights: dict[str, float], language: str, routes: list[dict[str, str]], base: dict[str, Any],
              stream_cb: StreamCallback | None) -> Answer:
    """Relevant passages were found: weigh the evidence, then compose, write or extract. The evidence
    and the sentences are matched with `asked.match`; a model writing freely reads the question as asked."""
    q, match, kind = asked.text, asked.match, asked_kind(asked.text)
    chosen = relevant[:PROMPT_SOURCES]
    if kind == "way":  # a way is often told in a section of its own ('Hoe meldt u schade?'), carrying little of the
        # question: the best document's other passages come along where there is room
        chosen += [s for s in sources if s.document_id == chosen[0].document_id and s not in chosen][:PROMPT_SOURCES - len(chosen)]
    terms = set(query_terms(match))  # the (rewritten) standalone question is what the model sees
    redacted = 0
    for i, s in enumerate(chosen, start=1):
        s.number = i
        s.prompt_text, n = prompts.neutralise(snippet(s.text, terms, PROMPT_PASSAGE_CHARS)[0])
        redacted += n
    cosine = sentence_cosine(app.embedder) if _embedder_id(app) else None
    lead = chosen[0].document_id if chosen[0].document_probability is not None else None  # answerability.py
    cands = compose.candidates(match, [compose.Passage(s.number, s.text, s.context, s.language, s.document_id)
                                       for s in chosen], weights, language=asked.match_language, lead=lead,
                               cosine=cosine[0] if cosine else None, threshold=cosine[1] if cosine else 1.0, kind=kind)
    top = {s.number: s.document_id for s in chosen}.get(cands[0].source if cands else 1, 0)

    def coverage(document: int) -> float:
        return relevance(match, "\n".join(s.text for s in sources if s.document_id == document), weights)

    evidence = answerability.features(sources, sentence=cands[0].score if cands else 0.0, coverage=coverage,
                                      question_words=len(set(content_words(match))), sentence_document=top)
    # Fitted within one language: across languages the quoted sentence's closeness decides (compose).
    same = not chosen or chosen[0].language in ("", asked.match_language)
    ok, p = answerability.decide(evidence, app.settings.ask.min_answerable, _embedder_id(app),
                                 min_long=app.settings.ask.min_answerable_long) if same \
        else (True, None)
    judged = {"probability": p, "features": evidence.as_dict(), "document": top}
    mode = free.answer_mode(app)
    # A bare number ('2026') asks nothing: which of the passages carrying it would answer?
    asks = any(not w.isdigit() for w in content_words(q))
    if engine is not None and not (ok and asks):
        ans = dont_know(language, routes, chosen, {"gate": "not_answerable" if asks else "no_question_words"}, base)
    elif engine is not None and mode == "composed":
        ans = _composed(app, engine, asked, chosen, cands, language, routes, base)
    else:
        gen = free.generate(engine, q, chosen, language, app.settings.llm.timeout_seconds, stream_cb)
        ans = _extractive(match, chosen, language, base) if gen is None else \
            _free(app, engine, gen, q, chosen, language, routes, base)
    if ans.status == "answered" and not any(carries(kind, c.sentence) for c in ans.citations):
        # Free text about the subject without the asked figure ('how much …' with no amount).
        ans = dont_know(language, routes, chosen, {**ans.checks, "gate": "no_fact_of_kind"}, base, model=ans.model)
    ans.checks.update(mode=mode if ans.status != "extractive" else "extractive", answerability=judged,
                      redacted_instructions=redacted, asked_kind=kind)
    return ans


def _free(app: Appliance, engine: LLM | None, gen: free.Generated, q: str, chosen: list[Source],
          language: str, routes: list[dict[str, str]], base: dict[str, Any]) -> Answer:
    cross = free.cross_language_similarity(app, language, chosen)
    ans = free.checked(gen, chosen, language, routes, base, q, cross)
    ans.model = getattr(engine, "name", "")
    ans.tokens_per_s = round(gen.pieces / gen.seconds, 2) if gen.seconds > 0 else 0.0
    ans.checks.update(first_token_s=round(gen.first_token, 3), **({"stream": gen.error} if gen.error else {}))
    return ans


def _composed(app: Appliance, engine: LLM, asked: Asked, chosen: list[Source], cands: list[compose.Candidate],
              language: str, routes: list[dict[str, str]], base: dict[str, Any]) -> Answer:
    """The model chooses source sentences (for the question as matched, in the passages' language
    where it was translated); no choice is "I don't know"; an unusable output (not JSON, ids that do
    not exist) falls back to the best-ranked sentence; a failed or busy engine to an extractive answer."""
    if not cands or (cands[0].language not in ("", asked.match_language) and cands[0].score < compose.MIN_SCORE):
        # No sentence at all, or the closest one is in another language and not close in meaning.
        return dont_know(language, routes, chosen, {"gate": "no_sentence"}, base)
    to = compose.mixed(asked.match, asked.match_language, cands)  # others must carry the question in theirs
    cands = compose.carrying(_across(app, engine, asked, to), to, cands, MIN_RELEVANCE) if to else cands
    try:
        choice = choosing.choose(engine, asked.match, cands, asked.match_language, app.settings.llm.timeout_seconds)
    except ModelError:
        return _extractive(asked.match, chosen, language, base)
    picked = [cands[i - 1] for i in choice.ids] if choice.ids is not None else cands[:1]
    # A quote is checked for what it claims to be: the cited passage's own words.
    text_of = {s.number: s.text for s in chosen}
    other = {c.id for c in picked if c.language in ("", asked.match_language) and for_another_case(asked.match, c.text)}
    kept = [c for c in picked if compose.quoted(c.text, text_of[c.source]) and c.id not in other]
    checks: dict[str, Any] = {
        "raw": choice.raw, "selection": choice.ids,
        "candidates": [{"id": c.id, "source": c.source, "score": c.score} for c in cands],
        "sentences": [{"text": c.text, "cited": [c.source], "invented": [], "support": 1.0, "kept": c in kept,
                       "reason": "quote" if c in kept else "other_case" if c.id in other else "not_in_source"}
                      for c in picked],
        "model_citations_passed": bool(kept) and len(kept) == len(picked),
        "all_passed": bool(kept) and len(kept) == len(picked), "first_token_s": round(choice.first_token, 3)}
    meta: dict[str, Any] = {"model": getattr(engine, "name", ""),
            "tokens_per_s": round(choice.pieces / choice.seconds, 2) if choice.seconds > 0 else 0.0}
    off = bool(kept) and compose.off_question(asked.match, asked.match_language, kept, MIN_RELEVANCE,
                                              compose.counting(asked.text, asked.match, asked.match_language != language),
                                              asked.text)
    if not off and kept and all(c.language in ("", asked.match_language) for c in kept):
        off = not compose.names_any(asked.rare, polar_words(asked.match), kept)  # a yes/no question's most specific word
    to = "" if off else compose.across(asked.match, asked.match_language, kept)
    if to:  # every quote admitted by closeness in meaning alone: measured with the question in their language
        checks["question_across"] = _across(app, engine, asked, to)
        off = compose.off_across(checks["question_across"], to, kept, MIN_RELEVANCE, asked.match)
    if not kept or off:  # off: the quotes answer something else
        checks["gate"] = "quotes_off_question" if off else "model_none" if choice.ids == [] else "nothing_supported"
        return dont_know(language, routes, chosen, checks, base, **meta)
    foreign = {lang: t(language, f"answer.source_in.{lang}") for lang in prompts.LANGUAGES if lang != language}
    shown = compose.shown(kept, text_of, MIN_RELEVANCE)  # with the sentence a quote leans on, a list's items
    on_day = len(asked.match) <= LONG_QUESTION_CHARS and days.weekdays_named(asked.match)  # a short question's day
    for c in list(shown) if on_day else []:  # what its source says of that weekday, where no quote speaks of it
        day = days.of_day(asked.match, [o.text for o in shown], compose.sentences_of(text_of[c.source]))
        shown += [replace(c, text=day, table=None)] if day else []
    text = compose.compose_text(t(language, "answer.composed_lead"), shown, foreign)
    citations = [Citation(c.source, c.text, 1.0, "quote") for c in shown]
    return Answer(text=text, citations=citations, sources=chosen, status="answered", checks=checks,
                  **base, **meta)


def _across(app: Appliance, engine: LLM, asked: Asked, to: str) -> str:
    """The question in language `to` ('': no usable translation), the matching's or the model's (kept in
    `asked.tried`: one answer translates once)."""
    if to not in asked.tried:
        asked.tried[to] = (translate(app, engine, asked.match, asked.match_language, to) or ("",))[0]
    return asked.tried[to]


def _embedder_id(app: Appliance) -> str:
    try:
        return str(app.embedder.id)
    except Exception:  # noqa: BLE001  # no embedder provisioned
        return ""


def _extractive(q: str, chosen: list[Source], language: str, base: dict[str, Any]) -> Answer:
    lines = []
    for s in chosen:
        s.highlight = best_sentences(q, s.text)
        lines.append(f"[{s.number}] {s.highlight}")
    text = t(language, "answer.extractive") + "\n" + "\n".join(lines)
    return Answer(text=text, citations=[Citation(s.number, s.highlight, 1.0, "extract") for s in chosen],
                  sources=chosen, status="extractive", checks={"gate": "no_llm"}, **base)


def _audit(app: Appliance, who: Principal, q: str, ans: Answer, engine: LLM | None) -> int:
    details = {
        "language": ans.language,
        "question_used": ans.question_used,
        "question_translated": ans.question_translated,
        "notice": ans.notice,
        "escalation": ans.escalation,  # the web page shows a stored answer again with its route
        "sources": [{"number": s.number, "chunk_id": s.chunk_id, "document_id": s.document_id,
                     "version_id": s.version_id, "collection": s.collection,
                     "relevance": s.relevance, "similarity": s.similarity} for s in ans.sources],
        "citations": [asdict(c) for c in ans.citations],
        "checks": ans.checks,
        "prompt_version": prompts.PROMPT_VERSION,
        "parameters": {"max_tokens": free.MAX_TOKENS, "temperature": free.TEMPERATURE,
                       "prompt_sources": PROMPT_SOURCES, "min_relevance": MIN_RELEVANCE,
                       "prompt_passage_chars": PROMPT_PASSAGE_CHARS, **getattr(engine, "params", {})},
        "latency_s": ans.latency, "tokens_per_s": ans.tokens_per_s,
    }
    return audit.record_answer(app, who, question=q, answer=ans.text, status=ans.status,
                               model=ans.model, model_sha256=getattr(engine, "sha256", "") if ans.model else "",
                               details=details)
