#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run them.
# Used by the README's test command and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# The browser test drives Debian's Chromium (browser downloads are not reachable).
if ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium
fi
# The print test reads Chromium's PDF back with pdftotext and pdfinfo (Debian's poppler-utils).
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdfinfo >/dev/null 2>&1; then
  apt_install poppler-utils
fi
# The packaging test builds the wheel (pip fetches hatchling) and installs it into a fresh
# virtual environment: it needs the venv module with ensurepip (Debian's python3-venv).
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  apt_install python3-venv
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
# Pin the notebook kernel to this interpreter (the one with needs installed).
python3 -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (needs)" >/dev/null
python3 -m ruff check needs tests
python3 -m pytest "$@"
