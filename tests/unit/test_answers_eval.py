"""`belfort eval answers`: a question Ask refuses (too long) is counted as refused and the run goes on."""

from __future__ import annotations

import json
from pathlib import Path

from appliance.ask.answering import MAX_QUESTION_CHARS
from appliance.evaluation.answers import run_answers_eval
from models.fakes import FakeEmbedder
from tests.conftest import make_settings


def test_a_question_over_the_limit_is_refused_and_counted_while_the_others_are_answered(tmp_path: Path) -> None:
    rows = [
        {"question": "Wanneer wordt het PMD opgehaald in de Kerkstraat?",
         "answer": "Het PMD wordt om de twee weken op dinsdag opgehaald in de Kerkstraat."},
        {"question": "Waarom? " * (MAX_QUESTION_CHARS // 8 + 10),
         "answer": "De bibliotheek is op zondag gesloten."},
        {"question": "Hoeveel kost een nieuwe identiteitskaart?",
         "answer": "Een nieuwe elektronische identiteitskaart kost 25 euro aan het loket."},
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    progress = tmp_path / "progress.json"
    said: list[str] = []
    result = run_answers_eval(path, make_settings(tmp_path), None, embedder=FakeEmbedder(),
                              log=said.append, progress=progress)
    assert result["refused"] == {"n": 1, "codes": {"ask.question_too_long": 1}}
    assert result["n"] == 2 and result["negative"]["n"] == 2  # the other two went through Ask, both ways
    assert any("refused: ask.question_too_long" in line for line in said)
    assert json.loads(progress.read_text())["refused"]["n"] == 1


def test_claims_supported_rate_counts_the_claims_the_check_kept() -> None:
    from appliance.ask.answering import Answer
    from appliance.evaluation.answers import _summary

    def answer(status: str, sentences: list[tuple[str, bool]]) -> Answer:
        return Answer(text="", citations=[], sources=[], status=status, language="nl",
                      checks={"sentences": [{"reason": r, "kept": k} for r, k in sentences]})

    results = [(answer("answered", [("ok", True), ("claim_mismatch", False), ("fragment", False)]), 1),
               (answer("dont_know", [("unsupported", False)]), 2),
               (answer("answered", [("attributed", True)]), 3)]
    assert _summary(results)["claims_supported_rate"] == 0.5


def test_same_question_pairs_the_rows_that_ask_the_very_same_question() -> None:
    from appliance.evaluation.retrieval import same_question

    rows = [{"question": "Hoeveel  ongevallen\nop het werk?"}, {"question": "Welke premies?"},
            {"question": "hoeveel ongevallen op het werk?"}, {"question": "Hoeveel ongevallen op het werk in 2016?"}]
    assert same_question(rows) == [[2], [], [0], []]


def test_the_negative_set_removes_every_answer_to_the_very_same_question(tmp_path: Path) -> None:
    """One written question sent to two ministers: with its own answer out of scope, the other
    minister's answer still answers it, so the "right document absent" asking removes both."""
    question = "Hoeveel arbeidsongevallen met steigers werden in 2016 gemeld bij de inspectie?"
    rows = [
        {"question": question, "answer": "In 2016 meldde de inspectie 412 arbeidsongevallen met steigers."},
        {"question": question, "answer": "De inspectie registreerde 412 arbeidsongevallen met steigers in 2016."},
        {"question": "Wanneer wordt het PMD opgehaald in de Kerkstraat?",
         "answer": "Het PMD wordt om de twee weken op dinsdag opgehaald in de Kerkstraat."},
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    progress = tmp_path / "progress.json"
    result = run_answers_eval(path, make_settings(tmp_path), None, embedder=FakeEmbedder(),
                              log=lambda _: None, progress=progress)
    assert result["negative"]["other_answers_absent"] == 2  # rows 0 and 1 each lost the other's answer too
    details = [json.loads(line) for line in progress.with_suffix(".details.jsonl").read_text().splitlines()]
    own = {d["row"]: d["own_doc"] for d in details}
    twins = {own[0], own[1]}
    found = {(d["row"], d["set"]): {s[0] for s in d["sources"]} for d in details}
    assert found[(0, "pos")] & twins and found[(1, "pos")] & twins  # both answers are found when readable
    assert not found[(0, "neg")] & twins and not found[(1, "neg")] & twins
    assert own[2] in found[(2, "pos")] and own[2] not in found[(2, "neg")]
