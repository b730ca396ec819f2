#!/usr/bin/env bash
# oscalc beside NIST's reference XSLT and compliance-trestle, in one hyperfine run so that the
# machine's noise falls on all of them alike: SP 800-53 rev5 HIGH, whole process, XML→XML against
# the XSLT and JSON→JSON against trestle; then the maximum resident set size of each oscalc run
# against the bytes it reads (profile + catalog).
# Needs ../shared/tools (the peers; `setup-peers.sh` installs them into a venv), hyperfine and
# GNU time. Usage: scripts/bench-peers.sh [BINARY] (default: this checkout built with the
# `dist` profile, as published).
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$(cd .. && pwd)/shared/tools"
[[ -d $tools ]] || { echo "bench-peers: $tools not found" >&2; exit 2; }
# shellcheck disable=SC1091
. "$tools/setup-peers.sh"

bin="${1:-}"
if [[ -z $bin ]]; then
  cargo build --profile dist --quiet
  bin="$PWD/target/dist/oscalc"
fi
rev5="$PWD/benches/data/rev5"
p5() { echo "$rev5/NIST_SP-800-53_rev5_HIGH-baseline_profile.$1"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

hyperfine -N --warmup 2 --runs "${RUNS:-10}" --export-json "$out/times.json" \
  -n xslt-xml "nist-xslt-resolve $(p5 xml) $out/xslt.xml" \
  -n oscalc-xml "$bin resolve -q $(p5 xml) -o $out/oscalc.xml" \
  -n trestle-json "trestle-resolve $(p5 json) $out/trestle.json" \
  -n oscalc-json "$bin resolve -q $(p5 json) -o $out/oscalc.json" >&2

python3 - "$out/times.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
def row(ours, peer):
    a, b = r[ours], r[peer]
    print(f"| {ours} / {peer} | {a['mean']*1000:.1f} ms ± {a['stddev']*1000:.1f} "
          f"| {b['mean']*1000:.0f} ms ± {b['stddev']*1000:.0f} | {a['mean']/b['mean']:.3f} "
          f"| {a['median']/b['median']:.3f} |")
print("| pair | oscalc | peer | ratio of means | ratio of medians |")
print("| --- | --- | --- | --- | --- |")
row("oscalc-xml", "xslt-xml")
row("oscalc-json", "trestle-json")
EOF

echo
echo "| run | input bytes | max RSS | RSS / input |"
echo "| --- | --- | --- | --- |"
for f in json xml; do
  bytes=$(( $(stat -c %s "$(p5 $f)") + $(stat -c %s "$rev5/NIST_SP-800-53_rev5_catalog.$f") ))
  kib=$(/usr/bin/time -f %M "$bin" resolve -q "$(p5 $f)" -o "$out/rss.$f" 2>&1 >/dev/null | tail -1)
  python3 -c "print(f'| rev5 HIGH {\"$f\"} | {$bytes:,} | {$kib/1024:.1f} MiB | {$kib*1024/$bytes:.2f}x |')"
done
