import json
from pathlib import Path

import pytest

from ops.cli import main
from tests.unit.triage_data import TAXONOMY_YAML, items


def test_import_classify_train_rollback(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "belfort.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\nmodels_dir = "{tmp_path / "models"}"\n'
        'profile = "test"\n[search]\nembedder = "fake"\n',
        "utf-8",
    )
    base = ["--config", str(config), "triage"]

    # before any import: a clear error, not a traceback
    assert main([*base, "classify", "ratten"]) == 2
    assert "triage.no_taxonomy" in capsys.readouterr().err

    bad = tmp_path / "bad.yaml"
    bad.write_text("categories: []\n", "utf-8")
    assert main([*base, "import-taxonomy", str(bad)]) == 2
    assert "triage.taxonomy_empty" in capsys.readouterr().err

    good = tmp_path / "taxonomy.yaml"
    good.write_text(TAXONOMY_YAML, "utf-8")
    assert main([*base, "import-taxonomy", str(good)]) == 0
    assert "never auto-routed: sociaal" in capsys.readouterr().out

    assert main([*base, "classify", "--json", "overal ratten en duiven, dringend!"]) == 0
    zero = json.loads(capsys.readouterr().out)
    assert zero["suggestion"] == "dieren" and zero["model_kind"] == "zero_shot" and zero["urgent"]

    rows = tmp_path / "labelled.jsonl"
    rows.write_text("".join(json.dumps({"t": t, "c": c}) + "\n" for t, c in items(12, seed=20)), "utf-8")
    assert main([*base, "train", str(rows), "--text", "t", "--label", "c"]) == 0
    assert "active" in capsys.readouterr().out
    assert main([*base, "classify", "--json", "ocmw leefloon schulden huur"]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert trained["model_kind"] == "supervised" and trained["suggestion"] == "sociaal"
    assert trained["route"] is None and trained["reason"] == "human_only"

    assert main([*base, "rollback"]) == 2  # only one trained version so far
    assert "triage.no_previous_model" in capsys.readouterr().err
