"""The walls check themselves: CI's command runs import-linter, ruff and mypy (pinned) before the tests."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_setup_test_runs_the_lint_script_before_the_test_suite() -> None:
    setup = (ROOT / "ops" / "setup.sh").read_text("utf-8")
    branch = setup.split("\n  test)\n", 1)[1].split(";;", 1)[0]
    assert branch.index("bash ops/lint.sh") < branch.index("pytest")
    assert "set -euo pipefail" in setup  # so a failed check stops the run before the tests


def test_lint_script_runs_the_three_checks_and_fails_when_one_fails() -> None:
    script = ROOT / "ops" / "lint.sh"
    text = script.read_text("utf-8")
    for tool in ("tool lint-imports", "tool ruff)\" check", "tool mypy"):
        assert tool in text, tool
    assert "exit 1" in text
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0


def test_the_tools_are_pinned_and_mypy_checks_every_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    pins = {line.split("==")[0]: line for line in project["project"]["optional-dependencies"]["test"]}
    for tool in ("import-linter", "ruff", "mypy"):
        assert "==" in pins.get(tool, ""), tool
    mypy = project["tool"]["mypy"]
    assert set(mypy["packages"]) == set(project["tool"]["importlinter"]["root_packages"])
    assert mypy["disallow_untyped_defs"] and mypy["check_untyped_defs"]
    assert "ignore_missing_imports" not in mypy  # only per module, for libraries named one by one
