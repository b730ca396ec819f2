#!/usr/bin/env bash
# Builds the Python wheel (dev profile: quick, stripped; published wheels use dist), installs it
# into a fresh venv that has nothing else, and runs python/tests there: the `oscalc` command the
# wheel carries and the bindings, on the shipped profiles. Needs python3 with venv and pip
# (maturin comes from PyPI into a throwaway venv).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/build"
"$tmp/build/bin/pip" install -q 'maturin>=1.9,<2'
PATH="$tmp/build/bin:$PATH" OSCALC_WHEEL_DIR="$tmp/wheels" scripts/build-wheel.sh dev
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --no-index "$tmp"/wheels/oscalc-*.whl
# From the repository root (the tests read the shipped profiles), with the checkout's python/
# folder not importable: only the installed wheel is tested.
"$tmp/venv/bin/python" -I -B -m unittest discover -s python/tests -t python/tests -v 2> "$tmp/log" || {
  cat "$tmp/log"
  exit 1
}
cat "$tmp/log"
# The plain closing line CI reads.
ran="$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' "$tmp/log")"
echo "python: ${ran:-0} passed, 0 failed"
