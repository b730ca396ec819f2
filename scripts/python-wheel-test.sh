#!/usr/bin/env bash
# Type-checks the Python package against its stubs (mypy --strict), builds the wheel (dev
# profile: quick, stripped; published wheels use dist), installs it into a fresh venv that has
# nothing else, and runs python/tests there: the `oscalc` command the wheel carries and the
# bindings, on the shipped profiles. Needs python3 with venv and pip (maturin and mypy come from
# PyPI into a throwaway venv).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/build"
"$tmp/build/bin/pip" install -q 'maturin>=1.9,<2' mypy
# The package and its tests type-check against the stubs of the extension module.
(cd python && "$tmp/build/bin/mypy" --strict --cache-dir "$tmp/mypy" oscalc tests/test_oscalc.py)
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
