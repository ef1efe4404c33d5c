#!/usr/bin/env bash
# The walls that check themselves, the same for a developer and for CI (`ops/setup.sh test` runs this
# before the tests): import contracts (import-linter), lint (ruff), types (mypy), all configured in
# pyproject.toml, and sizes (ops/lint/sizes.py: no module over 400 lines, no function over 60).
# Each runs even when an earlier one failed; the script fails when any of them did.
#
#   bash ops/lint.sh
#
# The tools come from .venv/bin (pinned in the `test` extra), else from PATH.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

tool() {
  if [ -x "$ROOT/.venv/bin/$1" ]; then echo "$ROOT/.venv/bin/$1"; else command -v "$1" || echo "$1"; fi
}

failed=()
check() {
  local name="$1"; shift
  printf '\n--> %s\n' "$name"
  "$@" || failed+=("$name")
}

check "import contracts (lint-imports)" "$(tool lint-imports)" --no-cache
check "lint (ruff check .)" "$(tool ruff)" check --output-format concise .
check "types (mypy)" "$(tool mypy)"
check "sizes (modules <= 400 lines, functions <= 60)" "$(tool python)" -m ops.lint.sizes

if [ ${#failed[@]} -gt 0 ]; then
  printf '\nlint failed: %s\n' "${failed[*]}" >&2
  exit 1
fi
printf '\nlint: import contracts, ruff, mypy and sizes pass\n'
