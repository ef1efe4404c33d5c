"""Answer evaluation: every question through the full Ask pipeline, with and without its answer.

Rows carry `question` and `answer` (dekamer_dev.jsonl). All answers are indexed in a fresh
temporary appliance (the retrieval evaluation's corpus builder and chunker); each asked question
goes through `appliance.ask.answer` with the given LLM, as a staff member who reads the corpus.
Reported: answered rate, share of answered questions whose citations all pass the check as the
model wrote them, share citing the row's own answer document, mean latency, tokens/s. The negative
set asks the same questions with the row's own answer document deactivated (out of every reader's
scope): a grounded system should then mostly say "I don't know". Where the very same question was
asked twice (the Chamber sends one written question to two ministers, and each answers), the other
row's answer answers it too, so it is deactivated with the own one; `negative.other_answers_absent`
counts those askings. The positive side stays strict: only the row's own answer counts as its own.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text as sql

from appliance.ask import Answer, answer
from appliance.context import open_appliance
from appliance.db.engine import write_session
from appliance.errors import BelfortError
from appliance.evaluation.retrieval import build_corpus, eval_settings, load_rows, same_question
from appliance.settings import Settings

if TYPE_CHECKING:
    from appliance.context import Appliance
    from models.base import LLM, Embedder

Log = Callable[[str], None]


def _set_active(app: Appliance, document_ids: list[int], active: bool) -> None:
    with write_session(app.db) as s:
        for d in document_ids:
            s.execute(sql("UPDATE chunk SET active = :a WHERE document_id = :d"),
                      {"a": active, "d": d})  # a bool: PostgreSQL has no integer booleans


def _summary(results: list[tuple[Answer, int]]) -> dict[str, Any]:
    n = len(results)
    answered = [(a, d) for a, d in results if a.status == "answered"]
    generated = [a for a, _ in results if a.tokens_per_s > 0]
    return {
        "n": n,
        "answered_rate": round(len(answered) / n, 4) if n else 0.0,
        # Of the answered: every citation the model wrote exists and supports its sentence.
        "citations_pass_rate": round(
            sum(1 for a, _ in answered if a.checks.get("model_citations_passed")) / len(answered), 4)
        if answered else 0.0,
        # Stricter: every sentence the model wrote passed as written (none dropped or re-attributed).
        "all_sentences_pass_rate": round(
            sum(1 for a, _ in answered if a.checks.get("all_passed")) / len(answered), 4) if answered else 0.0,
        # Of every claim the model wrote (fragments and repeats aside), the share the claim check kept.
        "claims_supported_rate": _claims_supported_rate([a for a, _ in results]),
        "cites_own_answer_rate": round(sum(
            1 for a, d in answered
            if d in {s.document_id for s in a.sources if s.number in {c.number for c in a.citations}}
        ) / n, 4) if n else 0.0,
        "status_counts": {k: sum(1 for a, _ in results if a.status == k)
                          for k in ("answered", "dont_know", "escalated", "extractive")},
        "mean_latency_s": round(sum(a.latency for a, _ in results) / n, 2) if n else 0.0,
        "tokens_per_s": round(sum(a.tokens_per_s for a in generated) / len(generated), 2) if generated else 0.0,
    }


def _claims_supported_rate(answers: list[Answer]) -> float:
    claims = [x for a in answers for x in a.checks.get("sentences", []) if x.get("reason") not in ("fragment", "repeat")]
    return round(sum(1 for x in claims if x.get("kept")) / len(claims), 4) if claims else 0.0


def _cap_corpus(rows: list[dict[str, Any]], asked: list[int], corpus: int | None
                ) -> tuple[list[dict[str, Any]], list[int]]:
    """The asked rows plus the first other rows up to `corpus` answers (None: all)."""
    if corpus is None or corpus >= len(rows):
        return rows, asked
    keep = list(dict.fromkeys(asked + list(range(len(rows)))))[: max(corpus, len(asked))]
    keep.sort()
    return [rows[i] for i in keep], [keep.index(i) for i in asked]


def run_answers_eval(path: Path, settings: Settings, llm: LLM | None, *, limit: int | None = None,
                     corpus: int | None = None, embedder: Embedder | None = None,
                     negative: bool = True, log: Log | None = None,
                     progress: Path | None = None) -> dict[str, Any]:
    """See the module docstring; `corpus` caps the indexed answers (asked ones always included),
    `progress` gets the summary so far after every question (long runs on small machines)."""
    say: Log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    rows, asked = load_rows(path, limit)
    rows, asked = _cap_corpus(rows, asked, corpus)
    with tempfile.TemporaryDirectory(prefix="belfort-eval-answers-") as tmp:
        app = open_appliance(eval_settings(settings, Path(tmp)), embedder=embedder)
        app.engines.set("llm", llm)
        doc_of_row, who, _ = build_corpus(app, rows, say)
        twins = same_question(rows)
        positive: list[tuple[Answer, int]] = []
        neg: list[tuple[Answer, int]] = []
        refused: dict[str, int] = {}
        twin_askings = 0  # negative askings that also lost another row's answer to the same question
        started = time.monotonic()
        for j, i in enumerate(asked):
            q = rows[i]["question"]
            try:
                positive.append((answer(app, who, q), doc_of_row[i]))
            except BelfortError as exc:  # a question Ask refuses (too long, empty): counted, the run goes on
                if exc.status >= 500:
                    raise
                refused[exc.code] = refused.get(exc.code, 0) + 1
                say(f"{j + 1}/{len(asked)} refused: {exc.code}")
                continue
            if negative:
                absent = [doc_of_row[k] for k in (i, *twins[i])]
                twin_askings += bool(twins[i])
                _set_active(app, absent, False)
                try:
                    neg.append((answer(app, who, q), doc_of_row[i]))
                finally:
                    _set_active(app, absent, True)
            if progress is not None:
                progress.write_text(json.dumps(_result(positive, neg, llm, negative, len(rows), refused, twin_askings)))
                with progress.with_suffix(".details.jsonl").open("a", encoding="utf-8") as fh:
                    for tag, pair in (("pos", positive[-1]), ("neg", neg[-1] if neg else None)):
                        if pair is not None:
                            fh.write(json.dumps(_detail(i, tag, *pair), ensure_ascii=False) + "\n")
            a = positive[-1][0]
            say(f"{j + 1}/{len(asked)} {a.status} latency {a.latency:.1f}s "
                f"neg={neg[-1][0].status if neg else '-'} ({time.monotonic() - started:.0f} s)")
    return _result(positive, neg, llm, negative, len(rows), refused, twin_askings)


def _detail(row: int, tag: str, a: Answer, own_doc: int) -> dict[str, Any]:
    return {"row": row, "set": tag, "status": a.status, "gate": a.checks.get("gate", ""),
            "latency": a.latency, "tokens_per_s": a.tokens_per_s,
            "sources": [(s.document_id, s.relevance, s.similarity) for s in a.sources],
            "own_doc": own_doc, "raw": str(a.checks.get("raw", ""))[:600], "text": a.text[:600],
            "sentences": [(x["reason"], x["cited"], x["invented"]) for x in a.checks.get("sentences", [])]}


def _result(positive: list[tuple[Answer, int]], neg: list[tuple[Answer, int]], llm: LLM | None,
            negative: bool, corpus: int, refused: dict[str, int], twin_askings: int = 0) -> dict[str, Any]:
    out = _summary(positive)  # over the questions Ask took; refused ones are counted apart
    out["model"] = getattr(llm, "name", "none")
    out["corpus_answers"] = corpus
    out["refused"] = {"n": sum(refused.values()), "codes": dict(sorted(refused.items()))}
    if negative:
        ns = _summary(neg)
        out["negative"] = {"n": ns["n"], "dont_know_rate": round(
            ns["status_counts"]["dont_know"] / ns["n"], 4) if ns["n"] else 0.0,
            "answered_rate": ns["answered_rate"], "mean_latency_s": ns["mean_latency_s"],
            "other_answers_absent": twin_askings}
    return out
