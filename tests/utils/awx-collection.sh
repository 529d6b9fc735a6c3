#!/usr/bin/env bash
# The awx.awx collection, for the syntax check of playbooks/awx_setup.yml and the check of its tasks'
# arguments against the options awx.awx's modules document (tests/integration/test_awx.py; ansible-lint
# checks neither, and stands in for the modules where awx.awx is missing: .ansible-lint mock_modules,
# as on Galaxy's import). Galaxy is not
# reachable from CI, PyPI is: the collection is taken from the `ansible` community package's wheel,
# which bundles it, and only its directory is kept, under .build/collections (where the Makefile,
# the tests and ansible-lint look for collections). Nothing is done when it is there already.
# Usage: tests/utils/awx-collection.sh   (make awx-collection)
set -euo pipefail
cd "$(dirname "$0")/../.." || exit 2
# ansible 11.13.0 bundles awx.awx 24.6.1, the last release of the AWX collection in the package.
ANSIBLE_PACKAGE=ansible==11.13.0
target=.build/collections/ansible_collections/awx/awx
if [ -f "$target/MANIFEST.json" ]; then
  exit 0
fi
python=${PYTHON:-.venv/bin/python}
download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
echo "Fetching awx.awx from the $ANSIBLE_PACKAGE wheel into $target" >&2
"$python" -m pip --disable-pip-version-check download --quiet --no-deps --only-binary :all: \
  "$ANSIBLE_PACKAGE" -d "$download" >&2
"$python" - "$download" "$target" <<'PY'
import glob
import os
import shutil
import sys
import zipfile

download, target = sys.argv[1:]
prefix = "ansible_collections/awx/awx/"
wheel, = glob.glob(os.path.join(download, "ansible-*.whl"))
partial = target + ".partial"
shutil.rmtree(partial, ignore_errors=True)
with zipfile.ZipFile(wheel) as archive:
    names = [name for name in archive.namelist() if name.startswith(prefix) and not name.endswith("/")]
    if not names:
        sys.exit("%s holds no awx.awx collection" % os.path.basename(wheel))
    for name in names:
        path = os.path.join(partial, name[len(prefix):])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with archive.open(name) as source, open(path, "wb") as copy:
            shutil.copyfileobj(source, copy)
shutil.rmtree(target, ignore_errors=True)
os.rename(partial, target)
PY
