"""`belfort eval pii --spans FILE`: the JSON shape and the scoring rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.errors import BelfortError
from appliance.evaluation import LabelledText, SpanScores, read_labelled, span_detector
from ops.cli import main


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _row(text: str, *labelled: tuple[str, str]) -> dict[str, object]:
    spans = []
    for value, kind in labelled:
        start = text.index(value)
        spans.append({"start": start, "end": start + len(value), "kind": kind})
    return {"text": text, "spans": spans}


def test_found_means_covered_by_one_span_of_the_same_kind() -> None:
    scores = SpanScores()
    gold = [(10, 20, "IBAN"), (30, 40, "PERSON"), (50, 60, "BE_ADDRESS")]
    predicted = [
        (8, 22, "IBAN"),  # covers: found, right
        (30, 35, "PERSON"), (35, 40, "PERSON"),  # two halves: not found, both overlap so both right
        (50, 60, "PHONE_NUMBER"),  # other kind: not found, wrong
        (70, 80, "EMAIL_ADDRESS"),  # no gold at all: wrong
    ]
    missed = scores.add(gold, predicted)
    assert missed == [(30, 40, "PERSON"), (50, 60, "BE_ADDRESS")]
    out = scores.as_dict()
    per_kind = out["per_kind"]
    assert isinstance(per_kind, dict)
    assert per_kind["IBAN"] == {"recall": 1.0, "precision": 1.0, "support": 1}
    assert per_kind["PERSON"] == {"recall": 0.0, "precision": 1.0, "support": 1}
    assert per_kind["BE_ADDRESS"] == {"recall": 0.0, "precision": None, "support": 1}
    assert per_kind["PHONE_NUMBER"] == {"recall": None, "precision": 0.0, "support": 0}
    assert out["recall"] == round(1 / 3, 4)
    assert out["precision"] == round(3 / 5, 4)
    assert out["documents_without_miss"] == 0.0 and out["n"] == 1


def test_documents_without_miss_is_the_share_of_perfect_documents() -> None:
    scores = SpanScores()
    scores.add([(0, 5, "PERSON")], [(0, 5, "PERSON")])
    scores.add([], [])
    scores.add([(0, 5, "PERSON")], [])
    scores.add([(0, 5, "PERSON"), (6, 9, "IBAN")], [(0, 9, "PERSON")])
    out = scores.as_dict()
    assert out["documents_without_miss"] == 0.5 and out["n"] == 4


def test_a_review_proposal_counts_as_found() -> None:
    text = "Rijksregisternummer: 85.07.30-033.29"  # one digit wrong: proposed for review only
    doc = LabelledText(text, ((21, len(text), "BE_NATIONAL_NUMBER"),))
    predicted = span_detector(None, frozenset())(doc)
    assert predicted == [(21, len(text), "BE_NATIONAL_NUMBER")]
    scores = SpanScores()
    assert scores.add(doc.spans, predicted) == []


def test_cli_prints_the_issue_s_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "spans.jsonl", [
        _row("Stort op BE68 5390 0754 7034 of bel 0475 12 34 56.", ("BE68 5390 0754 7034", "IBAN"),
             ("0475 12 34 56", "PHONE_NUMBER")),
        _row("Mevrouw An Peeters woont Kerkstraat 12, 9000 Gent.", ("An Peeters", "PERSON"),
             ("Kerkstraat 12, 9000 Gent", "BE_ADDRESS")),
        _row("Het college besliste op 17 mei 2024 over dossier 2024/0123/45."),
    ])
    assert main(["eval", "pii", "--spans", str(path), "--ner", "none", "--no-first-names", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"per_kind", "recall", "precision", "documents_without_miss", "n"} <= set(out)
    assert out["n"] == 3
    assert set(out["per_kind"]) >= {"IBAN", "PHONE_NUMBER", "PERSON", "BE_ADDRESS"}
    for kind, m in out["per_kind"].items():
        assert set(m) == {"recall", "precision", "support"}, kind
    assert out["per_kind"]["IBAN"] == {"recall": 1.0, "precision": 1.0, "support": 1}
    assert out["per_kind"]["BE_ADDRESS"]["recall"] == 1.0
    assert out["precision"] == 1.0


def test_cli_text_output_and_conll_mode_still_required_otherwise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "spans.jsonl", [_row("Mail jan@example.be.", ("jan@example.be", "EMAIL_ADDRESS"))])
    assert main(["eval", "pii", "--spans", str(path), "--ner", "none"]) == 0
    assert "EMAIL_ADDRESS" in capsys.readouterr().out
    assert main(["eval", "pii", "--ner", "none"]) == 2  # neither a CoNLL file nor --spans


@pytest.mark.parametrize(("line", "why"), [
    ('{"text": "abc", "spans": [{"start": 2, "end": 9, "kind": "PERSON"}]}', "not inside the text"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 1, "kind": "NAME"}]}', "unknown kind"),
    ('{"text": "abc"}', "needs a string 'text'"),
    ("not json", "not JSON"),
])
def test_bad_lines_fail_with_their_number(tmp_path: Path, line: str, why: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "spans": []}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(BelfortError) as exc:
        read_labelled(path)
    assert exc.value.code == "eval.bad_spans_file"
    assert "line 2" in str(exc.value) and why in str(exc.value)


def test_the_bench_file_is_well_formed_and_large_enough() -> None:
    docs = read_labelled(Path(__file__).resolve().parents[2] / "bench" / "pii_spans.jsonl")
    kinds = [kind for doc in docs for _, _, kind in doc.spans]
    assert len(kinds) >= 300
    assert {"PERSON", "BE_ADDRESS", "BE_NATIONAL_NUMBER", "BE_BIS_NUMBER", "IBAN", "BE_ENTERPRISE_NUMBER",
            "BE_EID_CARD", "PHONE_NUMBER", "EMAIL_ADDRESS", "LICENSE_PLATE", "BE_OGM", "DATE_OF_BIRTH"} <= set(kinds)
    assert {doc.language for doc in docs} >= {"nl", "fr", "en"}
    assert any(not doc.spans for doc in docs)  # texts without personal data measure precision
