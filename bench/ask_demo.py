"""Ask over the demo corpus, as the demo's users: right / wrong / "don't know" / leaks per question.

    python bench/ask_demo.py [--questions bench/ask_demo_questions.jsonl] [--json] [--limit N]
                             [--models-dir DIR] [--llm-model NAME] [--data-dir DIR]

Builds a demo appliance in a fresh temporary data folder exactly as `belfort up --demo` seeds it
(ops.demo.seed.seed_demo: collections, routes, users, corpus through the normal ingest), then asks
every question through the product path, `appliance.ask.answer`, with the real LLM of the models
folder and the real embedder, as the row's user. Fails when no LLM loads: extractive answers are
not what this measures. Matching rules: bench/ask_demo_match.py (generic, no per-question cases).

Question rows (JSONL): id, question, language (nl|fr|en), user (a demo user), kind (table | list |
prose | unanswerable | hr_outside), expect (facts a right answer carries; `a|b` alternatives),
source (the expected document's file name, a list of acceptable ones, or null).
Targets (issue 11): no wrong answer, right_rate >= 0.85, every unanswerable "don't know", no leak.
The summary's `by_language` shows, per question language, where answerable questions were lost:
matched as a translation, expected document among the sources, the gate of each "don't know".

A second set, bench/ask_demo_questions_holdout.jsonl (20 questions, half in French or English,
other facts than the first set, mostly from other documents), was written after the rules of Ask
were set and is only measured, never tuned on: `--questions bench/ask_demo_questions_holdout.jsonl`.
A third, bench/ask_demo_questions_probe.jsonl (24 questions, other facts again, asked the way a
colleague would, often with a situation first: "Mijn buurman heeft zijn bouwvergunning gekregen …"),
was written by a helper session that had not seen Ask's rules. Its first run gave two general
fixes (a counted noun, weekday compounds); it is measured, not tuned on otherwise.
A fourth, bench/ask_demo_questions_blind.jsonl (18 questions, 11 in Dutch, the way staff ask at the
counter), was written at the start of stop 40 before anything was measured on it; its first run
showed one general gap (a sentence that answers for the subject the sentence before it names).
A fifth, bench/ask_demo_questions_blind2.jsonl (20 questions: 12 answerable, 5 unanswerable, 3 HR questions
asked outside HR), was written at the start of stop 41 before anything was measured on it; its first run
gave one wrong answer, from the fourth set's fix (a sentence that shares only 'kost' with the question
leaned on the one before it), which was then narrowed.
A sixth, bench/ask_demo_questions_procedures.jsonl (22 questions: 15 'how do I / what must I do / where do I
apply' questions in nl, fr and en, 5 unanswerable ones of the same form, 2 HR ones asked outside HR), was
written at the start of stop 42 before anything was measured on it; its first run gave 7 wrong answers (quotes
about the subject that tell no way), which asked.py's 'way' kind and the composer's rules for it answer.
A seventh, bench/ask_demo_questions_procedures2.jsonl (16 procedure questions, often with a situation first), was
written by a helper session that had not seen Ask's rules, after those rules were set; it is measured, not tuned on.
An eighth, bench/ask_demo_questions_blind3.jsonl (24 questions, most with a situation first, "Voor mijn deur liggen
… Als ik dat meld, hoe snel …"), was written by a helper session that had not seen Ask's rules nor the other sets, at the
start of stop 43; its first run showed one general gap (a yes/no question about a cost, 'Est-ce payant ?', asks for
an amount), which asked.py now reads. Most of its situational questions are "don't know" (9/24 right, 0 wrong).
A ninth, bench/ask_demo_questions_situations.jsonl (64 questions, every one a situation first, then the question:
38 answerable, 20 near misses, 6 HR), was written by a helper session that had seen neither Ask's code nor the other
sets, at the start of stop 44; it is measured, not tuned on (31/64 right, 1 wrong, 6 of 38 answerable right). Its one
wrong answer (s12: the library's Tuesday and Thursday hours quoted for Saturday) gave one general fix in stop 45: the
hours of a sentence belong to the weekdays of their own clause (appliance.ask.days).
A tenth, bench/ask_demo_questions_nearmiss.jsonl (49 questions: 32 near misses that name a topic of the corpus but
ask what it does not say, 'Hoeveel leden moet een vereniging hebben om erkend te worden?', 17 answerable controls),
was written in stop 46 in two parts. Its first 28 rows (m, a) showed two general gaps, fixed then: a 'how many X'
question answered by figures that are not of X (asked.counted_thing) and a yes/no question answered by quotes that
never name its most specific word (asked.polar_words). Its last 21 rows (v, w) were written after those fixes and
only measured.
An eleventh, bench/ask_demo_questions_fresh.jsonl (32 questions in the first set's mix, with users' synonyms: 'bib',
'stadhuis', 'dikte' for 'stamomtrek'), was written in stop 47 by a helper session that had seen neither Ask's code nor
the other sets. Its first run (19/32 right, 3 wrong) showed three general gaps, fixed then: 'Hoeveel bedraagt …' asks
an amount (asked.py), a price quoted for another thing than the one asked ('Combien coûte un permis de conduire ?'
answered with the eID's: asked.priced_words), and a French yes/no question with its verb after the subject ('Ma fille
doit-elle payer une amende …') that was not read as one, and so was answered by closeness in meaning alone.
A twelfth, bench/ask_demo_questions_fresh2.jsonl (32 questions: 18 answerable, 9 unanswerable of which 5 near misses,
5 HR questions asked outside HR; many with a situation first), was written at the start of stop 48 by a helper session
that had seen neither Ask's code nor the other sets. Its first run (15/32 right, 3 wrong) showed two general gaps, fixed
then: a figure asked per unit ('Hoeveel dagen per week …') answered by figures that are not per that unit
(asked.rate_unit), and a yes/no question whose rarest word was the verb that ends its main clause ('Is de gemeenteraad een
subsidie geven als …' answered by '… een nieuwe naam te geven'). The third (g32, a leave question asked outside HR
answered by the public page's 'Op wettelijke feestdagen en op 11 juli … is het gemeentehuis gesloten') gave a third, later
that stop: a 'welke X' question where no readable passage names X nor its first part (asked.which_subject).
A thirteenth, bench/ask_demo_questions_fresh3.jsonl (30 questions: 17 answerable, 8 unanswerable of which 6 near
misses, 5 HR questions asked outside HR; mostly staff at the counter looking something up, often in note style:
'tel.nr. om kapotte straatlamp te melden?'), was written in stop 48 by a helper session that had seen neither Ask's code
nor the other sets, while that stop's rules were made; it is measured, not tuned on (its run: 18/30 right, 0 wrong).
A fourteenth, bench/ask_demo_questions_fresh4.jsonl (30 questions: 17 answerable, asked on purpose in the users' own
words rather than the documents', 8 unanswerable of which 5 near misses, 5 HR questions asked outside HR), was written at
the start of stop 49 by a helper session that had seen neither Ask's code nor the other sets. Its first run (16/30 right,
1 wrong, 3 of 17 answerable right) showed one general gap, fixed then: a quote for another case ('Bij een gevaarlijke
situatie buiten de openingsuren belt u de politie op het nummer 101.') given for which number reports a street light
that is out (relevance.for_another_case; 'which number do I call' asks a phone number, asked.py).
A fifteenth, bench/ask_demo_questions_fresh5.jsonl (30 questions: 17 answerable in the users' own words, 8 unanswerable of
which 5 near misses, 5 HR questions asked outside HR), was written in stop 50 by a helper session that had seen neither
Ask's code nor the other sets, while that stop's rules were made; it is measured, not tuned on. Its first run, on that
stop's code: 21/30 right, 2 wrong (the same 2 on the code before), both quoting Dutch passages admitted by closeness in
meaning alone: an English question the model did not translate (it answered instead), and a French one asked beside a
French page, so never translated. In stop 51 both are "don't know": the model's translation of a question that tells
its situation first is asked a sentence at a time where the whole fails (matching.translate), and then measured.
A sixteenth, bench/ask_demo_questions_fresh6.jsonl (30 questions: 17 answerable in the users' own words, 8 unanswerable
of which 6 near misses, 5 HR questions asked outside HR), was written in stop 51 by a helper session that had seen
neither Ask's code nor the other sets. Its first run: 14/30 right, 1 wrong, 1 of 17 answerable right. The wrong one quoted
a number to call for dumped hazardous waste for a street light that is out: the quote shared only what the question
asks ('nummer', 'bellen'), fixed then (relevance.names_about); the others are measured, not tuned on.
A seventeenth, bench/ask_demo_questions_fresh7.jsonl (30 questions: 17 answerable in the users' own words, 8 unanswerable
of which 7 near misses, 5 HR questions asked outside HR), was written in stop 52 by a helper session that had seen
neither Ask's code nor the other sets. Its first run: 16/30 right, 0 wrong, 0 leaks, 3 of 17 answerable right (11 of the
14 others stopped at the relevance gate: the asker's words are not the documents').
An eighteenth, bench/ask_demo_questions_fresh8.jsonl (30 questions: 17 answerable in the users' own words, 8 unanswerable
of which 6 near misses, 5 HR questions asked outside HR), was written in stop 53 by a helper session that had seen
neither Ask's code nor the other sets. On the code before stop 53: 19/30 right, 1 wrong (t29: an English 'by what time'
question the model translated without its hour, answered with a French collection-day sentence; since then an hour asked
as written is answered only by a quote that gives one). On stop 53's code: 21/30 right, 0 wrong, 0 leaks, 8 of 17
answerable right.
tests/unit/test_ask_demo_sets.py checks that each answerable fact of every set is in the document
its row names.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import select

from appliance.access import Principal, principal_for, readable_collection_ids
from appliance.ask import Answer, answer
from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import Chunk, Collection, User
from appliance.settings import load_settings
from bench.ask_demo_match import KINDS, by_language, classify, shingles, source_found
from ops.demo.seed import USERS, seed_demo

DEFAULT_QUESTIONS = ROOT / "bench" / "ask_demo_questions.jsonl"
REQUIRED = ("id", "question", "language", "user", "kind", "expect")


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_questions(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    users = {u[0] for u in USERS}
    rows = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        missing = [k for k in REQUIRED if k not in row]
        if missing or row["kind"] not in KINDS or row["user"] not in users:
            raise SystemExit(f"{path}:{n}: bad row (missing {missing}, kind {row.get('kind')!r}, "
                             f"user {row.get('user')!r})")
        rows.append(row)
    return rows[:limit] if limit else rows


def build_appliance(data_dir: Path, models_dir: str | None, llm_model: str | None) -> Appliance:
    """A demo appliance seeded the way `belfort up --demo` does it (models: the setting, unless given)."""
    overrides: dict[str, Any] = {"data_dir": str(data_dir), "profile": "demo"}
    if models_dir:
        overrides["models_dir"] = models_dir
    if llm_model:
        overrides["llm"] = {"model": llm_model}
    app = open_appliance(load_settings(overrides=overrides))
    t0 = time.perf_counter()
    report = seed_demo(app, log=_err, environ={"BELFORT_DEMO_PASSWORD": "ask-demo-bench"})
    _err(f"seeded in {time.perf_counter() - t0:.0f}s")
    if report.failures:
        raise SystemExit(f"demo seed failed: {report.failures}")
    return app


class Asker:
    """Each demo user's principal, readable collections and the shingles of what they may not read."""

    def __init__(self, app: Appliance) -> None:
        self.app = app
        self._who: dict[str, tuple[Principal, list[str], set[tuple[str, ...]]]] = {}

    def user(self, username: str) -> tuple[Principal, list[str], set[tuple[str, ...]]]:
        if username not in self._who:
            with read_session(self.app.db) as s:
                user = s.exec(select(User).where(User.username == username)).one()
                who = principal_for(s, user)
                ids = readable_collection_ids(s, who)
                names = [c.name for c in s.exec(select(Collection)) if c.id in ids]
                hidden: set[tuple[str, ...]] = set()
                for chunk in s.exec(select(Chunk).where(Chunk.collection_id.notin_(ids))):  # type: ignore[attr-defined]
                    hidden |= shingles(chunk.text)
            self._who[username] = (who, names, hidden)
        return self._who[username]

    def ask(self, row: dict[str, Any]) -> dict[str, Any]:
        who, readable, hidden = self.user(row["user"])
        ans: Answer = answer(self.app, who, row["question"])
        verdict = classify(row, ans, readable, hidden)
        return {"id": row["id"], "kind": row["kind"], "language": row["language"], "user": row["user"],
                "status": ans.status, **verdict.as_dict(), "source_found": source_found(row, ans),
                "latency_s": ans.latency, "model": ans.model,
                "answer": ans.text, "gate": ans.checks.get("gate", ""), "raw": ans.checks.get("raw", ""),
                "translated": ans.question_translated,
                "answerability": (ans.checks.get("answerability") or {}).get("probability"),
                "sources": [f"{s.number}:{Path(s.source_path).name}" for s in ans.sources]}


def summarise(results: list[dict[str, Any]], model: str) -> dict[str, Any]:
    n = len(results)

    def count(outcome: str) -> int:
        return sum(1 for r in results if r["outcome"] == outcome)

    no_answer = [r for r in results if r["kind"] in ("unanswerable", "hr_outside")]
    unanswerable = [r for r in no_answer if r["kind"] == "unanswerable"]
    answerable = [r for r in results if r not in no_answer]
    return {
        "n": n, "right": count("right"), "wrong": count("wrong"), "dont_know": count("dont_know"),
        "leaks": sum(1 for r in results if r["leak"]),
        "right_rate": round(count("right") / n, 3) if n else 0.0,
        "answerable_right_rate": (round(sum(r["outcome"] == "right" for r in answerable) / len(answerable), 3)
                                  if answerable else None),
        "unanswerable_dont_know_rate": (round(sum(r["status"] in ("dont_know", "escalated")
                                                  for r in unanswerable) / len(unanswerable), 3)
                                        if unanswerable else None),
        "mean_latency_s": round(sum(r["latency_s"] for r in results) / n, 2) if n else 0.0,
        "model": model,
        "by_language": by_language(results),
        "targets_met": bool(n) and count("wrong") == 0 and count("right") >= 0.85 * n
        and all(r["status"] in ("dont_know", "escalated") for r in unanswerable)
        and not any(r["leak"] for r in results),
    }


def _line(r: dict[str, Any]) -> str:
    said = " ".join(r["answer"].split())[:90]
    why = "; ".join(r["reasons"])
    return (f"{r['id']:<6} {r['language']:<3} {r['kind']:<13} {r['user']:<17} {r['status']:<10} "
            f"{r['outcome']:<9} {r['latency_s']:>6.1f}  {why or said}")


def run(args: argparse.Namespace) -> dict[str, Any]:
    rows = load_questions(Path(args.questions), args.limit)
    with tempfile.TemporaryDirectory(prefix="belfort-ask-demo-") as tmp:
        data_dir = Path(args.data_dir) if args.data_dir else Path(tmp)
        app = build_appliance(data_dir, args.models_dir, args.llm_model)
        try:
            llm = app.llm
            if llm is None:
                raise SystemExit("no LLM loaded (see the warning above): provision one or pass --models-dir")
            model = getattr(llm, "name", "?")
            _err(f"model: {model}; {len(rows)} questions")
            _ = app.embedder  # the real embedder, or the ModelError that says why not
            asker = Asker(app)
            results = []
            for row in rows:
                results.append(asker.ask(row))
                print(_line(results[-1]), file=sys.stderr if args.json else sys.stdout, flush=True)
        finally:
            app.db.dispose()
    return {"summary": summarise(results, model), "results": results}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--questions", default=str(DEFAULT_QUESTIONS), help="JSONL question set")
    ap.add_argument("--json", action="store_true", help="print one JSON object (summary and rows)")
    ap.add_argument("--limit", type=int, default=None, help="ask only the first N questions")
    ap.add_argument("--models-dir", default=None, help="folder of provisioned models (default: the models_dir setting)")
    ap.add_argument("--llm-model", default=None, help="catalog name of the LLM (default: the llm.model setting)")
    ap.add_argument("--data-dir", default=None,
                    help="seed and keep the demo here (reused when already seeded); default: a fresh temp folder")
    args = ap.parse_args(argv)
    if not args.json:
        print(f"{'id':<6} {'lg':<3} {'kind':<13} {'user':<17} {'status':<10} {'outcome':<9} {'sec':>6}  note")
    out = run(args)
    print(json.dumps(out if args.json else out["summary"], ensure_ascii=False, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
