# Sourced by runme.sh of targets that run against the emulator (aliases: needs/target/setup_emulator).
# start_emulator: starts it on a free port, makes a throwaway PKI, writes an inventory, sets
#   emulator_url, pki, work and vars (the -e arguments for ansible-playbook); stopped on exit.
# use_empty_home: HOME becomes an empty folder that is not the account's home directory, as in CI
#   containers and under sudo -E (removed on exit with the rest of the work folder).
# secret_canary PLAYBOOK LITERAL...: runs PLAYBOOK at -vvvv --diff and fails if any key of the
#   PKI or any LITERAL appears in its output.

setup_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
work="$(mktemp -d)"
emulator_pid=

stop_emulator() {
    if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap stop_emulator EXIT

find_emulator() {
    # ansible-test runs a copy of the target from a temporary folder: find the emulator through
    # the collection it put on ANSIBLE_COLLECTIONS_PATH, else relative to a checkout.
    local roots root candidate
    IFS=: read -r -a roots <<< "${ANSIBLE_COLLECTIONS_PATH:-}"
    for root in "${roots[@]}" "$setup_dir/../../../../../../.."; do
        candidate="$root/ansible_collections/certfleet/cloud/tests/emulator"
        if [ -n "$root" ] && [ -f "$candidate/serve.py" ]; then
            (cd "$candidate" && pwd)
            return 0
        fi
    done
    echo "tests/emulator not found (ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-})" >&2
    return 1
}

start_emulator() {
    local emulator_dir
    emulator_dir="$(find_emulator)"
    "$python" "$emulator_dir/serve.py" --port 0 > "$work/emulator.out" 2>&1 &
    emulator_pid=$!
    for _ in $(seq 1 100); do
        grep -q '^ready ' "$work/emulator.out" && break
        sleep 0.1
    done
    emulator_url="$(sed -n 's/^ready //p' "$work/emulator.out")"
    [ -n "$emulator_url" ] || { cat "$work/emulator.out"; return 1; }
    pki="$work/pki"
    PYTHONPATH="$emulator_dir" "$python" -m cloudemu.certs "$pki" > /dev/null
    # The interpreter is explicit: discovery may pick a Python without the collection's requirements.
    echo "testhost ansible_connection=local ansible_python_interpreter=$python" > "$work/inventory"
    export ANSIBLE_INVENTORY="$work/inventory"
    vars=(-e "emulator_url=$emulator_url" -e "pki=$pki")
}

use_empty_home() {
    HOME="$work/home"
    mkdir -p "$HOME"
    export HOME
}

secret_canary() {
    local playbook="$1" literal literals=() pem publics=()
    shift
    for literal in "$@"; do literals+=(--literal "$literal"); done
    for pem in "$pki"/*.pem; do publics+=(--public "$pem"); done
    ansible-playbook "$playbook" "${vars[@]}" --diff -vvvv > "$work/vvvv.log" 2>&1 || {
        tail -50 "$work/vvvv.log"; return 1; }
    "$python" "$setup_dir/find_secrets.py" "$work/vvvv.log" "$pki"/*.key "${literals[@]}" "${publics[@]}"
}
