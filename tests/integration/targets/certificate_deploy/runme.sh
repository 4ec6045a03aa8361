#!/usr/bin/env bash
# certificate_deploy against the emulator: ELB, the Wangsu CDN and a GM VPN gateway in one module run
# (create, rerun, plan, one failure, bad input, a lost answer), then proof that no secret reaches
# the output of -vvvv --diff. HOME is an empty folder, as in CI containers.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
start_emulator
use_empty_home

ansible-playbook "$here/playbooks/deploy.yml" "${vars[@]}" "$@"
ansible-playbook "$here/playbooks/plan.yml" "${vars[@]}" --check --diff "$@" | tee "$work/plan.log"
diffs="$(grep -c '^+++ after' "$work/plan.log" || true)"
[ "$diffs" -ge 3 ] || { echo "the plan printed $diffs diffs, expected at least 3"; exit 1; }
secret_canary "$here/playbooks/canary.yml" "certfleet-emulator-secret-key-do-not-use-0" \
    "certfleet-emulator-netcenter-secret-0" "wrong-secret-key-canary-0000"
