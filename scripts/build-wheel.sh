#!/usr/bin/env bash
# Builds oscalc's Python wheel into target/wheels: the `oscalc` binary (placed in the package as
# `oscalc/_bin/oscalc` for the build, which the wheel's `oscalc` command runs) and the bindings
# (`import oscalc`, feature `python`), with one Cargo profile for both.
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
# In the package for this build only: a later `pip install .` must not pick up a stale binary.
trap 'rm -rf python/oscalc/_bin' EXIT
mkdir -p python/oscalc/_bin
install -m 0755 "$out/oscalc" python/oscalc/_bin/oscalc
strip python/oscalc/_bin/oscalc
maturin build --locked --strip --profile "$profile" --out "${OSCALC_WHEEL_DIR:-target/wheels}"
