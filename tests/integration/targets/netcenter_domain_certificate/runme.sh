#!/usr/bin/env bash
# netcenter_domain_certificate(_info) against the emulator's Wangsu API, then the secret canary.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
start_emulator

# A certificate for *.example.com of its own CA. Its key goes beside the others, so that the canary
# looks for it in the output too.
PYTHONPATH="$(find_emulator)" "$python" -m cloudemu.certs "$work/wild" --name wild.example.com \
    --domain '*.example.com' > /dev/null
cp "$work/wild/wild.example.com.fullchain.pem" "$work/wild/wild.example.com.key" "$pki/"

ansible-playbook "$here/playbooks/scenarios.yml" "${vars[@]}" "$@"
secret_canary "$here/playbooks/canary.yml" \
    "certfleet-emulator-netcenter-secret-0" "certfleet-emulator-api-key-do-not-use-0"
