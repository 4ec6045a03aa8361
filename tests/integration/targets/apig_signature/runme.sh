#!/usr/bin/env bash
# Start the emulator on a free port, run the scenarios, then prove that no sign_secret given to the
# module (nor the SK) reaches the output of ansible-playbook -vvvv.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
start_emulator

ansible-playbook "$here/playbooks/scenarios.yml" "${vars[@]}" "$@"
# The canary also creates a key whose secret the module generates; it writes that secret here, and the
# same output must not show it either (it is known only once the playbook has run).
vars+=(-e "generated_secret_file=$work/generated_secret")
secret_canary "$here/playbooks/canary.yml" "certfleet-emulator-secret-key-do-not-use-0" \
    "canary_secret_0123456789" "canary_secret_rotated_42" "canary_secret_xxxxxxxx789"
"$python" "$setup_dir/find_secrets.py" "$work/vvvv.log" --literal "$(cat "$work/generated_secret")"
