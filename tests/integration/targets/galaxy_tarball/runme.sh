#!/usr/bin/env bash
# Build the collection tarball as Galaxy would, check what build_ignore keeps out (and that the
# emulator stays in), install it into an empty path, start the emulator from the installed copy and
# run a module from it against that emulator.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
collection="$(cd "$(find_emulator)/../.." && pwd)"

ansible-galaxy collection build "$collection" --output-path "$work/dist" > "$work/build.out"
tarball="$(ls "$work"/dist/certfleet-cloud-*.tar.gz)"
tar -tzf "$tarball" | sort > "$work/contents"

for unwanted in '^hack/' '^benchmarks/' '^Makefile$' '^\.ci/' '^build/' '^tests/output/' '\.tar\.gz$'; do
    if grep -E "$unwanted" "$work/contents"; then echo "the tarball holds $unwanted"; exit 1; fi
done
for wanted in tests/emulator/serve.py tests/emulator/cloudemu/server.py extensions/awx/credential_types/huaweicloud.yml \
              meta/runtime.yml plugins/modules/elb_certificate.py plugins/module_utils/transport.py README.md; do
    grep -qx "$wanted" "$work/contents" || { echo "the tarball lacks $wanted"; exit 1; }
done

# Its own collections path only: the copy under test must not count as "already installed".
ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-galaxy collection install "$tarball" -p "$work/installed" \
    > "$work/install.out" 2>&1
installed="$work/installed/ansible_collections/certfleet/cloud"
[ -f "$installed/MANIFEST.json" ] || { cat "$work/install.out"; exit 1; }

# The emulator as a user's CI would run it: from the installed collection.
"$python" "$installed/tests/emulator/serve.py" --port 0 > "$work/emulator.out" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do grep -q '^ready ' "$work/emulator.out" && break; sleep 0.1; done
url="$(sed -n 's/^ready //p' "$work/emulator.out")"
[ -n "$url" ] || { cat "$work/emulator.out"; exit 1; }

echo "testhost ansible_connection=local ansible_python_interpreter=$python" > "$work/inventory"
HW_ACCESS_KEY=CERTFLEETEMULATORAK1 HW_SECRET_KEY=certfleet-emulator-secret-key-do-not-use-0 \
    ANSIBLE_COLLECTIONS_PATH="$work/installed" \
    ansible testhost -i "$work/inventory" -m certfleet.cloud.elb_certificate_info \
    -a "endpoint=$url project_id=0a7c1c2b3d4e5f60718293a4b5c6d7e8 region=cn-north-4" > "$work/module.out" 2>&1 || {
        cat "$work/module.out"; exit 1; }
grep -q '"certificates": \[\]' "$work/module.out" || { cat "$work/module.out"; exit 1; }
grep -q "$installed/plugins/modules/elb_certificate_info.py" <(ANSIBLE_COLLECTIONS_PATH="$work/installed" \
    ansible-doc -F certfleet.cloud 2>/dev/null) || { echo "ansible-doc does not see the installed module"; exit 1; }
echo "tarball: $(wc -l < "$work/contents") files; installed; module ran from it against its own emulator"
