#!/usr/bin/env bash
# The README's test command (make test) runs this: every suite and gate, each as one step.
# Every step runs even when an earlier one failed; the exit code is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
export PATH="$PWD/.venv/bin:$PATH"
passed=0
failed=0
failures=()
step() {
  local name=$1
  shift
  echo
  echo "=== $name: $*"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "=== $name: FAILED ($((SECONDS - start)) s)"
  fi
}

step pytest python -m pytest -q -n 3 --dist loadfile tests/unit tests/integration
step sanity tests/utils/sanity.sh
step molecule tests/utils/molecule.sh
step ansible-lint ansible-lint
step gates tests/utils/gates.sh
step readme tests/smoke/readme.sh
step version-matrix tests/utils/version-matrix.sh

echo
if [ "$failed" -gt 0 ]; then
  echo "failed steps: ${failures[*]}"
fi
echo "steps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
