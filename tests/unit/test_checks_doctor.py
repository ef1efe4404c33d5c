"""Doctor checks and `belfort doctor`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.checks import Check, check_tesseract, failed_required, run_checks
from appliance.context import open_appliance
from hardware import Hardware
from models.fakes import FakeEmbedder
from ops.cli import main
from tests.conftest import make_settings

GOOD_BOX = Hardware(cpu_count=4, cpu_flags=frozenset({"avx2"}), ram_gb=16, disk_free_gb=200)


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_healthy_test_appliance_has_no_errors(appliance) -> None:
    checks = _by_name(run_checks(appliance, GOOD_BOX))
    assert failed_required(list(checks.values())) == []
    assert checks["db.store"].ok and checks["db.schema"].ok and checks["folder.inbox"].ok
    on_postgres = bool(appliance.settings.store.url)
    assert checks["db.store"].message.startswith("PostgreSQL" if on_postgres else "SQLite")
    assert "db.wal" not in checks if on_postgres else checks["db.wal"].ok
    assert checks["disk.free"].ok and checks["cpu.avx2"].ok
    assert all(c.as_dict()["level"] in ("ok", "warning", "error") for c in checks.values())


def test_unwritable_folder_small_disk_and_old_cpu(appliance) -> None:
    inbox = appliance.layout.inbox
    inbox.rmdir()
    inbox.write_text("a file where the inbox folder should be")
    box = Hardware(cpu_count=1, ram_gb=2, disk_free_gb=0.5)
    checks = _by_name(run_checks(appliance, box))
    assert not checks["folder.inbox"].ok and checks["folder.inbox"].required
    assert str(inbox) in checks["folder.inbox"].hint
    assert checks["disk.free"].level == "error"
    assert checks["cpu.avx2"].level == "warning" and checks["ram"].level == "warning"


def test_missing_embedder_model_is_an_error_that_names_the_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, search={"embedder": "e5"}, llm={"engine": "llama-cpp"})
    app = open_appliance(settings, embedder=FakeEmbedder())
    checks = _by_name(run_checks(app, GOOD_BOX))
    emb = checks["model.embedder"]
    assert emb.level == "error" and "e5-small-q4.bin" in emb.hint and "install-defaults" in emb.hint
    assert "1571fc9827503943" in emb.hint  # the pinned sha256
    assert checks["model.llm"].level == "warning"  # search works without the LLM


def test_tesseract_languages_are_reported_not_required() -> None:
    checks = _by_name(check_tesseract(run=lambda cmd: "List of available languages (2):\neng\nnld\n"))
    if "ocr.lang.nld" not in checks:  # no tesseract binary on this machine: reported as a warning
        assert checks["ocr.tesseract"].level == "warning"
        return
    assert checks["ocr.lang.nld"].ok and not checks["ocr.lang.fra"].ok
    assert checks["ocr.lang.fra"].level == "warning" and "tesseract-ocr-fra" in checks["ocr.lang.fra"].hint


def test_doctor_names_the_ocr_engine_and_why(tmp_path: Path) -> None:
    app = open_appliance(make_settings(tmp_path / "a"), embedder=FakeEmbedder())
    auto = _by_name(run_checks(app, GOOD_BOX))["ocr.engine"]
    assert "per page" in auto.message and not auto.required
    pinned = open_appliance(make_settings(tmp_path / "b", ocr={"engine": "tesseract"}), embedder=FakeEmbedder())
    assert _by_name(run_checks(pinned, GOOD_BOX))["ocr.engine"].message == "OCR by tesseract: set by ocr.engine"


def test_doctor_cli_json_and_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "belfort.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\nmodels_dir = "{tmp_path / "models"}"\nprofile = "test"\n'
        '[search]\nembedder = "fake"\n[llm]\nengine = "none"\n'
    )
    assert main(["--config", str(config), "doctor", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"name", "ok", "message", "hint", "required", "level"} <= set(rows[0])
    config.write_text(config.read_text().replace('embedder = "fake"', 'embedder = "e5"'))
    assert main(["--config", str(config), "doctor"]) == 1
    assert "FAIL" in capsys.readouterr().out
