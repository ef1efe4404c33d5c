"""The engine room: models/registry builds every engine kind from plain settings values and one
hardware profile; the Appliance holds the engines, lazily, and reports them in one call."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from appliance.checks import run_checks
from appliance.context import Appliance, Engines, engine_settings, open_appliance
from hardware import Hardware, Profile, fallback_profile, machine_profile, profile
from models.base import ModelError
from models.diarize import ChannelDiarizer
from models.fakes import FakeEmbedder, FakeLLM
from models.ocr_choice import AutoOcr
from models.openai_compat import OpenAICompatLLM
from models.registry import (
    ENGINE_KINDS,
    NER_ENGINES,
    EngineSettings,
    Registry,
    build_diarizer,
    build_embedder,
    build_llm,
    build_ner,
    build_ocr,
    llm_runtime,
    ocr_engine_name,
)
from models.tesseract import TesseractOcr
from tests.conftest import make_settings

CPU = profile(Hardware(cpu_count=4, ram_gb=16))
GPU = profile(Hardware(cpu_count=16, ram_gb=64, gpu="H100", vram_gb=80))


def _unknown(call: Any, code: str, *names: str) -> ModelError:
    with pytest.raises(ModelError) as err:
        call()
    assert err.value.code == code
    assert all(n in err.value.hint for n in names), err.value.hint
    return err.value


def test_llm_kinds(tmp_path: Path) -> None:
    cfg = EngineSettings(tmp_path, llm_engine="none")
    assert build_llm(cfg, CPU) is None
    remote = build_llm(EngineSettings(tmp_path, llm_engine="openai-compatible", llm_model="qwen",
                                      llm_base_url="http://gpu-box:8080/v1"), CPU)
    assert isinstance(remote, OpenAICompatLLM) and remote.name == "qwen"
    missing = EngineSettings(tmp_path, llm_engine="llama-cpp", llm_model="qwen2.5-coder-0.5b-instruct-q4_k_m")
    err = _unknown(lambda: build_llm(missing, CPU), "llm.model_missing", "install-defaults")
    assert str(tmp_path) in err.message
    err = _unknown(lambda: build_llm(EngineSettings(tmp_path, llm_engine="gpt"), CPU), "llm.unknown_engine",
                   "llama-cpp", "openai-compatible", "none")
    assert err.message == "unknown LLM engine 'gpt'"


def test_llm_runtime_takes_the_profile_unless_the_settings_say(tmp_path: Path) -> None:
    auto = llm_runtime(EngineSettings(tmp_path), GPU)
    assert auto == {"n_ctx": GPU.llm_context, "n_threads": 15, "n_gpu_layers": -1, "n_batch": 512}
    assert llm_runtime(EngineSettings(tmp_path), CPU)["n_gpu_layers"] == 0
    fixed = llm_runtime(EngineSettings(tmp_path, llm_context_size=1024, llm_threads=2, llm_gpu_layers=0), GPU)
    assert fixed["n_ctx"] == 1024 and fixed["n_threads"] == 2 and fixed["n_gpu_layers"] == 0


def test_embedder_diarizer_ner_and_ocr_kinds(tmp_path: Path) -> None:
    assert isinstance(build_embedder("fake", tmp_path), FakeEmbedder)
    _unknown(lambda: build_embedder("bert", tmp_path), "embedder.unknown_engine", "e5", "sentence-transformers")
    assert build_diarizer("none", tmp_path) is None
    assert isinstance(build_diarizer("channel", tmp_path), ChannelDiarizer)
    _unknown(lambda: build_diarizer("whisperx", tmp_path), "diarizer.unknown_engine", "channel", "pyannote")
    assert build_ner("none") is None and NER_ENGINES == ("auto", "frog", "none")
    err = _unknown(lambda: build_ner("spacy"), "ner.unknown_engine", "auto", "frog", "none")
    assert err.message == "unknown NER engine 'spacy'"
    ocr = build_ocr("tesseract", ("nld",))
    assert isinstance(ocr, TesseractOcr) and ocr.languages == ("nld",)
    _unknown(lambda: build_ocr("abbyy"), "ocr.unknown_engine", "auto", "rapidocr", "tesseract")
    auto = build_ocr("auto", ("nld",))
    assert isinstance(auto, AutoOcr) and isinstance(auto.first, TesseractOcr) and auto.first.languages == ("nld",)


def test_ocr_auto_follows_the_profile() -> None:
    assert ocr_engine_name("auto", GPU) == "auto" and ocr_engine_name("auto", CPU) == "auto"
    assert ocr_engine_name("auto", None) == "auto"
    assert ocr_engine_name("auto", replace(CPU, ocr_engine="tesseract")) == "tesseract"
    assert ocr_engine_name("tesseract", GPU) == "tesseract" and ocr_engine_name("rapidocr", CPU) == "rapidocr"
    _unknown(lambda: ocr_engine_name("abbyy", CPU), "ocr.unknown_engine", "tesseract")


def test_transcriber_is_sized_by_the_profile(tmp_path: Path) -> None:
    from tests.asr_fixture import require_whisper

    err = _unknown(lambda: Registry(EngineSettings(tmp_path), CPU).transcriber(), "asr.missing_model",
                   "belfort models install-defaults")
    assert err.message
    folder = require_whisper()
    cfg = EngineSettings(folder.parent, asr_model=folder.name, diarizer="channel")
    engine: Any = Registry(cfg, CPU).transcriber()  # loads on first use: nothing is decoded here
    assert (engine.device, engine.compute_type, engine.word_timestamps) == ("cpu", "int8", True)
    engine = Registry(cfg, GPU).transcriber(word_timestamps=False)
    assert (engine.device, engine.compute_type, engine.word_timestamps) == ("cuda", "float16", False)


def test_registry_builds_each_configured_kind(tmp_path: Path) -> None:
    reg = Registry(EngineSettings(tmp_path, embedder="fake", diarizer="channel", ner="none",
                                  ocr_engine="tesseract"), CPU)
    assert reg.build("llm") is None
    assert isinstance(reg.build("embedder"), FakeEmbedder)
    assert isinstance(reg.build("diarizer"), ChannelDiarizer)
    assert reg.build("ner") is None
    assert isinstance(reg.build("ocr"), TesseractOcr)
    _unknown(lambda: reg.build("vision"), "engine.unknown_engine", *ENGINE_KINDS)


def test_settings_reach_the_engine_room_as_plain_values(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, llm={"engine": "openai-compatible", "base_url": "http://x/v1",
                                            "gpu_layers": 0}, ocr={"languages": ["fra"]})
    cfg = engine_settings(settings)
    assert cfg.llm_engine == "openai-compatible" and cfg.llm_base_url == "http://x/v1"
    assert cfg.llm_gpu_layers == 0 and cfg.ocr_languages == ("fra",) and cfg.models_dir == settings.models_dir
    assert cfg.ner == settings.pii.ner and cfg.embedder == settings.search.embedder


def test_hardware_is_probed_once_and_never_fails(tmp_path: Path) -> None:
    assert isinstance(machine_profile(tmp_path / "not" / "there"), Profile)
    assert fallback_profile(3).llm_threads == 3 and fallback_profile(3).ocr_engine == "auto"
    app = Appliance(make_settings(tmp_path))
    assert app.hardware is app.hardware and app.engines.registry.profile is app.hardware


def test_status_reports_every_engine_without_loading_any(tmp_path: Path) -> None:
    appliance = Appliance(make_settings(tmp_path))
    status = appliance.engine_status()
    assert [s.kind for s in status] == list(ENGINE_KINDS)
    assert all(s.ok and not s.loaded for s in status)
    by_kind = {s.kind: s for s in status}
    assert by_kind["llm"].name == appliance.settings.llm.engine
    assert by_kind["ner"].name == "none" and by_kind["diarizer"].name == "none"
    appliance.engines.set("llm", FakeLLM(name="fake-llm"))
    llm = {s.kind: s for s in appliance.engine_status()}["llm"]
    assert llm.loaded and llm.name == "fake-llm" and llm.as_dict()["ok"] is True
    loaded = {s.kind: s for s in appliance.engine_status(load=("embedder", "diarizer"))}
    assert loaded["embedder"].loaded and loaded["diarizer"].ok and not loaded["diarizer"].loaded  # none


def test_a_failed_load_is_reported_and_the_llm_degrades(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, search={"embedder": "e5", "embedder_model": "absent-model"},
                             llm={"engine": "llama-cpp", "model": "qwen2.5-coder-0.5b-instruct-q4_k_m"})
    app = open_appliance(settings)
    assert app.llm is None  # Ask answers extractively
    st = app.llm_status()
    assert st["ok"] is False and st["code"] == "llm.model_missing" and st["hint"]
    for _ in range(2):  # not cached: a provisioned model is picked up on the next use
        with pytest.raises(ModelError) as err:
            _ = app.embedder
        assert err.value.code == "models.unknown"
    by_kind = {s.kind: s for s in app.engine_status()}
    assert not by_kind["llm"].ok and by_kind["llm"].code == "llm.model_missing"
    assert not by_kind["embedder"].ok and by_kind["embedder"].code == "models.unknown"
    checks = {c.name: c for c in run_checks(app, Hardware(cpu_count=4, ram_gb=16, disk_free_gb=100))}
    assert checks["engine.llm"].level == "warning" and "llm.model_missing" in checks["engine.llm"].message
    assert checks["engine.transcriber"].ok and "first use" in checks["engine.transcriber"].message


def test_llm_disabled_status(tmp_path: Path) -> None:
    app = Appliance(make_settings(tmp_path, llm={"engine": "none"}))
    assert app.llm is None and app.llm_status()["code"] == "llm.disabled"
    with pytest.raises(ModelError) as err:
        app.engines.set("vision", None)
    assert err.value.code == "engine.unknown_kind" and "transcriber" in err.value.hint


class _SlowRegistry(Registry):
    built = 0

    def embedder(self) -> Any:
        type(self).built += 1
        time.sleep(0.05)
        return FakeEmbedder()


def test_threads_share_one_engine_built_once(tmp_path: Path) -> None:
    engines = Engines(EngineSettings(tmp_path, embedder="fake"), lambda: CPU, _SlowRegistry)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(engines.get("embedder"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _SlowRegistry.built == 1 and len(got) == 8 and all(g is got[0] for g in got)
