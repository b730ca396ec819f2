#!/usr/bin/env bash
# Builds oscalc's Python wheel into target/wheels: the `oscalc` binary (placed where pyproject's
# `tool.maturin.data` takes it, so the wheel installs it as a command, as ruff's do) and the
# bindings (`import oscalc`, feature `python`), with one Cargo profile for both.
#
#   scripts/build-wheel.sh [PROFILE]     PROFILE: dist (default, published wheels), release, dev
#
# The wheel goes to $OSCALC_WHEEL_DIR (default target/wheels). Both the binary and the module are
# stripped of debug information. Needs maturin on PATH (`pip install maturin`).
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-dist}"
case "$profile" in
  dev) out=target/debug ;;
  *) out="target/$profile" ;;
esac
cargo build --locked --profile "$profile" --bin oscalc
rm -rf target/wheel-data
mkdir -p target/wheel-data/scripts
install -m 0755 "$out/oscalc" target/wheel-data/scripts/oscalc
strip target/wheel-data/scripts/oscalc
maturin build --locked --strip --profile "$profile" --out "${OSCALC_WHEEL_DIR:-target/wheels}"
