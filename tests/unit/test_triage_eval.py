import csv
import json
from pathlib import Path

import numpy as np
import pytest

from appliance.errors import BelfortError
from appliance.evaluation.triage import metrics
from models.fakes import FakeEmbedder
from ops.cli import main
from tests.unit.triage_data import TAXONOMY_YAML, items

METRIC_KEYS = {"accuracy", "macro_f1", "accuracy_at_80_coverage", "threshold_at_80_coverage"}


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _eval(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> dict:
    config = tmp_path / "belfort.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\nmodels_dir = "{tmp_path / "models"}"\n', "utf-8")
    assert main(["--config", str(config), "eval", "triage", "--embedder", "fake", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    train = [{"body": t, "cat": lab, "id": i} for i, (t, lab) in enumerate(items(12, seed=10))]
    train += [{"body": "zonder label", "cat": ""}, {"body": "ook zonder", "cat": None}]
    test = [{"body": t, "cat": lab} for t, lab in items(5, seed=11)] + [{"body": "leeg", "cat": " "}]
    return _jsonl(tmp_path / "train.jsonl", train), _jsonl(tmp_path / "test.jsonl", test)


def test_eval_json_has_exactly_the_agreed_keys(capsys, tmp_path: Path, files: tuple[Path, Path]) -> None:
    train, test = files
    out = _eval(
        capsys, tmp_path, "--train", str(train), "--test", str(test), "--text", "body", "--label", "cat"
    )
    assert set(out) == {"baseline", "belfort", "n_train", "n_test", "labels"}
    assert set(out["baseline"]) == METRIC_KEYS and set(out["belfort"]) == METRIC_KEYS
    assert (out["n_train"], out["n_test"], out["labels"]) == (48, 20, 4)  # empty labels left out
    for system in ("baseline", "belfort"):
        m = out[system]
        assert all(0.0 <= m[k] <= 1.0 for k in ("accuracy", "macro_f1", "accuracy_at_80_coverage"))
    assert out["belfort"]["accuracy"] >= 0.9  # separable generated data: a broken model would fail here


def test_eval_reads_csv_and_zero_shot_says_so(capsys, tmp_path: Path) -> None:
    test = tmp_path / "test.csv"
    with test.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Tekst", "Label"])
        for text, label in items(5, seed=12):
            w.writerow([text, label])
    out = _eval(capsys, tmp_path, "--test", str(test), "--text", "Tekst", "--label", "Label", "--zero-shot")
    assert out["zero_shot"] is True and out["descriptions"] == "label_names"
    assert out["n_train"] == 0 and out["n_test"] == 20 and out["labels"] == 4
    assert set(out["belfort"]) == METRIC_KEYS

    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text(TAXONOMY_YAML, encoding="utf-8")
    out = _eval(
        capsys,
        tmp_path,
        "--test",
        str(test),
        "--text",
        "Tekst",
        "--label",
        "Label",
        "--zero-shot",
        "--taxonomy",
        str(taxonomy),
    )
    assert out["descriptions"] == "taxonomy"
    assert out["belfort"]["accuracy"] >= 0.9  # descriptions share the generated items' words


def test_missing_field_names_the_available_ones(capsys, tmp_path: Path, files: tuple[Path, Path]) -> None:
    train, test = files
    config = tmp_path / "belfort.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n', "utf-8")
    code = main(
        [
            "--config",
            str(config),
            "eval",
            "triage",
            "--embedder",
            "fake",
            "--train",
            str(train),
            "--test",
            str(test),
            "--text",
            "question",
            "--label",
            "cat",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "eval.field_missing" in err and "body" in err


def test_accuracy_at_80_coverage_keeps_the_most_confident_items() -> None:
    truth = ["a"] * 10
    predicted = ["a"] * 7 + ["b"] * 3
    # the three wrong answers: two are the least confident, one sits inside the kept 80 %
    confidence = np.array([0.9, 0.8, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.2, 0.1])
    predicted = ["a", "a", "a", "a", "a", "a", "a", "b", "b", "b"]
    m = metrics(truth, predicted, confidence)
    assert m["threshold_at_80_coverage"] == 0.45
    assert m["accuracy"] == 0.7
    assert m["accuracy_at_80_coverage"] == pytest.approx(7 / 8, abs=1e-4)
    assert 0 < m["macro_f1"] < 1


def test_no_labelled_test_rows_is_an_error(tmp_path: Path) -> None:
    from appliance.evaluation.triage import evaluate

    with pytest.raises(BelfortError) as err:
        evaluate(
            [],
            [{"t": "x", "l": ""}],
            text_field="t",
            label_field="l",
            embedder=FakeEmbedder(),
            zero_shot=True,
        )
    assert err.value.code == "eval.no_test_rows"


def test_zero_shot_taxonomy_must_name_the_labels() -> None:
    from appliance.evaluation.triage import evaluate
    from appliance.triage.taxonomy import Taxonomy

    with pytest.raises(BelfortError) as err:
        evaluate(
            [],
            [{"t": "x", "l": "afval"}],
            text_field="t",
            label_field="l",
            embedder=FakeEmbedder(),
            zero_shot=True,
            taxonomy=Taxonomy.from_labels(["Waste"]),
        )
    assert err.value.code == "eval.taxonomy_mismatch" and "afval" in err.value.hint
