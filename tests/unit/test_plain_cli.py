"""`belfort write FILE --json`: the rewrite, scores and changes; the limit as a stable error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.cli import main

TEXT = ("Indien u een vergunning aanvraagt, dient u het dossier in bij de dienst, maar de behandeling kan "
        "tot 105 dagen duren en wordt door het college beoordeeld.")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "belfort.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\nmodels_dir = "{tmp_path / "models"}"\nprofile = "test"\n'
                    '[llm]\nengine = "none"\n[search]\nembedder = "fake"\n[plain]\nmax_chars = 1000\n', "utf-8")
    return path


def test_write_json(tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "brief.txt"
    src.write_text(TEXT, "utf-8")
    assert main(["write", str(src), "--json", "--config", str(config)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["language"] == "nl" and out["mode"] == "rules" and out["text"].startswith("Als u")
    assert out["after"]["score"] > out["before"]["score"] and out["before"]["formula"] == "flesch-douma"
    assert {c["kind"] for c in out["changes"]} >= {"word", "split", "passive_hint"}


def test_write_refuses_a_text_over_the_limit(tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "lang.txt"
    src.write_text("a" * 50000, "utf-8")
    assert main(["write", str(src), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "[plain.too_long]" in err and "the limit is 1000 characters" in err
