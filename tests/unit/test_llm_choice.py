"""The default LLM follows the hardware: the profile's size class picks the model file, the small one
runs where the profile's is absent, and the doctor (so the admin console) says which runs and why."""

from __future__ import annotations

from pathlib import Path

from appliance.checks import run_checks
from appliance.context import open_appliance
from hardware import Hardware, profile
from models.fakes import FakeEmbedder
from models.registry import SMALL_LLM, EngineSettings, choose_llm
from tests.conftest import make_settings

LARGE = "qwen2.5-coder-1.5b-instruct-q4_k_m"
SMALL_BOX = Hardware(cpu_count=2, cpu_flags=frozenset({"avx2"}), ram_gb=8, disk_free_gb=200)
BIG_BOX = Hardware(cpu_count=4, cpu_flags=frozenset({"avx2"}), ram_gb=16, disk_free_gb=200)


def _provision(models_dir: Path, name: str) -> None:
    folder = models_dir / name
    folder.mkdir(parents=True)
    (folder / f"{name}.gguf").write_bytes(b"GGUF")


def test_auto_picks_the_model_by_ram(tmp_path: Path) -> None:
    _provision(tmp_path, LARGE)
    cfg = EngineSettings(tmp_path, llm_engine="llama-cpp", llm_model="auto")
    small = choose_llm(cfg, profile(SMALL_BOX))
    assert (small.name, small.reason) == (SMALL_LLM, "profile")
    assert "less than 8 GB" in small.describe() and "4 GB free" in small.describe()
    big = choose_llm(cfg, profile(BIG_BOX))
    assert (big.name, big.reason) == (LARGE, "profile")
    assert "12 GB free for the LLM, at least 8 GB" in big.describe()


def test_a_big_box_without_the_large_model_runs_the_small_one(tmp_path: Path) -> None:
    cfg = EngineSettings(tmp_path, llm_engine="llama-cpp", llm_model="auto")
    choice = choose_llm(cfg, profile(BIG_BOX))
    assert (choice.name, choice.reason, choice.preferred) == (SMALL_LLM, "fallback", LARGE)
    assert "not provisioned" in choice.describe()


def test_an_explicit_setting_wins_over_the_profile(tmp_path: Path) -> None:
    _provision(tmp_path, LARGE)
    cfg = EngineSettings(tmp_path, llm_engine="llama-cpp", llm_model=SMALL_LLM)
    choice = choose_llm(cfg, profile(BIG_BOX))
    assert (choice.name, choice.reason) == (SMALL_LLM, "setting")
    assert "set by llm.model" in choice.describe()


def _doctor(tmp_path: Path, box: Hardware, **llm: str) -> dict[str, object]:
    settings = make_settings(tmp_path, llm={"engine": "llama-cpp", **llm})
    app = open_appliance(settings, embedder=FakeEmbedder())
    return {c.name: c for c in run_checks(app, box)}


def test_doctor_says_which_model_runs_and_why(tmp_path: Path) -> None:
    checks = _doctor(tmp_path / "small", SMALL_BOX)
    small = checks["llm.model"]
    assert small.ok and SMALL_LLM in small.message and "hardware profile" in small.message
    assert SMALL_LLM in checks["model.llm"].message  # the files checked are the chosen model's
    big = _doctor(tmp_path / "big", BIG_BOX)["llm.model"]
    assert big.level == "warning" and LARGE in big.message and "not provisioned" in big.message
    assert LARGE in big.hint and "llm.model" in big.hint
    pinned = _doctor(tmp_path / "pinned", BIG_BOX, model=SMALL_LLM)["llm.model"]
    assert pinned.ok and "set by llm.model" in pinned.message
