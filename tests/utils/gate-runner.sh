#!/usr/bin/env bash
# Gate: the demo playbook runs under ansible-runner, the engine AWX and Automation Controller run
# jobs with, the way a job template would: the built collection installed from its tarball into
# the job's own collections path, credentials and URLs only in environment variables (what an
# AWX credential type injects, see docs/awx.md), against a simulator seeded with demo data.
# The run's artifacts are what AWX records, so they are what is checked.
set -euo pipefail
# shellcheck source=tests/utils/gate-lib.sh
source "$(dirname "$0")/gate-lib.sh"

build_collection
# --force: a copy installed in a default collections path (molecule puts one in ~/.ansible) must not
# make ansible-galaxy skip this one.
ANSIBLE_COLLECTIONS_PATH="$work/job-collections" \
  ansible-galaxy collection install --offline --no-deps --force -p "$work/job-collections" "$tarball" >/dev/null

data="$work/runner"
mkdir -p "$data/project" "$data/inventory" "$data/env"
cp "$tree/playbooks/demo.yml" "$data/project/"
printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' "$(command -v python)" \
  >"$data/inventory/hosts"
cat >"$data/env/envvars" <<EOF
ANSIBLE_COLLECTIONS_PATH: $work/job-collections
ANSIBLE_NOCOLOR: "1"
ANSIBLE_LOCALHOST_WARNING: "false"
EOF
# Bounds, as AWX sets them on a job template: a hung run fails instead of blocking the gate.
cat >"$data/env/settings" <<'EOF'
job_timeout: 600
idle_timeout: 300
EOF

"$repo/tests/utils/with-simulator.sh" --seed demo -- \
  python "$repo/tests/utils/check_runner_artifacts.py" --run "$data" demo.yml
