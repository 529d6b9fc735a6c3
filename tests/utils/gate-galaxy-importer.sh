#!/usr/bin/env bash
# Gate: Galaxy's own importer accepts the tarball that `ansible-galaxy collection build` makes.
# Offline (tests/utils/galaxy-importer.cfg: no ansible-test container). galaxy-importer exits 0
# even when ansible-doc fails on a module or ansible-lint finds problems (it only logs them), so
# its log is read too: no ERROR, no ansible-lint finding, no warning but the allowed one, and every
# module's documentation made it into the import result.
set -euo pipefail
# shellcheck source=tests/utils/gate-lib.sh
source "$(dirname "$0")/gate-lib.sh"

# Warnings Galaxy shows but that are right for this collection, each with its reason (none today:
# every warning fails the gate).
allowed_warnings=()

build_collection
cd "$work"
status=0
GALAXY_IMPORTER_CONFIG="$repo/tests/utils/galaxy-importer.cfg" python -m galaxy_importer.main "$tarball" \
  >importer.log 2>&1 || status=$?
grep -v '^Loading ' importer.log || true

problems=()
[ "$status" -eq 0 ] || problems+=("galaxy-importer exited with $status")
grep -q '^Importer processing completed successfully' importer.log ||
  problems+=("galaxy-importer did not complete the import")
if grep -q '^ERROR' importer.log; then
  problems+=("galaxy-importer logged errors")
fi
lint=$(sed -n '/^Linting collection via ansible-lint/,/^\.\.\.ansible-lint run complete/p' importer.log |
  sed '1d;$d')
if [ -n "$lint" ]; then
  problems+=("ansible-lint (as Galaxy runs it) found $(printf '%s\n' "$lint" | wc -l) problem(s)")
fi
warnings=$(sed '/^Linting collection via ansible-lint/,/^\.\.\.ansible-lint run complete/d' importer.log |
  grep '^WARNING' || true)
for allowed in "${allowed_warnings[@]+"${allowed_warnings[@]}"}"; do
  warnings=$(printf '%s\n' "$warnings" | grep -vF "$allowed" || true)
done
if [ -n "$warnings" ]; then
  problems+=("galaxy-importer warned: $warnings")
fi

if [ -s importer_result.json ]; then
  undocumented=$(python - <<'PY'
import json
result = json.load(open("importer_result.json"))
for item in result["docs_blob"]["contents"]:
    if item["content_type"] == "module" and not item.get("doc_strings"):
        print("module %s has no documentation in the import" % item["content_name"])
    if item["content_type"] == "role" and not item.get("readme_html"):
        print("role %s has no README in the import" % item["content_name"])
if not result.get("requires_ansible"):
    print("meta/runtime.yml's requires_ansible was not found")
PY
)
  [ -z "$undocumented" ] || problems+=("$undocumented")
else
  problems+=("galaxy-importer wrote no import result")
fi

if [ ${#problems[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "galaxy-importer accepted $(basename "$tarball")"
