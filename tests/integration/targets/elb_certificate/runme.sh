#!/usr/bin/env bash
# Start the emulator on a free port, make a throwaway PKI, run the scenarios, then prove that no
# secret reaches the output of ansible-playbook -vvvv.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# ansible-test runs a copy of this target from a temporary folder: find the emulator through the
# collection ansible-test put on ANSIBLE_COLLECTIONS_PATH, else relative to a checkout.
emulator_dir=
IFS=: read -r -a collection_roots <<< "${ANSIBLE_COLLECTIONS_PATH:-}"
for root in "${collection_roots[@]}" "$here/../../../../../../.."; do
    candidate="$root/ansible_collections/certfleet/cloud/tests/emulator"
    if [ -n "$root" ] && [ -f "$candidate/serve.py" ]; then
        emulator_dir="$(cd "$candidate" && pwd)"
        break
    fi
done
[ -n "$emulator_dir" ] || { echo "tests/emulator not found (ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-})"; exit 1; }
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
work="$(mktemp -d)"
emulator_pid=

cleanup() {
    [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$python" "$emulator_dir/serve.py" --port 0 > "$work/emulator.out" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do
    grep -q '^ready ' "$work/emulator.out" && break
    sleep 0.1
done
url="$(sed -n 's/^ready //p' "$work/emulator.out")"
[ -n "$url" ] || { cat "$work/emulator.out"; exit 1; }

PYTHONPATH="$emulator_dir" "$python" -m cloudemu.certs "$work/pki" > /dev/null

cat > "$work/inventory" <<INVENTORY
testhost ansible_connection=local ansible_python_interpreter=$python
INVENTORY
export ANSIBLE_INVENTORY="$work/inventory"
vars=(-e "emulator_url=$url" -e "pki=$work/pki")

ansible-playbook "$here/playbooks/scenarios.yml" "${vars[@]}" "$@"

# The secret canary: every secret of the run must be absent from the most verbose output.
ansible-playbook "$here/playbooks/canary.yml" "${vars[@]}" --diff -vvvv > "$work/vvvv.log" 2>&1 || {
    tail -50 "$work/vvvv.log"; exit 1; }
"$python" "$here/files/find_secrets.py" "$work/vvvv.log" \
    "$work/pki/www.example.com.key" "$work/pki/www.example.com-rotated.key" "$work/pki/other.key" \
    --literal "certfleet-emulator-secret-key-do-not-use-0" \
    $(for pem in "$work"/pki/*.pem; do printf -- '--public %s ' "$pem"; done)
