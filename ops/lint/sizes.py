"""Size budget: no module over 400 lines, no function over 60 lines.

Run from the repository root: `python ops/lint/sizes.py` prints each offender and exits 1 if
there is any. Only the stdlib, so CI can run it before anything else is installed.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGES = ("appliance", "models", "ingest", "webui", "ops", "hardware")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def python_files(root: Path) -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "node_modules" not in path.parts:
                yield path


def offenders(path: Path, root: Path) -> Iterator[str]:
    text = path.read_text("utf-8")
    name = path.relative_to(root).as_posix()
    lines = len(text.splitlines())
    if lines > MAX_MODULE_LINES:
        yield f"{name}: module has {lines} lines (max {MAX_MODULE_LINES})"
    for node in ast.walk(ast.parse(text, filename=name)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > MAX_FUNCTION_LINES:
                yield (
                    f"{name}:{node.lineno}: function {node.name} has {length} lines"
                    f" (max {MAX_FUNCTION_LINES})"
                )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path.cwd()
    found = [line for path in python_files(root) for line in offenders(path, root)]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
