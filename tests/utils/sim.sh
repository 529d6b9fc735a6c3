#!/usr/bin/env bash
# The API simulator for trying the collection by hand (make sim, make sim-stop, make shell).
#   tests/utils/sim.sh start [--seed demo|empty]  start it in the background (or find it running) and
#                                                 print the `export` lines for this checkout: the venv,
#                                                 the collection path and every module's variables.
#                                                 Use it as: eval "$(make sim)"
#   tests/utils/sim.sh env [--seed demo|empty]    the same, but print only the simulator's variables (each
#                                                 API's URL and test credentials), for trying a copy of
#                                                 the collection installed elsewhere: eval "$(make sim-env)"
#   tests/utils/sim.sh stop                       stop the one `start` started
#   tests/utils/sim.sh shell [--seed demo|empty]  an interactive bash with all of that; the simulator
#                                                 stops when the shell exits
# Only the `export` lines go to standard output (so that eval works); everything else goes to
# standard error. The simulator listens on 127.0.0.1 only. SIM_DIR (default .build/sim) holds its
# pid, port and log; VENV (default .venv) is the venv whose ansible the exports put first on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${VENV:-.venv}
case "$venv" in /*) ;; *) venv="$root/$venv" ;; esac
dir=${SIM_DIR:-$root/.build/sim}
python="$venv/bin/python"

command=${1:-}
[ $# -gt 0 ] && shift
seed=demo
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# The pid in $dir/pid, if that process is still our simulator (a stale file may name another one).
running_pid() {
  local pid
  pid=$(cat "$dir/pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-m simulator " || return 1
  echo "$pid"
}

# What a shell needs to run this checkout's collection by hand, besides the simulator's variables.
checkout_env() {
  # shellcheck disable=SC2016 # $PATH is for the shell that evaluates the line
  printf 'export PATH=%q:"$PATH"\n' "$venv/bin"
  printf 'export %s=%q\n' \
    ANSIBLE_COLLECTIONS_PATH "$root/.build/collections" \
    ANSIBLE_LOCALHOST_WARNING false \
    ANSIBLE_INVENTORY_UNPARSED_WARNING false
}

start() {
  local pid base what=${1:-start}
  mkdir -p "$dir"
  if pid=$(running_pid); then
    echo "# The API simulator is already running (pid $pid)." >&2
  else
    rm -f "$dir/port"
    # Its own session and no terminal: it outlives `make` and the shell's job control.
    PYTHONPATH="$root/tests" setsid "$python" -m simulator --port 0 --seed "$seed" --port-file "$dir/port" \
      </dev/null >"$dir/log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    for _ in $(seq 1 100); do
      [ -s "$dir/port" ] && break
      kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; echo "the simulator did not start" >&2; exit 1; }
      sleep 0.1
    done
    [ -s "$dir/port" ] || { kill "$pid"; echo "the simulator did not start within 10 s" >&2; exit 1; }
    echo "# Started the API simulator (seed $seed, pid $pid, log $dir/log)." >&2
  fi
  base="http://127.0.0.1:$(cat "$dir/port")"
  {
    checkout_env
    "$root/tests/utils/with-simulator.sh" --print-env "$base"
  } >"$dir/env"
  if [ "$what" = env ]; then
    "$root/tests/utils/with-simulator.sh" --print-env "$base"
  else
    cat "$dir/env"
  fi
  echo "# It serves all four APIs at $base; these exports are also in $dir/env." >&2
  echo "# Stop it with: make sim-stop" >&2
}

stop() {
  local pid
  if pid=$(running_pid); then
    kill "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    echo "Stopped the API simulator (pid $pid)." >&2
  else
    echo "No API simulator was running from $dir." >&2
  fi
  rm -f "$dir/pid" "$dir/port" "$dir/env"
}

shell() {
  rcfile=$(mktemp)
  trap 'rm -f "$rcfile"' EXIT
  cat >"$rcfile" <<RC
[ -f ~/.bashrc ] && . ~/.bashrc
$(checkout_env)
PS1="(jobctl.cloud simulator) \${PS1-\\\$ }"
echo "A shell with this checkout's ansible, the collection and a simulator (seed $seed) at \$JOBCTL_SIM_URL."
[ "$seed" != demo ] || echo "Try: ansible localhost -m jobctl.cloud.vps_backup_info -a vps_id=vps_01xfbrgkaszb348ctxpxr152jr"
echo "exit stops the simulator."
RC
  # The shell's exit status is that of the last command typed there, not a failure of make.
  PYTHON="$python" "$root/tests/utils/with-simulator.sh" --seed "$seed" -- bash --rcfile "$rcfile" -i || true
}

case "$command" in
  start) start ;;
  env) start env ;;
  stop) stop ;;
  shell) shell ;;
  *) echo "usage: $0 start|env|stop|shell [--seed demo|empty]" >&2; exit 2 ;;
esac
