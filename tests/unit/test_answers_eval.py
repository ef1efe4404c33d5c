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
