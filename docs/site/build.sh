#!/usr/bin/env bash
# Build the docs site from the modules and roles themselves: antsibull-docs writes their RST from
# each plugin's DOCUMENTATION/EXAMPLES/RETURN (and each role's argument_specs), then Sphinx makes
# HTML, with every warning an error. Works offline.
# Usage: docs/site/build.sh [OUTPUT_DIR]   (default .build/docs-site; open OUTPUT_DIR/html/index.html)
# Needs the .venv made from requirements-dev.txt (antsibull-docs, Sphinx, sphinx-ansible-theme).
set -euo pipefail
site=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$site/../.." && pwd)
out=$(mkdir -p "${1:-$repo/.build/docs-site}" && cd "${1:-$repo/.build/docs-site}" && pwd)
export PATH="$repo/.venv/bin:$PATH"

# Ansible finds the collection through a link to the repository root (as `make link` makes).
link="$repo/.build/collections/ansible_collections/jobctl/cloud"
if [ ! -e "$link" ]; then
  mkdir -p "$(dirname "$link")"
  ln -s "$repo" "$link"
fi
export ANSIBLE_COLLECTIONS_PATH="$repo/.build/collections"

# A fresh source folder each time: antsibull-docs wants one that only its owner can write to.
rm -rf "$out/rst" "$out/html" "$out/doctrees"
mkdir -m 700 "$out/rst"
cp "$site/rst/index.rst" "$out/rst/"
antsibull-docs --config-file "$site/antsibull-docs.cfg" collection --use-current --fail-on-error --dest-dir "$out/rst" \
  jobctl.cloud
sphinx-build -b html -c "$site" -d "$out/doctrees" -W --keep-going -q "$out/rst" "$out/html"
echo "docs site: $out/html/index.html"
