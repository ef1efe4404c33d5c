"""`belfort eval retrieval`: metrics, row handling and the one-JSON-object output, on a tiny made-up file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.evaluation.retrieval import (
    bm25_chunk_ranks,
    bm25_doc_ranks,
    chunk_answer,
    load_rows,
    metrics,
    run_retrieval_eval,
)
from models.fakes import FakeEmbedder

ROWS = [
    {"question": "Hoeveel kost een parkeervergunning voor bewoners?",
     "answer": "Een parkeervergunning voor bewoners kost 25 euro per jaar."},
    {"question": "Wanneer is het containerpark open?", "answer": "Het containerpark is open op zaterdag van 9 tot 16 uur."},
    {"question": "Combien coûte le permis de bâtir?", "answer": "Le permis de bâtir coûte 50 euros à Liège."},
    {"question": "Vraag zonder antwoord", "answer": ""},
    {"question": "Welke premie bestaat voor zonnepanelen?",
     "answer": "De gemeente geeft een premie van 300 euro voor zonnepanelen. " * 40},
]


def write(tmp_path: Path) -> Path:
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", "utf-8")
    return path


def test_metrics() -> None:
    assert metrics([1, 2, None, 6]) == {"recall@1": 0.25, "recall@5": 0.5, "recall@10": 0.75,
                                        "mrr@10": round((1 + 0.5 + 1 / 6) / 4, 4)}


def test_rows_without_answer_are_skipped_and_limit_asks_first_n(tmp_path: Path) -> None:
    rows, asked = load_rows(write(tmp_path), limit=2)
    assert len(rows) == 4 and asked == [0, 1]


def test_eval_finds_each_answer(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    result = run_retrieval_eval(write(tmp_path), settings, embedder=FakeEmbedder(), log=lambda _: None)
    assert set(result) == {"bm25", "bm25_doc", "belfort", "n"} and result["n"] == 4
    assert result["belfort"]["recall@1"] == 1.0 and result["belfort"]["mrr@10"] == 1.0
    assert set(result["bm25"]) == set(result["bm25_doc"]) == {"recall@1", "recall@5", "recall@10", "mrr@10"}


def test_bm25_doc_scores_whole_answers_and_bm25_their_best_chunk() -> None:
    # The question's two rare words sit in different chunks of answer 0: only the whole answer holds both.
    filler = "De minister verwijst naar de bevoegde diensten en de geldende regels. " * 14
    rows = [{"question": "Hoeveel fietsenstallingen en laadpalen telt het station?",
             "answer": "Er zijn 40 fietsenstallingen. " + filler + "Er zijn 12 laadpalen."},
            {"question": "x", "answer": "Er zijn 40 fietsenstallingen. " + filler + "Dat is alles."},
            {"question": "y", "answer": "Er zijn 12 laadpalen. " + filler + "Dat is alles."}]
    assert len(chunk_answer(rows[0]["answer"], 900, 120)) >= 2
    assert bm25_doc_ranks(rows, [0]) == [1]
    assert bm25_chunk_ranks(rows, [0], 900, 120)[0] in (1, 2, 3)


def test_cli_prints_one_json_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from ops.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BELFORT_SEARCH__EMBEDDER", "fake")
    monkeypatch.setenv("BELFORT_DATA_DIR", str(tmp_path / "data"))
    assert main(["eval", "retrieval", str(write(tmp_path)), "--limit", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 2 and out["belfort"]["recall@5"] == 1.0
