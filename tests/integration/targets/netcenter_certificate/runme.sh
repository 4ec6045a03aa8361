#!/usr/bin/env bash
# netcenter_certificate(_info) against the emulator's Wangsu API, then the secret canary.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
start_emulator

ansible-playbook "$here/playbooks/scenarios.yml" "${vars[@]}" "$@"
secret_canary "$here/playbooks/canary.yml" \
    "certfleet-emulator-netcenter-secret-0" "certfleet-emulator-api-key-do-not-use-0"
