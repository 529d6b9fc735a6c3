#!/usr/bin/env bash
# The supported range, tested: for each ansible-core series meta/runtime.yml promises (>= 2.16),
# a venv under .build/matrix/ (made once and reused) with that ansible-core and only
# requirements.txt, on a Python that series supports on the controller (series_python below):
#   2.16, 2.17, 2.18, 2.19: Python 3.11 (2.16 and 2.17 take 3.10 to 3.12, 2.18 and 2.19 3.11 to 3.13)
#   2.20: Python 3.12, 2.21: Python 3.13 (both need >= 3.12; each takes 3.12 to 3.14)
# then, with that venv's own tools:
#   - ansible-galaxy builds the collection and installs the tarball (what a user installs),
#   - ansible-doc renders every module, role and inventory plugin of it,
#   - each inventory plugin lists the hosts of playbooks/inventory/demo.NAME.yml,
#   - tests/smoke/smoke.yml runs against a simulator seeded with "demo": --check, real, rerun
#     (every role, every module the roles do not use; see that file for what it asserts).
# Any failed command, any line on ansible-doc's stderr that allowed_doc_stderr (below) does not
# name and any [WARNING] or [DEPRECATION WARNING] of a smoke run that allowed_warnings does not
# name fail the series. Every series runs even when an earlier one failed. A series whose Python
# is not found is not run and counts as failed ("NOT RUN"), saying where the script looked. On 2
# cores: about 2 minutes a series, and up to a minute more when its venv is made.
# Usage: tests/utils/version-matrix.sh [SERIES...]   (default: 2.16 2.17 2.18 2.19 2.20 2.21)
#        tests/utils/version-matrix.sh --pythons [SERIES...]   (only find each series' Python;
#        non-zero when one is missing: .ci/run checks this before the long run)
# Python 3.X is the first of these that runs as Python 3.X with venv and ensurepip:
#   - MATRIX_PYTHON_3_X if set (for 3.11 also MATRIX_PYTHON, as before); set but not a working
#     Python 3.X, it stops the script (exit 2) before any series runs,
#   - each python3.X on PATH (a pyenv shim with no 3.X version selected does not run and is passed over),
#   - ${PYENV_ROOT:-~/.pyenv}/versions/3.X*/bin/python3.X, the newest first,
#   - $(pyenv prefix V)/bin/python3.X for each version V of 3.X that `pyenv versions` lists.
# A venv is made again when its interpreter (path or version) changes.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
root=$PWD
only_pythons=false
if [ "${1:-}" = --pythons ]; then
  only_pythons=true
  shift
fi
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(2.16 2.17 2.18 2.19 2.20 2.21)

# The Python (3.X) a series runs on; nothing, and status 1, for a series this script does not know.
series_python() {
  case $1 in
    2.16 | 2.17 | 2.18 | 2.19) echo 3.11 ;;
    2.20) echo 3.12 ;;
    2.21) echo 3.13 ;;
    *) return 1 ;;
  esac
}

# "PATH VERSION" of the interpreter $1 runs (its sys.executable, not a shim's path) when it is a
# Python $2 that can make venvs with pip; nothing, and status 1, otherwise.
probe_python() {
  local out
  out=$("$1" -c '
import ensurepip, platform, sys, venv
if "%d.%d" % sys.version_info[:2] != sys.argv[1] or not sys.executable:
    sys.exit(1)
print(sys.executable, platform.python_version())' "$2" 2>/dev/null) && [ -n "$out" ] && echo "$out"
}

# Finds Python $1 (3.X) as the header says. Sets found_python ("PATH VERSION") or, when there is
# none, looked_in (where it looked). Exits 2 when an override names no working Python $1.
find_python() {
  local want=$1 var override cand pyenv_root v
  local -a cands=() looked=()
  found_python="" looked_in=""
  var=MATRIX_PYTHON_${want/./_}
  override=${!var:-}
  if [ -z "$override" ] && [ "$want" = 3.11 ]; then
    var=MATRIX_PYTHON
    override=${MATRIX_PYTHON:-}
  fi
  if [ -n "$override" ]; then
    found_python=$(probe_python "$override" "$want") && return 0
    echo "version-matrix: $var=$override is not a Python $want interpreter with venv and ensurepip" >&2
    exit 2
  fi
  mapfile -t cands < <(type -P -a "python$want")
  looked+=("python$want on PATH${cands[*]:+ (${cands[*]}: none runs as a Python $want with venv and ensurepip)}")
  pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
  mapfile -t -O ${#cands[@]} cands < <(compgen -G "$pyenv_root/versions/$want*/bin/python$want" | sort -r -V)
  looked+=("$pyenv_root/versions/$want*/bin/python$want")
  if command -v pyenv >/dev/null; then
    while read -r v; do
      cands+=("$(pyenv prefix "$v" 2>/dev/null)/bin/python$want")
    done < <(pyenv versions --bare --skip-aliases 2>/dev/null | grep -E "^${want//./\\.}([.-][^/]*)?\$" | sort -r -V)
    looked+=("pyenv prefix of each $want version pyenv lists")
  else
    looked+=("no pyenv on PATH")
  fi
  for cand in "${cands[@]}"; do
    found_python=$(probe_python "$cand" "$want") && return 0
  done
  found_python=
  looked_in=$(printf '%s, ' "${looked[@]}")
  looked_in="${looked_in%, }; set MATRIX_PYTHON_${want/./_} to name one"
  return 1
}

# Each series' Python, found once per Python before any series runs (so that an override that is
# wrong stops the script at once): python_of[SERIES] is "PATH VERSION", or nothing with
# not_run_why[SERIES] saying why.
declare -A python_of=() not_run_why=() found=() missing=()
for v in "${series[@]}"; do
  if ! want=$(series_python "$v"); then
    not_run_why[$v]="this script does not know which Python ansible-core $v runs on (see series_python)"
    continue
  fi
  if [ -z "${found[$want]+set}" ]; then
    if find_python "$want"; then
      found[$want]=$found_python
    else
      found[$want]=
      missing[$want]=$looked_in
    fi
  fi
  if [ -n "${found[$want]}" ]; then
    python_of[$v]=${found[$want]}
  else
    not_run_why[$v]="no Python $want interpreter (looked in ${missing[$want]})"
  fi
done

if $only_pythons; then
  status=0
  for v in "${series[@]}"; do
    if [ -n "${python_of[$v]:-}" ]; then
      echo "ansible-core $v: Python ${python_of[$v]#* } (${python_of[$v]%% *})"
    else
      echo "ansible-core $v: NOT FOUND: ${not_run_why[$v]}"
      status=1
    fi
  done
  exit "$status"
fi

# The environment a user's shell would have; nothing of the development venv or of the checkout
# link: each series sees only the collection its own ansible-galaxy installed.
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS ANSIBLE_CONFIG VIRTUAL_ENV
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export PIP_DISABLE_PIP_VERSION_CHECK=1
# cryptography 51 deprecates DSA, and ansible-core 2.19 and later import it (ansible/_internal/_ssh/_ssh_agent.py)
# whatever they run, `ansible --version` included: that warning is ansible-core's, not a complaint
# about the collection.
export PYTHONWARNINGS="ignore:DSA is deprecated"

# One venv per series, made again when requirements.txt, the spec, its path (a venv's scripts
# name its path) or the interpreter (its path or version) changes, or when the venv's python no
# longer runs (its interpreter was removed).
make_venv() {
  local venv=$1 spec=$2 python=$3 version=$4 want
  want="$venv $spec $python $version $(sha256sum requirements.txt | cut -d' ' -f1)"
  if [ -x "$venv/bin/ansible" ] && [ "$(cat "$venv/.matrix-installed" 2>/dev/null)" = "$want" ] &&
    "$venv/bin/python" -c '' 2>/dev/null; then
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
  # ansible-core 2.16.20 deprecates a mapping for `action`, and its own role argument validation
  # (playbook/role/__init__.py, the validate_argument_spec task it adds to every role with
  # meta/argument_specs.yml) builds one: the warning is about ansible-core's task, not ours.
  "^\[DEPRECATION WARNING\]: Using a mapping for \`action\` is deprecated\. Use a string +value for \`action\`\. This feature will be removed in version 2\.23\."
  # The smoke deletes one backup twice: the second run is a success that names the absent backup.
  "^\[WARNING\]: backup bkp_[0-9a-z]{26} is not among the backups of VPS vps_[0-9a-z]{26}: nothing to delete \(it was deleted before, or the ID is not one of this VPS's backups\)\$"
)
# What ansible-doc may print on stderr, as extended regular expressions (whole lines), each with
# its reason; any other line fails the series.
allowed_doc_stderr=(
  # ansible-core 2.20 and 2.21: `ansible-doc -t role` looks for roles in every collection, its own
  # internal ansible._protomatter (shipped without MANIFEST.json or galaxy.yml) included, and warns
  # that it cannot tell that one's version (https://github.com/ansible/ansible/issues/85689). The
  # warning is about ansible-core's collection, printed whatever role is asked for.
  "^\[WARNING\]: Collection at '[^']*/site-packages/ansible/_internal/ansible_collections/ansible/_protomatter' does not have a MANIFEST\.json file, nor has it galaxy\.yml: cannot detect version\.\$"
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
  ansible-doc "${modules[@]/#/jobctl.cloud.}" >/dev/null 2>>"$doc_err" &&
    ansible-doc -t role "${roles[@]/#/jobctl.cloud.}" >/dev/null 2>>"$doc_err" &&
    { [ ${#inventories[@]} -eq 0 ] || ansible-doc -t inventory "${inventories[@]/#/jobctl.cloud.}" >/dev/null 2>>"$doc_err"; }
  local rc=$? complaints
  complaints=$(grep -v -E -f <(printf '%s\n' "${allowed_doc_stderr[@]}") "$doc_err")
  if [ "$rc" -ne 0 ] || [ -n "$complaints" ]; then
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
not_run=()
for v in "${series[@]}"; do
  dir=$root/.build/matrix/ansible-core-$v
  venv=$dir/venv
  echo
  if [ -z "${python_of[$v]:-}" ]; then
    echo "=== ansible-core $v: NOT RUN: ${not_run_why[$v]}"
    failed+=("$v")
    not_run+=("$v")
    continue
  fi
  python=${python_of[$v]%% *}
  version=${python_of[$v]#* }
  echo "=== ansible-core $v on Python $version ($python)"
  start=$SECONDS
  mkdir -p "$dir"
  if make_venv "$venv" "ansible-core~=$v.0" "$python" "$version" &&
    (PATH="$venv/bin:$PATH" PYTHON="$venv/bin/python" smoke "$dir"); then
    passed+=("$v")
    echo "=== ansible-core $v: ok ($((SECONDS - start)) s)"
  else
    failed+=("$v")
    echo "=== ansible-core $v: FAILED ($((SECONDS - start)) s)"
  fi
done

echo
echo "version-matrix: ${#passed[@]} passed, ${#failed[@]} failed${failed:+ (ansible-core ${failed[*]}${not_run:+; not run: ${not_run[*]}})}"
[ ${#failed[@]} -eq 0 ]
