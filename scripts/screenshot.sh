#!/usr/bin/env bash
# Regenerates docs/render-8259B.png, the README's picture of `oscalc render`: the NISTIR 8259B
# baseline rendered by the debug build and shot by headless Chromium (Debian's `chromium`): the
# top of the page, its first group and controls. Usage: scripts/screenshot.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/render-8259B.png}"
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install chromium)" >&2; exit 2; }
cargo build --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
target/debug/oscalc render profiles/NIST_IR-8259B_non-technical_baseline_profile.json \
  -o "$work/8259B.html" --quiet --reproducible
# A fresh profile folder, nothing fetched, no first-run pages; the page itself loads nothing.
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
  --disable-component-update --disable-sync --disable-quic --hide-scrollbars \
  --user-data-dir="$work/profile" --window-size=960,1100 \
  --screenshot="$work/shot.png" "file://$work/8259B.html" 2>/dev/null
mv "$work/shot.png" "$out"
echo "wrote $out ($(stat -c %s "$out") bytes)"
