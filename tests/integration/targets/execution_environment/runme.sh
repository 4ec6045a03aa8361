#!/usr/bin/env bash
# ansible-builder create on the collection's meta/execution-environment.yml and on each definition
# docs/awx.md shows (tarball and git), then the introspection an image build runs, on the installed
# tarball: it must name requests and cryptography. No container engine here: create only.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# Only for find_emulator (the collection under test) and $work, removed on exit; no emulator runs.
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
collection="$(cd "$(find_emulator)/../.." && pwd)"

# 1. The collection's own file. Its paths are relative to the collection root (ansible-builder's rule
#    for collection metadata), so create is given it where it would sit at the root.
mkdir "$work/meta-ee"
cp "$collection/meta/execution-environment.yml" "$collection/requirements.txt" "$collection/bindep.txt" "$work/meta-ee/"
ansible-builder create -f "$work/meta-ee/execution-environment.yml" -c "$work/meta-ee/context" > "$work/create.out" 2>&1 \
    || { cat "$work/create.out"; exit 1; }
grep -qx 'requests>=2.25' "$work/meta-ee/context/_build/requirements.txt"
grep -qx 'cryptography>=3.4' "$work/meta-ee/context/_build/requirements.txt"
grep -q -- '--user-pip=requirements.txt' "$work/meta-ee/context/"*file

# 2. The definitions docs/awx.md shows, as written there.
"$python" "$here/files/doc_blocks.py" "$collection/docs/awx.md" "$work/docs" > /dev/null
ansible-galaxy collection build "$collection" --output-path "$work/dist" > /dev/null
tarball="$(ls "$work"/dist/certfleet-cloud-*.tar.gz)"
for definition in "$work"/docs/*/execution-environment.yml; do
    folder="$(dirname "$definition")"
    cp "$tarball" "$folder/"
    ansible-builder create -f "$definition" -c "$folder/context" > "$work/create.out" 2>&1 || {
        echo "ansible-builder create failed on $definition:"; cat "$definition" "$work/create.out"; exit 1; }
    [ -f "$folder/context/"*file ] || { echo "no Containerfile from $definition"; exit 1; }
done
# The tarball recipe: its file and its requirements are in the context where the Containerfile takes them.
tarball_context="$(grep -l additional_build_files "$work"/docs/*/execution-environment.yml | xargs dirname)/context"
[ -f "$tarball_context/_build/collections/$(basename "$tarball")" ] || { echo "the tarball is not in the context"; exit 1; }
grep -q "$(basename "$tarball")" "$tarball_context/_build/requirements.yml"
grep -q 'COPY _build/collections/ /tmp/collections/' "$tarball_context/"*file
# The git recipe names no tag.
git_definition="$(grep -l 'type: git' "$work"/docs/*/execution-environment.yml)"
if grep -q 'version:' <(sed -n '/galaxy:/,$p' "$git_definition"); then echo "the git recipe pins a version"; exit 1; fi

# 3. What the image build's introspection finds in the installed collection.
ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-galaxy collection install "$tarball" -p "$work/installed" > /dev/null 2>&1
ansible-builder introspect "$work/installed" > "$work/introspect.out"
grep -q 'requests>=2.25' "$work/introspect.out" && grep -q 'cryptography>=3.4' "$work/introspect.out" \
    || { cat "$work/introspect.out"; exit 1; }
echo "ansible-builder create: meta file and $(ls -d "$work"/docs/*/ | wc -l) documented definitions; introspection names requests and cryptography"
