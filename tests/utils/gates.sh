#!/usr/bin/env bash
# The ecosystem gates: what Galaxy, docs.ansible.com, ansible-builder and AWX would make of the
# collection, each as one step. Every step runs even when an earlier one failed; the exit code
# is non-zero if any failed. Needs only the .venv made from requirements-dev.txt, and no network.
# Usage: tests/utils/gates.sh [STEP...]   (default: all; steps are named below)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
export PATH="$PWD/.venv/bin:$PATH"

declare -A commands=(
  [galaxy-importer]="tests/utils/gate-galaxy-importer.sh"
  [docs-lint]="tests/utils/gate-docs-lint.sh"
  [execution-environment]="tests/utils/gate-ee.sh"
  [ansible-runner]="tests/utils/gate-runner.sh"
  [changelog-lint]="antsibull-changelog lint"
  [docs-site]="docs/site/build.sh"
)
order=(galaxy-importer docs-lint execution-environment ansible-runner changelog-lint docs-site)
if [ $# -gt 0 ]; then
  order=("$@")
fi

passed=0
failed=0
failures=()
for name in "${order[@]}"; do
  command=${commands[$name]:-}
  if [ -z "$command" ]; then
    echo "unknown gate '$name'; gates: ${!commands[*]}" >&2
    exit 2
  fi
  echo
  echo "=== gate $name: $command"
  start=$SECONDS
  # shellcheck disable=SC2086 # each command is a script path plus fixed words
  if $command; then
    passed=$((passed + 1))
    echo "=== gate $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "=== gate $name: FAILED ($((SECONDS - start)) s)"
  fi
done

echo
if [ "$failed" -gt 0 ]; then
  echo "failed gates: ${failures[*]}"
fi
echo "gates: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
