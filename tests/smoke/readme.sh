#!/usr/bin/env bash
# README.md's "Try a module by hand" block, run as written in this checkout: it must list the
# demo VPS's backups and leave no simulator running. The block is the first ```bash block after
# the line `<!-- tests/smoke/readme.sh runs the next block as written -->`. It gets its own
# SIM_DIR, so a simulator started by hand with `make sim` is left alone.
set -euo pipefail
cd "$(dirname "$0")/../.." || exit 2
marker='<!-- tests/smoke/readme.sh runs the next block as written -->'
block=$(awk -v marker="$marker" '
  $0 == marker { found = 1; next }
  found && !inside && /^```bash$/ { inside = 1; next }
  inside && /^```$/ { exit }
  inside { print }
' README.md)
if [ -z "$block" ]; then
  echo "readme: no bash block after '$marker' in README.md" >&2
  exit 1
fi

# A user's shell: not inside make (make test runs this), so `make` prints what it would for them.
unset MAKELEVEL MAKEFLAGS MFLAGS ANSIBLE_COLLECTIONS_PATH
SIM_DIR=$(mktemp -d)
export SIM_DIR
cleanup() {
  tests/utils/sim.sh stop 2>/dev/null || true
  rm -rf "$SIM_DIR"
}
trap cleanup EXIT

echo "$block"
echo "---"
status=0
out=$(bash -e -c "$block" 2>&1) || status=$?
echo "$out"
echo "---"
problems=()
[ "$status" -eq 0 ] || problems+=("the block exited with $status")
grep -q '^localhost | SUCCESS => {' <<<"$out" || problems+=("the ad-hoc command did not succeed")
grep -q '"backups": \[' <<<"$out" || problems+=("the ad-hoc command listed no backups")
grep -q 'Stopped the API simulator' <<<"$out" || problems+=("make sim-stop stopped no simulator")
if [ -s "$SIM_DIR/pid" ]; then
  problems+=("a simulator pid file is left in $SIM_DIR")
fi
if [ ${#problems[@]} -gt 0 ]; then
  printf 'readme: %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "readme: the block ran as written"
