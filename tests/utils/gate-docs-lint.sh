#!/usr/bin/env bash
# Gate: antsibull-docs, the tool behind docs.ansible.com, finds nothing wrong with the collection's
# documentation: every module's and role's docs against the schema, their markup, references to
# other plugins (this collection's and ansible.builtin's, unknown collections refused), the RST it
# generates (rstcheck), and any extra docs.
set -euo pipefail
# shellcheck source=tests/utils/gate-lib.sh
source "$(dirname "$0")/gate-lib.sh"

copy_collection
export ANSIBLE_COLLECTIONS_PATH="$collections"
antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs \
  --validate-collection-refs all --disallow-unknown-collection-refs "$tree"
echo "antsibull-docs found nothing to fix"
