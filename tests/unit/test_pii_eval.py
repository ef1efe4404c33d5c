"""CoNLL reading and the span-level PER scores of `belfort eval pii` (on a small synthetic file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.evaluation.pii import evaluate_pii, read_conll
from models.fakes import FakeNerTagger
from ops.cli import main

CONLL = """-DOCSTART- -DOCSTART- O
De Art O
heer N O
Jan N B-PER
Peeters N I-PER
zag V O
Els N B-PER
in Prep O
Gent N B-LOC
. Punc O

Karel N B-PER
Claes N I-PER
en Conj O
Marc N B-PER
Bos N I-PER
lachten V O
. Punc O

-DOCSTART- -DOCSTART- O
Niets Pron O
. Punc O
"""


@pytest.fixture
def conll(tmp_path: Path) -> Path:
    path = tmp_path / "mini.conll"
    path.write_text(CONLL, encoding="utf-8")
    return path


def test_read_conll_sentences_documents_and_gold_spans(conll: Path) -> None:
    sents = list(read_conll(conll))
    assert [s.doc for s in sents] == [1, 1, 2]
    assert sents[0].text == "De heer Jan Peeters zag Els in Gent ."
    assert sents[0].gold_spans() == [(2, 4), (5, 6)]
    assert sents[1].gold_spans() == [(0, 2), (3, 5)]


def test_iob1_adjacent_entities_are_split_by_b_tags(tmp_path: Path) -> None:
    path = tmp_path / "iob1.conll"
    path.write_text("Jan I-PER\nPiet B-PER\nen O\nAn I-PER\n", encoding="utf-8")
    (sent,) = read_conll(path)
    assert sent.gold_spans() == [(0, 1), (1, 2), (3, 4)]


def test_scores_exact_and_overlap(conll: Path) -> None:
    # The title rule finds "Jan Peeters"; the fake NER finds Els, only "Claes" of Karel Claes, and a
    # wrong "Gent"; the bundled name lists find Karel Claes whole and Marc Bos (first + family name).
    ner = FakeNerTagger({"Els": "PER", "Claes": "PER", "Gent": "PER"})
    result = evaluate_pii(conll, ner=ner).as_dict()
    per, overlap = result["per"], result["per_overlap"]
    assert (per["tp"], per["fp"], per["fn"], per["support"]) == (4, 1, 0, 4)
    assert (overlap["tp"], overlap["fp"], overlap["fn"]) == (4, 1, 0)
    assert per["precision"] == 0.8 and per["recall"] == 1.0
    assert result["n_sentences"] == 3


def test_limit_counts_sentences(conll: Path) -> None:
    assert evaluate_pii(conll, ner=None, limit=1).as_dict()["n_sentences"] == 1


def test_cli_prints_one_json_object(conll: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "pii", str(conll), "--ner", "none", "--no-first-names", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # The title rule's Jan Peeters, and the bundled family-name lists' Karel Claes and Marc Bos.
    assert out["per"]["tp"] == 3 and out["per"]["support"] == 4
    assert out["ner"] == "none"
