#!/usr/bin/env bash
# Runs the hooks of .pre-commit-hooks.yaml with the real pre-commit (from PyPI, in a throwaway
# venv) on a scratch repository holding shipped OSCAL files, a broken catalog and a JSON file
# that is no OSCAL: `pre-commit try-repo` of this checkout, hook `oscalc-validate-system`, with
# the debug binary on PATH (the `rust` hook would build a release binary: not here).
#
#   scripts/pre-commit-test.sh        after `cargo build` (or `cargo test`)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
bin="$repo/target/debug"
[[ -x $bin/oscalc ]] || { echo "pre-commit-test: build first ($bin/oscalc is missing)" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q pre-commit
export PATH="$bin:$tmp/venv/bin:$PATH" PRE_COMMIT_HOME="$tmp/cache"

work="$tmp/work"
mkdir -p "$work/profiles" "$work/catalogs"
cp profiles/NIST_IR-8259A_core_baseline_profile.json "$work/profiles/"
cp catalogs/NIST_IoT_device_cybersecurity_capabilities_catalog.json "$work/catalogs/"
cp tests/cases/broken/json-duplicate-control-id/cat.json "$work/catalogs/broken-catalog.json"
echo '{"name": "not oscal"}' > "$work/package.json"
cd "$work"
git init -q
git add -A

passed=0
failed=0
check() { # NAME EXPECTED-EXIT EXPECTED-TEXT
  local code=0
  pre-commit try-repo "$repo" oscalc-validate-system --all-files > "$tmp/out" 2>&1 || code=$?
  if [[ $code == "$2" ]] && grep -qF -- "$3" "$tmp/out"; then
    echo "pre-commit: $1 ... ok"
    passed=$((passed + 1))
  else
    echo "pre-commit: $1 ... FAILED (exit $code, expected $2 and: $3)"
    cat "$tmp/out"
    failed=$((failed + 1))
  fi
}
# The broken catalog fails the commit, with its place; package.json is not picked.
check "a broken catalog fails with its place" 1 "catalogs/broken-catalog.json:9:12: error[ref-duplicate-id]: id \`c2\` is defined twice"
# The duplicate id, then OSCAL's constraint layer on that catalog: two controls without a
# statement, the two id indexes the duplicate breaks.
check "the profile, the catalog and the broken one are checked, package.json is not" 1 "checked 3 files: 5 errors, 0 warnings"
git rm -q --cached catalogs/broken-catalog.json
rm catalogs/broken-catalog.json
check "valid files pass" 0 "Passed"
echo "pre-commit: $passed passed, $failed failed"
[[ $failed == 0 ]]
