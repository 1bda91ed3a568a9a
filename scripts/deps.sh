#!/usr/bin/env bash
# Install what is missing: the Python virtualenv (.venv) and node_modules (npm ci).
# Serialised with flock so two builds started together do not run npm ci over each other.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>.deps.lock
flock 9
command -v python3 >/dev/null || { echo "python3 (3.10 이상)이 필요합니다 / python3 is required"; exit 1; }
command -v npm >/dev/null || { echo "Node.js와 npm이 필요합니다 (Debian: apt-get install nodejs npm) / npm is required"; exit 1; }
if [ ! -f .venv/.installed ] || [ requirements.txt -nt .venv/.installed ] || [ code/pyproject.toml -nt .venv/.installed ]; then
  test -x .venv/bin/python || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet -r requirements.txt
  touch .venv/.installed
fi
if [ ! -f node_modules/.installed ] || [ package-lock.json -nt node_modules/.installed ]; then
  npm ci --no-audit --no-fund --ignore-scripts
  touch node_modules/.installed
fi
