#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run them.
# Used by the README's test command and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser test drives Debian's Chromium (browser downloads are not reachable).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
# Pin the notebook kernel to this interpreter (the one with needs installed).
python3 -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (needs)" >/dev/null
python3 -m ruff check needs tests
python3 -m pytest "$@"
