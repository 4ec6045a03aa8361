#!/usr/bin/env bash
# Start the emulator on a free port, make a throwaway PKI, run the scenarios, then prove that no
# secret reaches the output of ansible-playbook -vvvv --diff.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
start_emulator

ansible-playbook "$here/playbooks/scenarios.yml" "${vars[@]}" "$@"
secret_canary "$here/playbooks/canary.yml" "certfleet-emulator-secret-key-do-not-use-0"
