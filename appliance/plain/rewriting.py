"""Plain-language rewriting (/write, `belfort write`): a text in, its B1 version out, with the
readability before and after and the list of what changed. Nothing leaves the box.

Per paragraph: protected terms become placeholders (terms.py); the rules (simplify.py) make a plain
version; where the mode is `llm`, the model rewrites the paragraph and its version replaces the
rules' one only when every placeholder came back and every sentence passes Ask's claim check against
the original paragraph (its figures, names, qualifiers and polarity). The rules' sentences pass the
same check, sentence by sentence; one that does not is kept as it was written. The terms are put back
at the end. An audit event records sizes, scores and the model, never the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appliance.ask import check_answer, model_writes_freely
from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import AuditEvent
from appliance.errors import BelfortError
from appliance.plain import terms as term_lists
from appliance.plain.readability import Readability, measure, split_sentences
from appliance.plain.simplify import (
    Change,
    line_wise,
    paragraphs,
    plain_words,
    sentences,
    simplify_sentence,
)
from models.base import LLM, ChatMessage, ModelError

REWRITE_VERSION = "plain-rewrite/1"
LANGUAGES = ("nl", "fr", "en")
MAX_PARAGRAPH_TOKENS = 700
SYSTEM = {
    "nl": ("Je herschrijft teksten van een Vlaams lokaal bestuur in eenvoudige taal (niveau B1): korte "
           "zinnen, gewone woorden, spreek de lezer aan met 'u'. Je voegt niets toe en laat niets weg. "
           "Getallen, datums, bedragen en namen blijven precies zoals ze zijn. Woorden als [[T1]] neem "
           "je letterlijk over."),
    "fr": ("Tu réécris des textes d'une administration locale en langage clair (niveau B1) : phrases "
           "courtes, mots courants, vouvoiement. Tu n'ajoutes rien et ne retires rien. Les nombres, "
           "dates, montants et noms restent exactement les mêmes. Recopie tels quels les mots comme [[T1]]."),
    "en": ("You rewrite texts of a local government in plain language (level B1): short sentences, common "
           "words, address the reader as 'you'. Add nothing and leave nothing out. Numbers, dates, amounts "
           "and names stay exactly as they are. Copy words like [[T1]] as they are."),
}
TASK = {"nl": "Herschrijf deze tekst in eenvoudige taal:", "fr": "Réécris ce texte en langage clair :",
        "en": "Rewrite this text in plain language:"}
RULES = {"nl": "Huisregels:", "fr": "Règles de la maison :", "en": "House rules:"}


@dataclass
class Rewrite:
    language: str
    text: str
    mode: str  # rules | llm
    model: str
    before: Readability
    after: Readability
    changes: list[Change] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)  # protected terms found in the text
    notice: str = ""  # e.g. llm_unavailable: the rules' version is shown

    def as_dict(self) -> dict[str, Any]:
        return {"language": self.language, "text": self.text, "mode": self.mode, "model": self.model,
                "before": self.before.as_dict(), "after": self.after.as_dict(),
                "changes": [c.as_dict() for c in self.changes], "protected": self.protected,
                "notice": self.notice, "version": REWRITE_VERSION}


def validate_text(app: Appliance, text: str) -> str:
    limit = app.settings.plain.max_chars
    if not (text or "").strip():
        raise BelfortError("plain.empty", "there is no text to rewrite", hint="paste a text")
    if len(text) > limit:
        raise BelfortError("plain.too_long", f"the text has {len(text)} characters (at most {limit})",
                           hint=f"the limit is {limit} characters: rewrite the text in parts", status=413)
    return text.replace("\r\n", "\n")


def resolve_mode(app: Appliance) -> str:
    """rules | llm: `plain.rewrite_mode`, where auto is rules on a CPU-only profile."""
    mode = app.settings.plain.rewrite_mode
    if mode != "auto":
        return mode
    if app.settings.llm.engine == "none":
        return "rules"
    return "llm" if model_writes_freely(app) else "rules"


def language_of(text: str, language: str = "") -> str:
    if language in LANGUAGES:
        return language
    from ingest.chunk import detect_language

    found = detect_language(text)
    return found if found in LANGUAGES else "nl"


def supported(sentences_: list[str], original: str, worded: str = "") -> list[bool]:
    """Each sentence passes Ask's claim check against `original`, or against `worded` (the original
    with only the word list's and the tone rules' replacements: the organisation's own synonyms). A
    fragment carries no claim."""
    sources = {1: original, 2: worded} if worded and worded != original else {1: original}
    out = []
    for sentence in sentences_:
        body, end = (sentence[:-1], sentence[-1]) if sentence[-1:] in ".!?" else (sentence, "")
        result = check_answer(f"{body} [{']['.join(str(n) for n in sources)}]{end}", sources)
        out.append(all(s.kept or s.reason in ("fragment", "repeat") for s in result.sentences))
    return out


def worded(protected: term_lists.Protected, lang: str, tone: list[tuple[str, str]]) -> str:
    return term_lists.restore(plain_words(protected.text, lang, tone)[0], protected.terms)


def rules_paragraph(protected: term_lists.Protected, lang: str, tone: list[tuple[str, str]],
                    original: str) -> tuple[str, list[Change]]:
    """The rules' version of one paragraph (terms restored), sentence by sentence; a sentence whose
    plain version fails the claim check against the original paragraph stays as written."""
    out: list[str] = []
    changes: list[Change] = []
    for sentence in sentences(protected.text):
        plain = simplify_sentence(sentence, lang, tone)
        text = term_lists.restore(plain.text, protected.terms)
        written = term_lists.restore(sentence, protected.terms)
        if text != written and not (term_lists.kept(sentence, plain.text) and all(
                supported(split_sentences(text), original, worded(protected, lang, tone)))):
            changes.append(Change("rejected", written, text, "claim_check"))
            text = written
        else:
            changes += [_restored(c, protected.terms) for c in plain.changes]
        out.append(text)
    return ("\n" if line_wise(protected.text) else " ").join(out), changes


def _restored(c: Change, found: dict[str, str]) -> Change:
    return Change(c.kind, term_lists.restore(c.before, found), term_lists.restore(c.after, found), c.reason)


def llm_paragraph(engine: LLM, protected: term_lists.Protected, lang: str, rules: list[str],
                  original: str, timeout: float) -> tuple[str | None, Change | None]:
    """The model's version of one paragraph, or None with the reason it was rejected."""
    tone, guidance = term_lists.replacements(rules), term_lists.guidance(rules)
    house = ("\n" + RULES[lang] + "\n" + "\n".join(f"- {g}" for g in guidance)) if guidance else ""
    messages = [ChatMessage("system", SYSTEM[lang] + house),
                ChatMessage("user", f"{TASK[lang]}\n\n{protected.text}")]
    raw = "".join(engine.stream(messages, max_tokens=MAX_PARAGRAPH_TOKENS, temperature=0.0, timeout=timeout))
    raw = " ".join(raw.split())
    written = original
    if not raw:
        return None, Change("rejected", written, "", "empty")
    if not term_lists.kept(protected.text, raw):
        return None, Change("rejected", written, term_lists.restore(raw, protected.terms), "protected_term")
    text = term_lists.restore(raw, protected.terms)
    if not all(supported(split_sentences(text), original, worded(protected, lang, tone))):
        return None, Change("rejected", written, text, "claim_check")
    return text, Change("llm", written, text)


def rewrite(app: Appliance, text: str, *, language: str = "", llm: LLM | None = None, actor: str = "",
            mode: str = "") -> Rewrite:
    text = validate_text(app, text)
    lang = language_of(text, language)
    mode = mode or resolve_mode(app)
    terms, rules = term_lists.protected_terms(app), term_lists.tone_rules(app)
    tone = term_lists.replacements(rules)
    engine = (llm or app.llm) if mode == "llm" else None
    notice = "llm_unavailable" if mode == "llm" and engine is None else ""
    out: list[str] = []
    changes: list[Change] = []
    found: set[str] = set()
    for paragraph in paragraphs(text):
        protected = term_lists.protect(paragraph, terms)
        found.update(protected.terms.values())
        version, more = rules_paragraph(protected, lang, tone, paragraph)
        if engine is not None:
            try:
                model_text, change = llm_paragraph(engine, protected, lang, rules, paragraph,
                                                   app.settings.llm.timeout_seconds)
            except ModelError:
                model_text, change, notice = None, None, "llm_unavailable"
            if model_text is not None:
                version, more = model_text, []
            more = more + ([change] if change else [])
        out.append(version)
        changes += more
    result = "\n\n".join(out)
    used = "llm" if engine is not None and not notice else "rules"
    model = getattr(engine, "name", "") if used == "llm" else ""
    done = Rewrite(lang, result, used, model, measure(text, lang), measure(result, lang), changes,
                   sorted(found, key=str.lower), notice)
    _audit(app, actor, done, len(text))
    return done


def _audit(app: Appliance, actor: str, r: Rewrite, chars: int) -> None:
    kinds: dict[str, int] = {}
    for c in r.changes:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    with write_session(app.db) as s:
        s.add(AuditEvent(actor=actor or "system", action="plain.rewrite", target="write", detail={
            "chars": chars, "language": r.language, "mode": r.mode, "model": r.model, "changes": kinds,
            "score_before": r.before.score, "score_after": r.after.score, "version": REWRITE_VERSION,
            "protected_terms": len(r.protected), "notice": r.notice}))
