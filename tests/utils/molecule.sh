#!/usr/bin/env bash
# Run `molecule test` for every scenario under extensions/molecule/ (or only those named as
# arguments), each in its own ephemeral directory under .build/molecule/ and within
# MOLECULE_SCENARIO_TIMEOUT seconds (default 600). Every scenario runs even when an earlier one
# failed; the exit code is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
root=$PWD
export PATH="$root/.venv/bin:$PATH"
limit=${MOLECULE_SCENARIO_TIMEOUT:-600}

# The scenarios use the checkout as the collection, through the same link `make link` creates.
link=.build/collections/ansible_collections/jobctl/cloud
mkdir -p "$(dirname "$link")"
[ -L "$link" ] || ln -s "$root" "$link"

if [ $# -gt 0 ]; then
  scenarios=("$@")
else
  mapfile -t scenarios < <(find extensions/molecule -mindepth 2 -name molecule.yml -printf '%h\n' |
    sed 's|^extensions/molecule/||' | sort)
fi
if [ ${#scenarios[@]} -eq 0 ]; then
  echo "no molecule scenarios found under extensions/molecule/" >&2
  exit 1
fi

failed=()
for scenario in "${scenarios[@]}"; do
  # Its own ephemeral directory: molecule's default is shared by every checkout with this name.
  export MOLECULE_EPHEMERAL_DIRECTORY="$root/.build/molecule/$scenario"
  echo
  echo "=== molecule test -s $scenario"
  start=$SECONDS
  timeout --kill-after=15 "$limit" molecule test -s "$scenario"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "=== $scenario: ok ($((SECONDS - start)) s)"
    continue
  fi
  failed+=("$scenario")
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "=== $scenario: timed out after $limit s; stopping its simulator"
    timeout 60 molecule destroy -s "$scenario" >/dev/null 2>&1 || true
  fi
  echo "=== $scenario: FAILED (exit $rc, $((SECONDS - start)) s)"
done

echo
echo "molecule: $((${#scenarios[@]} - ${#failed[@]})) of ${#scenarios[@]} scenarios passed${failed:+; failed: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
