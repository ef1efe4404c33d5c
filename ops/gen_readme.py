"""Regenerate the README sections that come from code: CLI help, settings table, model catalog.

    python ops/gen_readme.py          rewrite README.md in place
    python ops/gen_readme.py --check  exit 1 when README.md is out of date (the test suite does this)

A generated section sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
HELP_WIDTH = "100"


def _subparsers(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                out.append((name, helps.get(name, ""), sub))
    return out


def _help(parser: argparse.ArgumentParser) -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH  # argparse wraps to the terminal: make it the same everywhere
    try:
        return parser.format_help().rstrip()
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def cli_section() -> str:
    from ops.cli import build_parser

    parser = build_parser()
    parser.prog = "belfort"
    lines = ["| command | what it does |", "|---|---|"]
    blocks = [f"```text\n$ belfort --help\n{_help(parser)}\n```"]

    def walk(prefix: str, p: argparse.ArgumentParser) -> None:
        for name, text, sub in _subparsers(p):
            full = f"{prefix} {name}"
            lines.append(f"| `{full}` | {text.replace('%%', '%').replace('|', '/')} |")
            sub.prog = full
            blocks.append(f"```text\n$ {full} --help\n{_help(sub)}\n```")
            walk(full, sub)

    walk("belfort", parser)
    return "\n".join(lines) + "\n\n<details><summary>Full help of every command</summary>\n\n" + \
        "\n\n".join(blocks) + "\n\n</details>"


def settings_section() -> str:
    from appliance.settings import settings_table

    lines = ["| key | default | description |", "|---|---|---|"]
    for key, default, description in settings_table():
        lines.append(f"| `{key}` | `{default}` | {description.replace('|', '/')} |")
    return "\n".join(lines)


def models_section() -> str:
    from models.catalog import load_catalog

    lines = ["| name | kind | engine | installed by | size | licence | languages | source |",
             "|---|---|---|---|---:|---|---|---|"]
    from hardware.profile import LARGE_LLM_MIN_GB

    llm_roles = {"1.5b": f"default with ≥ {LARGE_LLM_MIN_GB:g} GB free for the LLM",
                 "0.5b": f"default with < {LARGE_LLM_MIN_GB:g} GB free for the LLM"}
    for e in load_catalog().values():
        role = "default" if e.default else ("tests" if e.fixture else "on request")
        role = llm_roles.get(e.llm_size, role) if e.default else role
        lines.append(f"| `{e.name}` | {e.kind} | {e.engine} | {role} | {e.size / 1e6:.0f} MB | {e.licence} "
                     f"| {', '.join(e.languages)} | {e.source} |")
    return "\n".join(lines)


SECTIONS: dict[str, Callable[[], str]] = {
    "cli": cli_section,
    "settings": settings_section,
    "models": models_section,
}


def _filled(body: str, m: re.Match[str]) -> str:
    return m.group(1) + body + "\n" + m.group(2)


def render(text: str) -> str:
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no <!-- generated:{name} --> section")
        text = pattern.sub(partial(_filled, make()), text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 when README.md is out of date")
    args = parser.parse_args(argv)
    current = README.read_text("utf-8")
    fresh = render(current)
    if args.check:
        if fresh != current:
            print("README.md is out of date: run `python ops/gen_readme.py`", file=sys.stderr)
            return 1
        return 0
    if fresh != current:
        README.write_text(fresh, "utf-8")
        print("README.md updated")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(README.parent))
    sys.exit(main())
