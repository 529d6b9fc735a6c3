#!/usr/bin/env bash
# Gate: ansible-builder accepts meta/execution-environment.yml, in both of its roles.
# 1. `ansible-builder create` (no container engine here, so no build) makes a build context that
#    carries our requirements.txt and bindep.txt unchanged, on the pinned base image and
#    ansible-core, without builder's warnings. The definition's dependency paths are relative to
#    the collection root, as builder requires of a collection's meta/execution-environment.yml,
#    so the definition is given to builder from there (builder resolves them from the file's folder).
# 2. `ansible-builder introspect`, what builder runs inside an EE build that lists jobctl.cloud
#    among its collections, finds the same Python and system requirements.
set -euo pipefail
# shellcheck source=tests/utils/gate-lib.sh
source "$(dirname "$0")/gate-lib.sh"

copy_collection
cp "$tree/meta/execution-environment.yml" "$tree/execution-environment.yml"
ansible-builder create -f "$tree/execution-environment.yml" -c "$work/context" --output-filename Containerfile \
  -v 3 2>&1 | tee "$work/builder.log"

problems=()
for file in requirements.txt bindep.txt; do
  if ! cmp -s "$tree/$file" "$work/context/_build/$file"; then
    problems+=("the build context's _build/$file is not the collection's $file")
  fi
done
if grep -iE 'warn|outdated' "$work/builder.log"; then
  problems+=("ansible-builder warned (above)")
fi
containerfile="$work/context/Containerfile"
base=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["images"]["base_image"]["name"])' \
  "$tree/meta/execution-environment.yml")
grep -q "EE_BASE_IMAGE=\"$base\"" "$containerfile" || problems+=("the Containerfile does not build on $base")
grep -q 'ansible-core>=2.19,<2.20' "$containerfile" || problems+=("the Containerfile does not pin ansible-core")

ansible-builder introspect --sanitize "$collections" | tee "$work/introspect.txt"
for requirement in $(grep -vE '^\s*(#|$)' "$tree/requirements.txt" | awk '{print $1}') python3; do
  grep -qF "$requirement" "$work/introspect.txt" ||
    problems+=("builder's introspection of the collection misses $requirement")
done

if [ ${#problems[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "ansible-builder accepts meta/execution-environment.yml (context: Containerfile, _build/requirements.txt, _build/bindep.txt)"
