"""Reply drafts: for a triage item, a reply in the sender's language built from the organisation's
documents, which a person edits and approves before the outbox sends it.

The mail (subject and body, greeting and signature left out) goes to Ask as a question, with the
drafting person's permissions: Ask's grounding applies (relevance gate, answerability, composed
quotes on a CPU profile, free text checked sentence by sentence on bigger hardware), and Ask's audit
record keeps the model, its version and the sources. Each statement Ask kept becomes one line of the
reply with its citation: only statements from passages in the sender's language (a Dutch quote is no
answer to a French mail), each made plainer by the rules (rewrite.rules_paragraph: protected terms
kept, the claim check against its passage) and checked once more as a whole (`claim_check`).
Greeting, introduction, closing and the AI label are catalogue texts in the sender's language.
Nothing is sent here: `approve_reply` is the only way out, through the outbox, with the label.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from appliance import ask, triage
from appliance.access import Principal
from appliance.ai_label import AI_HEADER as AI_LABEL_HEADER
from appliance.ai_label import ai_label
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, TriageItem, utcnow
from appliance.errors import BelfortError, NotFound
from appliance.i18n import texts
from appliance.index.text import content_words, term_variants, terms_of
from appliance.plain import terms as term_lists
from appliance.plain.extracts import best_statements, statements_of, without_heading
from appliance.plain.readability import measure, split_sentences
from appliance.plain.rewriting import rules_paragraph
from models.base import LLM

REPLY_VERSION = "plain-reply/1"
MAX_QUESTIONS = 3  # questions of one mail sent to Ask (each is a model call)
MIN_SHARED_WORDS = 2  # of the question's content words, in a statement or its heading path
MAX_EXTRACTS = 2  # sentences taken from a source in the sender's language when Ask's quotes do not fit
MAIL_EXTRACTS = 3  # statements a reply takes from the passages found for the whole mail
MAIL_PASSAGES = 4  # passages retrieved for the whole mail that its extracts may come from
COMMON_WEIGHT = 1.0 + math.log(2)  # rarity weight of a word in half of the passages: too common to count
MAX_BODY = 8000
AI_HEADER = "X-Belfort-AI-Draft"
_GREETING = re.compile(r"^(?:goede(?:morgen|middag|navond|ndag)|dag|beste|geachte|hallo|bonjour|bonsoir|"
                       r"madame|monsieur|cher|chère|hello|hi|dear)\b.{0,60}$", re.IGNORECASE)
_CLOSING = re.compile(r"^(?:met vriendelijke groet|vriendelijke groet|groeten|groetjes|alvast bedankt|"
                      r"bedankt|dank u|hoogachtend|merci|cordialement|bien à vous|salutations|"
                      r"kind regards|best regards|regards|thanks|thank you|sincerely)\b", re.IGNORECASE)


def question_of(item: TriageItem) -> str:
    """What the citizen asks: the subject and the body without greeting and signature."""
    lines = [ln.strip() for ln in (item.text or "").splitlines()]
    body: list[str] = []
    for line in lines:
        if _CLOSING.match(line):
            break  # the signature follows
        if not body and (not line or _GREETING.match(line)):
            continue
        body.append(line)
    while body and (not body[-1] or body[-1].casefold() == (item.sender_name or "").strip().casefold()):
        body.pop()  # a signature without a closing formula
    text = " ".join(" ".join(body).split())
    subject = " ".join((item.subject or "").split())
    joined = f"{subject}. {text}" if subject and text else subject or text
    return joined[: ask.MAX_QUESTION_CHARS]


def questions_of(item: TriageItem) -> list[str]:
    """Each question the mail asks (a sentence ending in '?'), with the subject in front for what it
    is about; Ask answers one kind of fact per question ('how much' wants an amount). A mail without
    a question mark is one question."""
    whole = question_of(item)
    subject = " ".join((item.subject or "").split())
    body = whole[len(subject) + 2:] if subject and whole.startswith(subject + ". ") else whole
    asked = [q for q in split_sentences(body) if q.endswith("?")][:MAX_QUESTIONS]
    if not asked:
        return [whole]
    return [f"{subject}: {q}"[: ask.MAX_QUESTION_CHARS] if subject else q for q in asked]


# Words that say that a mail asks or urges, not what it is about ("Vraag over leefloon", "DRINGEND: ...").
REQUEST_WORDS = frozenset({"vraag", "vragen", "verzoek", "dringend", "question", "questions", "demande",
                           "urgent", "urgente", "request", "about"})


def shared(question: str, statement: str, context: str = "") -> tuple[int, int]:
    """(question content words found in the statement or its heading path, the question's count);
    words that only say that something is asked do not count."""
    asked = set(content_words(question)) - REQUEST_WORDS
    have = terms_of(content_words(f"{statement} {context}"))
    return sum(1 for w in asked if term_variants(w) & have), len(asked)


def on_topic(question: str, statement: str, context: str = "") -> bool:
    """The statement (with its heading path) carries at least two of the question's content words,
    or all of them when it has fewer: one shared word is often chance (a street name in the mail and
    in an unrelated decision), and a reply must answer what was asked."""
    found, asked = shared(question, statement, context)
    return found >= min(MIN_SHARED_WORDS, asked)


def _extracts(answer: ask.Answer, lang: str, question: str) -> list[tuple[int, str]]:
    """Ask found the question answerable but quoted nothing usable here (another language, off the
    topic): the statements of its sources in the sender's language that carry the question best, as
    an extractive answer does; (source number, sentence)."""
    found: list[tuple[int, int, str]] = []
    for source in answer.sources:
        if source.language not in ("", lang):
            continue
        for sentence, asked in statements_of(source.text):
            context = f"{source.context} {asked}"
            if on_topic(question, sentence, context):
                found.append((shared(question, sentence, context)[0], source.number, sentence))
    found.sort(key=lambda f: -f[0])
    return [(number, sentence) for _n, number, sentence in found[:MAX_EXTRACTS]]


def _from_mail(app: Appliance, who: Principal, item: TriageItem, lang: str, out: Gathered,
               by_chunk: dict[int, int], seen: set[str]) -> None:
    """Ask found nothing for the mail's questions nor for its subject. A citizen's letter is not a
    question: its words are spread over the situation (the street, the night, the children), and
    Ask's gates are made for questions. The passages retrieval finds for the whole mail, in the
    sender's language and close to it in meaning (those of the best-ranked document), give their
    statements carrying at least two of the mail's less common words, the rarest first: extracts a
    person checks, cited like quotes."""
    text = question_of(item)
    sources, weights = ask.retrieve(app, who, text)
    close = {s.number: s for s in sources[:MAIL_PASSAGES] if s.language in ("", lang) and ask.close_in_meaning(app, s)}
    # One document answers: the best-ranked one (a reply stitched from two unrelated pages misleads).
    first = next(iter(close.values()), None)
    close = {n: s for n, s in close.items() if first is not None and s.document_id == first.document_id}
    asked = {w for w in set(content_words(text)) - REQUEST_WORDS if weights.get(w, COMMON_WEIGHT) >= COMMON_WEIGHT}
    picked = best_statements([(n, s.text) for n, s in close.items()], asked, weights, MIN_SHARED_WORDS,
                             MAIL_EXTRACTS)
    terms, tone = term_lists.protected_terms(app), term_lists.replacements(term_lists.tone_rules(app))
    statements = [_line(n, sentence, close[n].text, "extract", lang, terms, tone) for n, sentence in picked]
    out.statuses.append("extract" if statements else "dont_know")
    out.questions.append({"status": "mail_extract", "gate": "", "cited": 0, "kept": len(statements),
                          "left_out": {}, "sources": [[s.title, s.language] for s in close.values()]})
    _keep(out, statements, close, by_chunk, seen)


def _statements(app: Appliance, answer: ask.Answer, lang: str, question: str
                ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The answer's kept citations as plain reply lines in the sender's language, and how many were
    left out for their language or for being off the question's topic."""
    sources = {s.number: s for s in answer.sources}
    terms, tone = term_lists.protected_terms(app), term_lists.replacements(term_lists.tone_rules(app))
    out: list[dict[str, Any]] = []
    left = {"language": 0, "off_topic": 0}
    for c in answer.citations:
        source = sources.get(c.number)
        if source is None:
            continue
        if source.language not in ("", lang):
            left["language"] += 1
            continue
        if not on_topic(question, c.sentence, source.context):
            left["off_topic"] += 1
            continue
        out.append(_line(c.number, without_heading(c.sentence, source.text), source.text, "quote", lang, terms, tone))
    if not out and answer.status == "answered":
        out = [_line(n, sentence, sources[n].text, "extract", lang, terms, tone)
               for n, sentence in _extracts(answer, lang, question)]
    return out, left


def _line(number: int, sentence: str, passage: str, kind: str, lang: str, terms: list[str],
          tone: list[tuple[str, str]]) -> dict[str, Any]:
    text, changes = rules_paragraph(term_lists.protect(sentence, terms), lang, tone, passage)
    return {"number": number, "quote": sentence, "text": text, "kind": kind,
            "changes": [ch.as_dict() for ch in changes]}


def _cited(statement: dict[str, Any]) -> str:
    text = statement["text"].rstrip()
    body, end = (text[:-1], text[-1]) if text[-1:] in ".!?" else (text, ".")
    return f"{body} [{statement['number']}]{end}"


def _body(tpl: dict[str, str], name: str, statements: list[dict[str, Any]], titles: dict[int, str],
          signature: str) -> str:
    greeting = tpl["greeting"].format(name=name) if name else tpl["greeting_anonymous"]
    parts = [greeting, ""]
    if statements:
        parts += [tpl["intro"], ""] + [f"- {_cited(s)}" for s in statements]
        parts += ["", tpl["sources"]] + [f"[{n}] {titles[n]}" for n in sorted({s["number"] for s in statements})]
        parts += ["", tpl["more"]]
    else:
        parts.append(tpl["no_answer"])
    return "\n".join(parts + ["", tpl["closing"], signature or tpl["signature"]])


def _readable_text(tpl: dict[str, str], body: str) -> str:
    """What the citizen reads as prose: no citation marks, no list of sources."""
    head = body.split("\n" + tpl["sources"] + "\n")[0]
    return re.sub(r"\s*\[\d+\]", "", head.replace("\n- ", "\n"))


@dataclass
class Gathered:
    """What Ask said to the mail's questions, its sources numbered once across the answers."""

    statements: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[int, Any] = field(default_factory=dict)  # number -> ask Source
    left_out: dict[str, int] = field(default_factory=lambda: {"language": 0, "off_topic": 0})
    questions: list[dict[str, Any]] = field(default_factory=list)  # per question: Ask's status and sources
    audit_ids: list[int] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)


def gather(app: Appliance, who: Principal, item: TriageItem, lang: str, llm: LLM | None) -> Gathered:
    out = Gathered()
    by_chunk: dict[int, int] = {}
    seen: set[str] = set()
    questions = questions_of(item)
    for question in questions:
        _ask_one(app, who, question, lang, llm, out, by_chunk, seen)
    subject = " ".join((item.subject or "").split())
    if not out.statements and subject and subject not in questions:
        # A long mail covers too little of any passage for Ask's relevance gate; its subject names
        # the topic in a few words ("Vraag over leefloon"): asked alone when the mail itself found nothing.
        _ask_one(app, who, subject, lang, llm, out, by_chunk, seen)
    if not out.statements:
        _from_mail(app, who, item, lang, out, by_chunk, seen)
    return out


def _ask_one(app: Appliance, who: Principal, question: str, lang: str, llm: LLM | None, out: Gathered,
             by_chunk: dict[int, int], seen: set[str]) -> None:
    answer = ask.answer(app, who, question, llm=llm)
    out.audit_ids.append(answer.audit_id)
    out.statuses.append(answer.status)
    if answer.model and answer.model not in out.models:
        out.models.append(answer.model)
    statements, left = _statements(app, answer, lang, question)
    for key, n in left.items():
        out.left_out[key] += n
    out.questions.append({"status": answer.status, "gate": answer.checks.get("gate", ""),
                          "cited": len(answer.citations), "kept": len(statements), "left_out": left,
                          "sources": [[s.title, s.language] for s in answer.sources]})
    _keep(out, statements, {s.number: s for s in answer.sources}, by_chunk, seen)


def _keep(out: Gathered, statements: list[dict[str, Any]], local: dict[int, Any], by_chunk: dict[int, int],
          seen: set[str]) -> None:
    """The statements that pass the claim check against their passage, once each, numbered by passage
    across the whole reply."""
    for st in statements:
        source = local[st["number"]]
        if st["text"] in seen or not _passes(_cited(st), {st["number"]: source}):
            continue
        seen.add(st["text"])
        number = by_chunk.setdefault(source.chunk_id, len(by_chunk) + 1)
        out.sources[number] = source
        out.statements.append({**st, "number": number})


def draft_reply(app: Appliance, who: Principal, item_id: int, *, llm: LLM | None = None) -> dict[str, Any]:
    """Draft (or draft again) the reply to an item and keep it on the item, unsent."""
    triage.require_triage(app, who)
    item = triage.get_item(app, item_id).item
    if (item.meta.get("reply_draft") or {}).get("state") == "sent":
        raise BelfortError("plain.reply_sent", "the reply to this item was sent already",
                           hint="open the outbox to see it", status=409)
    lang = triage.request_language(item)
    got = gather(app, who, item, lang, llm)
    texts_of = {n: s.text for n, s in got.sources.items()}
    check = ask.check_answer(" ".join(_cited(s) for s in got.statements), texts_of)
    tpl = texts(lang, "plain_reply.")
    body = _body(tpl, item.sender_name, got.statements, {n: s.title for n, s in got.sources.items()}, "")
    cited_text = "\n\n".join(texts_of[n] for n in sorted(texts_of))
    draft: dict[str, Any] = {
        "state": "draft", "language": lang, "subject": tpl["subject"].format(subject=item.subject or "…")[:300],
        "body": body, "statements": got.statements, "left_out": got.left_out, "questions": got.questions, "status": got.statuses,
        "claim_check": {"passed": all(s.kept for s in check.sentences), "statements": len(got.statements),
                        "sentences": [s.as_dict() for s in check.sentences]},
        "readability": {"draft": measure(_readable_text(tpl, body), lang).as_dict(),
                        "sources": measure(cited_text, lang).as_dict() if cited_text else None},
        "sources": [{"number": n, "document_id": s.document_id, "version_id": s.version_id,
                     "chunk_id": s.chunk_id, "title": s.title, "language": s.language}
                    for n, s in sorted(got.sources.items())],
        "ask_audit_ids": got.audit_ids, "model": ", ".join(got.models), "generator": REPLY_VERSION,
        "drafted_by": who.username, "drafted_at": utcnow().isoformat()}
    with write_session(app.db) as s:
        fresh = s.get(TriageItem, item_id)
        assert fresh is not None
        fresh.meta = {**fresh.meta, "reply_draft": draft}
        s.add(fresh)
        s.add(AuditEvent(actor=who.username, action="plain.reply_drafted", target=f"triage:{item_id}", detail={
            "ask_audit_ids": got.audit_ids, "model": draft["model"], "generator": REPLY_VERSION,
            "language": lang, "status": got.statuses, "claim_check": draft["claim_check"]["passed"],
            "sources": [(x["document_id"], x["version_id"]) for x in draft["sources"]]}))
    return draft


def _passes(sentence: str, sources: dict[int, Any]) -> bool:
    result = ask.check_answer(sentence, {n: s.text for n, s in sources.items()})
    return bool(result.sentences) and all(s.kept for s in result.sentences)


def approve_reply(app: Appliance, who: Principal, item_id: int, *, subject: str, body: str) -> int:
    """A person approved the (possibly edited) draft: the outbox sends it with the AI label.
    Returns the outbox id. There is no other way for a drafted reply to leave."""
    from appliance import mail

    triage.require_triage(app, who)
    subject, body = " ".join((subject or "").split())[:300], (body or "").strip()
    if not subject or not body or len(body) > MAX_BODY:
        raise BelfortError("plain.reply_invalid", "the reply needs a subject and a text (at most "
                           f"{MAX_BODY} characters)", hint="fill in both fields")
    with read_session(app.db) as s:
        item = s.get(TriageItem, item_id)
    if item is None:
        raise NotFound("triage.not_found", f"no triage item {item_id}")
    draft = item.meta.get("reply_draft") or {}
    if draft.get("state") != "draft":
        raise BelfortError("plain.no_reply_draft", "there is no unsent reply draft for this item",
                           hint="draft a reply first", status=409)
    if not triage.may_answer(item):
        raise BelfortError("triage.sender_unverified", "this item's sender cannot be answered automatically",
                           hint="contact the citizen another way")
    label = texts(draft.get("language", "nl"), "plain_reply.")["ai_label"]
    ai = ai_label(draft.get("language", "nl"), "plain", draft.get("model", "") or "rules", reviewed=True)
    outbox_id = mail.enqueue_mail(app, to=item.sender, subject=subject, body=f"{body}\n\n-- \n{label}\n",
                                  ref=f"triage:{item_id}", headers={AI_HEADER: REPLY_VERSION,
                                                                    AI_LABEL_HEADER: ai.header()})
    edited = body != draft.get("body", "").strip() or subject != draft.get("subject")
    with write_session(app.db) as s:
        fresh = s.get(TriageItem, item_id)
        assert fresh is not None
        fresh.meta = {**fresh.meta, "reply_draft": {**draft, "state": "sent", "sent_by": who.username,
                                                    "sent_at": utcnow().isoformat(), "outbox_id": outbox_id,
                                                    "edited": edited, "sent_subject": subject, "sent_body": body}}
        s.add(fresh)
        s.add(AuditEvent(actor=who.username, action="plain.reply_sent", target=f"triage:{item_id}", detail={
            "outbox_id": outbox_id, "ask_audit_ids": draft.get("ask_audit_ids", []), "edited": edited,
            "model": draft.get("model", ""), "generator": draft.get("generator", ""), "decision": "approved"}))
    return outbox_id
