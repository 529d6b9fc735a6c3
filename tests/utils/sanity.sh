#!/usr/bin/env bash
# ansible-test must run from inside an ansible_collections/<namespace>/<name> tree, and a link is
# not enough (it resolves the real path), so sanity runs on a copy of the tracked files.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
dest="$here/.build/sanity/ansible_collections/jobctl/cloud"
rm -rf "$here/.build/sanity"
mkdir -p "$dest"
cd "$here"
git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$dest" 2>/dev/null || true
cd "$dest"
git init -q . && git add -A >/dev/null 2>&1
ansible-test sanity --local --python 3.11 --color no "$@"
