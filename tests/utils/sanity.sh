#!/usr/bin/env bash
# ansible-test must run from inside an ansible_collections/<namespace>/<name> tree, and a link is
# not enough (it resolves the real path), so sanity runs on a copy of the files git would commit.
# Extra arguments go to ansible-test (e.g. a --test name or file targets).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "$here/.build/sanity.XXXXXX" 2>/dev/null || { mkdir -p "$here/.build"; mktemp -d "$here/.build/sanity.XXXXXX"; })
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/jobctl/cloud"
mkdir -p "$dest"
cd "$here"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && cp --parents "$f" "$dest"
done
cd "$dest"
git init -q . && git add -A
# ansible-test bootstraps pip in its sanity venvs with a script it downloads from a host that this
# network does not reach; give it a local stand-in under the name it looks for.
pip_version=$(python - <<'PY'
import os, re, ansible_test
source = open(os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")).read()
print(re.search(r"pip='([0-9.]+)'", source).group(1))
PY
)
shim=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$shim")"
cp "$here/tests/utils/get_pip_shim.py" "$shim"
# The sanity tests' own Python packages (pylint, yamllint, ...) are installed into the venv once.
python=$(command -v python)
marker="$(dirname "$python")/../.sanity-requirements"
if [ ! -e "$marker" ]; then
  ansible-test sanity --local --python 3.11 --requirements --color no --test compile >/dev/null
  touch "$marker"
fi
ansible-test sanity --local --python 3.11 --color no "$@"
