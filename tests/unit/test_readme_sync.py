"""The README's generated sections (CLI help, settings, models) match the code, and its set-up is two commands."""

from __future__ import annotations

import re

from ops.gen_readme import README, render


def test_readme_generated_sections_are_up_to_date() -> None:
    current = README.read_text("utf-8")
    assert render(current) == current, "README.md is out of date: run `python ops/gen_readme.py`"


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    text = README.read_text("utf-8")
    setup = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", setup, re.DOTALL)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["./ops/setup.sh start", "./ops/setup.sh test"]
    ci = (README.parent / ".ci" / "run").read_text("utf-8")
    assert "ops/setup.sh test" in ci


def test_readme_lists_every_catalog_model_and_command() -> None:
    from models.catalog import load_catalog

    text = README.read_text("utf-8")
    for name in load_catalog():
        assert f"`{name}`" in text
    for command in ("belfort up", "belfort doctor", "belfort models install-defaults", "belfort models import"):
        assert f"`{command}`" in text


def test_setup_script_and_containerfile_build_llama_portable() -> None:
    import subprocess

    setup = README.parent / "ops" / "setup.sh"
    assert subprocess.run(["bash", "-n", str(setup)], check=False).returncode == 0
    for path in (setup, README.parent / "Containerfile"):
        text = path.read_text("utf-8")
        assert "-DGGML_NATIVE=OFF" in text, path
        assert 'torch==2.13.0' in text, path  # the CPU build pinned before anything pulls CUDA's
    container = (README.parent / "Containerfile").read_text("utf-8")
    assert 'CMD ["belfort", "up"]' in container and "/api/v1/health" in container
