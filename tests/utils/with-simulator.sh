#!/usr/bin/env bash
# Run a command beside a freshly started API simulator, with every module's environment variables
# pointing at it. Usage: tests/utils/with-simulator.sh [--seed demo|empty] -- COMMAND [ARGS...]
# `tests/utils/with-simulator.sh --print-env URL` prints those variables as `export` lines for a
# simulator at URL (tests/utils/sim.sh uses it, so the list lives only here).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)

# The simulator's base paths and its default accounts' credentials, as each module reads them.
simulator_env() {
  local base=$1
  printf 'export %s=%q\n' \
    JOBCTL_SIM_URL "$base" \
    HOSTUP_API_URL "$base/hostup/api/v2" \
    HOSTUP_API_KEY hostup-test-key \
    CF_API_URL "$base/cf" \
    CF_USERNAME admin \
    CF_PASSWORD admin-secret \
    VSP_API_URL "$base/vsp/mapi" \
    VSP_TOKEN_URL "$base/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token" \
    VSP_USERNAME vsp-admin \
    VSP_PASSWORD vsp-secret \
    BIGCHANGE_API_URL "$base/bigchange/v1" \
    BIGCHANGE_TOKEN_URL "$base/bigchange/auth/tokens" \
    BIGCHANGE_CUSTOMER_ID 1001 \
    BIGCHANGE_CLIENT_ID bigchange-client \
    BIGCHANGE_CLIENT_SECRET bigchange-secret
}

seed=empty
while [ $# -gt 0 ]; do
  case "$1" in
    --print-env) simulator_env "$2"; exit 0 ;;
    --seed) seed=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
python=${PYTHON:-$here/.venv/bin/python}
state=$(mktemp -d)
cleanup() {
  if [ -n "${sim_pid:-}" ] && kill -0 "$sim_pid" 2>/dev/null; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  rm -rf "$state"
}
trap cleanup EXIT
PYTHONPATH="$here/tests" "$python" -m simulator --port 0 --seed "$seed" --port-file "$state/port" >"$state/log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do
  [ -s "$state/port" ] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$state/log" >&2; echo "the simulator did not start" >&2; exit 1; }
  sleep 0.1
done
[ -s "$state/port" ] || { echo "the simulator did not start within 10 s" >&2; exit 1; }
eval "$(simulator_env "http://127.0.0.1:$(cat "$state/port")")"
"$@"
