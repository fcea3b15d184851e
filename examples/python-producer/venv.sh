#!/usr/bin/env bash
# Makes (or reuses) a virtual environment with this example's pinned requirements and prints its python.
# Usage: venv.sh [dir]   (default: .temporal/python-producer under the project). Rerun: instant when current.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${1:-$(cd "$here/../.." && pwd)/.temporal/python-producer}
requirements=$here/requirements.txt
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null || [ ! -x "$venv/bin/python" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  # Written last: an interrupted install is redone on the next run.
  cp "$requirements" "$venv/requirements.txt"
fi
echo "$venv/bin/python"
