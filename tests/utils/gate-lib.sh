# shellcheck shell=bash disable=SC2034 # the variables set here are used by the scripts that source it
# Sourced by the gate scripts (tests/utils/gate-*.sh); not run on its own.
# Gates judge what a fresh clone would ship, so each one works on a copy of the files git would
# commit, laid out as ansible_collections/jobctl/cloud, in a scratch folder under .build/ that is
# removed on exit. Nothing is written into the work tree.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PATH="$repo/.venv/bin:$PATH"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1

mkdir -p "$repo/.build"
work=$(mktemp -d "$repo/.build/gate.XXXXXX")
trap 'rm -rf "$work"' EXIT
collections="$work/collections"
tree="$collections/ansible_collections/jobctl/cloud"

# Copy the collection (tracked files, plus new files git does not ignore) to $tree.
copy_collection() {
  mkdir -p "$tree"
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard) | while IFS= read -r -d '' f; do
    [ -e "$repo/$f" ] && (cd "$repo" && cp --parents "$f" "$tree")
  done
}

# Build the collection tarball from $tree into $work/dist; sets $tarball.
build_collection() {
  [ -d "$tree" ] || copy_collection
  ansible-galaxy collection build --force --output-path "$work/dist" "$tree" >/dev/null
  tarball=$(ls "$work"/dist/jobctl-cloud-*.tar.gz)
}

fail() {
  echo "FAILED: $*" >&2
  exit 1
}
