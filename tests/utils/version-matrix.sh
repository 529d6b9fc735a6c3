#!/usr/bin/env bash
# The supported range, tested: for each ansible-core series meta/runtime.yml promises (>= 2.16),
# a venv under .build/matrix/ (Python 3.11, made once and reused) with that ansible-core and only
# requirements.txt; then, with that venv's own tools:
#   - ansible-galaxy builds the collection and installs the tarball (what a user installs),
#   - ansible-doc renders every module, role and inventory plugin of it,
#   - each inventory plugin lists the hosts of playbooks/inventory/demo.NAME.yml,
#   - tests/smoke/smoke.yml runs against a simulator seeded with "demo": --check, real, rerun
#     (every role, every module the roles do not use; see that file for what it asserts).
# Any failed command, any output on ansible-doc's stderr and any [WARNING] or [DEPRECATION
# WARNING] of a smoke run that allowed_warnings (below) does not name fail the series. Every
# series runs even when an earlier one failed. On 2 cores: about 2.5 minutes with new venvs.
# Usage: tests/utils/version-matrix.sh [SERIES...]   (default: 2.16 2.17 2.18 2.19)
# MATRIX_PYTHON names the interpreter (default python3.11).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
root=$PWD
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(2.16 2.17 2.18 2.19)
python=${MATRIX_PYTHON:-python3.11}
if ! "$python" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
  echo "version-matrix: $python is not a Python 3.11 interpreter (set MATRIX_PYTHON)" >&2
  exit 2
fi

# The environment a user's shell would have; nothing of the development venv or of the checkout
# link: each series sees only the collection its own ansible-galaxy installed.
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS ANSIBLE_CONFIG VIRTUAL_ENV
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export PIP_DISABLE_PIP_VERSION_CHECK=1

# One venv per series, made again when requirements.txt, the spec or its path changes (a venv's
# scripts name its path).
make_venv() {
  local venv=$1 spec=$2 want
  want="$venv $spec $(sha256sum requirements.txt | cut -d' ' -f1)"
  if [ -x "$venv/bin/ansible" ] && [ "$(cat "$venv/.matrix-installed" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  rm -rf "$venv"
  "$python" -m venv "$venv" || return 1
  "$venv/bin/python" -m pip install --quiet --quiet "$spec" -r requirements.txt || return 1
  echo "$want" >"$venv/.matrix-installed"
}

# Warnings the smoke prints by design, as extended regular expressions, each with its reason.
# Any other [WARNING] or [DEPRECATION WARNING] fails the series: on a supported core a clean run
# prints none, and a core that warns about the collection is what this matrix is for.
allowed_warnings=(
  # The demo seed holds a backup whose createdAt is null: vps_backup_prune leaves it alone, saying so.
  'backup\(s\) left alone: .*createdAt is null'
)
# One pattern a line, for the shells the simulator runs the smoke in (arrays are not exported).
MATRIX_ALLOWED_WARNINGS=$(printf '%s\n' "${allowed_warnings[@]}")
export MATRIX_ALLOWED_WARNINGS

# The warnings in an output file, one per line (older cores wrap them at 79 columns), less the
# allowed ones.
unexpected_warnings() {
  awk '
    /^\[(DEPRECATION )?WARNING\]/ { if (w != "") print w; w = $0; next }
    w != "" && /^(\[|ok: |changed: |skipping: |fatal: |failed: |included: |TASK |PLAY |RUNNING |\{|$)/ { print w; w = "" }
    w != "" { w = w " " $0 }
    END { if (w != "") print w }
  ' "$1" | grep -v -E -f <(printf '%s\n' "${MATRIX_ALLOWED_WARNINGS:?}") || true
}

# ansible-playbook with the series' venv first on PATH. A failed run shows its whole output, a
# clean one its recap line; a warning that is not allowed fails it.
run_playbook() {
  local log=$1 warnings
  shift
  echo "ansible-playbook $*"
  if ! ansible-playbook "$@" >"$log" 2>&1; then
    cat "$log"
    return 1
  fi
  warnings=$(unexpected_warnings "$log")
  if [ -n "$warnings" ]; then
    echo "$warnings"
    echo "version-matrix: the run printed the warnings above (whole output: $log)" >&2
    return 1
  fi
  grep -E '^localhost +:' "$log" | tail -n 1
}

# ansible-inventory --list on an inventory source; it must list hosts and print no warning.
run_inventory() {
  local log=$1 source=$2 warnings
  echo "ansible-inventory -i $source --list"
  if ! ansible-inventory -i "$source" --list >"$log.json" 2>"$log"; then
    cat "$log"
    return 1
  fi
  warnings=$(unexpected_warnings "$log")
  if [ -n "$warnings" ]; then
    echo "$warnings"
    echo "version-matrix: ansible-inventory printed the warnings above" >&2
    return 1
  fi
  python -c '
import json, sys
hosts = json.load(open(sys.argv[1]))["_meta"]["hostvars"]
print("%d hosts: %s" % (len(hosts), ", ".join(sorted(hosts))))
sys.exit(0 if hosts else 1)' "$log.json"
}

# Everything one series runs, with its venv first on PATH.
smoke() {
  local dir=$1
  local log=$dir/log tarball doc_err name modules roles inventories=() sources=()
  rm -rf "$dir/dist" "$dir/collections" "$dir/state"
  mkdir -p "$dir/dist" "$dir/state"
  ansible --version | sed -n 1p
  ansible-galaxy collection build --output-path "$dir/dist" . >"$log" 2>&1 || { cat "$log"; return 1; }
  tarball=$(ls "$dir"/dist/jobctl-cloud-*.tar.gz)
  ansible-galaxy collection install --force "$tarball" -p "$dir/collections" >"$log" 2>&1 || { cat "$log"; return 1; }
  export ANSIBLE_COLLECTIONS_PATH="$dir/collections"
  echo "installed $(basename "$tarball") into $ANSIBLE_COLLECTIONS_PATH"

  mapfile -t modules < <(find plugins/modules -name '[a-z]*.py' -printf '%f\n' | sed 's/\.py$//' | sort)
  mapfile -t roles < <(find roles -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
  if [ -d plugins/inventory ]; then
    mapfile -t inventories < <(find plugins/inventory -name '[a-z]*.py' -printf '%f\n' | sed 's/\.py$//' | sort)
  fi
  # Each inventory plugin has a demo source for the simulator: playbooks/inventory/demo.NAME.yml.
  for name in "${inventories[@]}"; do
    [ -f "playbooks/inventory/demo.$name.yml" ] || {
      echo "version-matrix: the $name inventory plugin has no playbooks/inventory/demo.$name.yml to smoke" >&2
      return 1
    }
    sources+=("playbooks/inventory/demo.$name.yml")
  done
  doc_err=$dir/doc.err
  : >"$doc_err"
  # cryptography 51 deprecates DSA, and ansible-core 2.19 imports it (ansible/_internal/_ssh/_ssh_agent.py)
  # whatever it runs: that warning is ansible-core's, not a complaint about our documentation.
  export PYTHONWARNINGS="ignore:DSA is deprecated"
  ansible-doc "${modules[@]/#/jobctl.cloud.}" >/dev/null 2>>"$doc_err" &&
    ansible-doc -t role "${roles[@]/#/jobctl.cloud.}" >/dev/null 2>>"$doc_err" &&
    { [ ${#inventories[@]} -eq 0 ] || ansible-doc -t inventory "${inventories[@]/#/jobctl.cloud.}" >/dev/null 2>>"$doc_err"; }
  local rc=$?
  if [ "$rc" -ne 0 ] || [ -s "$doc_err" ]; then
    cat "$doc_err"
    echo "version-matrix: ansible-doc failed or complained" >&2
    return 1
  fi
  echo "ansible-doc renders ${#modules[@]} modules, ${#roles[@]} roles, ${#inventories[@]} inventory plugins"

  # shellcheck disable=SC2016 # the inner script expands its own arguments
  tests/utils/with-simulator.sh --seed demo -- bash -c '
    set -e
    dir=$1
    shift
    for source in "$@"; do
      run_inventory "$dir/$(basename "$source" .yml)" "$source"
    done
    run_playbook "$dir/check.log" --check tests/smoke/smoke.yml -e "smoke_state=$dir/state"
    run_playbook "$dir/real.log" tests/smoke/smoke.yml -e "smoke_state=$dir/state"
    run_playbook "$dir/rerun.log" tests/smoke/smoke.yml -e "smoke_state=$dir/state" -e smoke_rerun=true
  ' _ "$dir" "${sources[@]}"
}
export -f run_playbook run_inventory unexpected_warnings

passed=()
failed=()
for v in "${series[@]}"; do
  dir=$root/.build/matrix/ansible-core-$v
  venv=$dir/venv
  echo
  echo "=== ansible-core $v"
  start=$SECONDS
  mkdir -p "$dir"
  if make_venv "$venv" "ansible-core~=$v.0" &&
    (PATH="$venv/bin:$PATH" PYTHON="$venv/bin/python" smoke "$dir"); then
    passed+=("$v")
    echo "=== ansible-core $v: ok ($((SECONDS - start)) s)"
  else
    failed+=("$v")
    echo "=== ansible-core $v: FAILED ($((SECONDS - start)) s)"
  fi
done

echo
echo "version-matrix: ${#passed[@]} passed, ${#failed[@]} failed${failed:+ (ansible-core ${failed[*]})}"
[ ${#failed[@]} -eq 0 ]
