"""The size budget checker (ops/lint/sizes.py): modules over 400 lines, functions over 60."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sizes_checker", ROOT / "ops" / "lint" / "sizes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def function(name: str, body_lines: int) -> str:
    return f"def {name}() -> None:\n" + "    x = 1\n" * (body_lines - 1) + "\n\n"


def test_a_long_module_and_a_long_function_are_reported(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    sizes = load_checker()
    (tmp_path / "appliance").mkdir()
    (tmp_path / "appliance" / "big.py").write_text("x = 1\n" * 401)
    (tmp_path / "ingest").mkdir()
    (tmp_path / "ingest" / "long.py").write_text(function("fine", 60) + function("too_long", 61))
    assert sizes.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == ["appliance/big.py: module has 401 lines (max 400)",
                   "ingest/long.py:63: function too_long has 61 lines (max 60)"]


def test_decorators_count_and_a_small_tree_passes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    sizes = load_checker()
    (tmp_path / "webui").mkdir()
    (tmp_path / "webui" / "ok.py").write_text(function("fine", 60))
    assert sizes.main([str(tmp_path)]) == 0
    (tmp_path / "webui" / "ok.py").write_text("@staticmethod\n" + function("decorated", 60))
    assert sizes.main([str(tmp_path)]) == 1
    assert "function decorated has 61 lines" in capsys.readouterr().out


def test_other_folders_are_not_checked(tmp_path: Path) -> None:
    sizes = load_checker()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "big.py").write_text("x = 1\n" * 500)
    assert sizes.main([str(tmp_path)]) == 0
