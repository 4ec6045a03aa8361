#!/usr/bin/env bash
# certificate_deploy and the rotation role with strategy replace against the emulator: ELB listeners and a
# Wangsu domain switched to a new object, the old one deleted; the plan; a switch refused halfway and the
# converging rerun; then proof that no secret reaches the output of -vvvv --diff. HOME is an empty folder.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
start_emulator
use_empty_home

ansible-playbook "$here/playbooks/replace.yml" "${vars[@]}" "$@"
ansible-playbook "$here/playbooks/seed.yml" "${vars[@]}" "$@"
ansible-playbook "$here/playbooks/plan.yml" "${vars[@]}" --check --diff "$@" | tee "$work/plan.log"
grep -q 'plan: create www-' "$work/plan.log" || { echo "the role's plan did not print what it would create"; exit 1; }
diffs="$(grep -c '^+++ after' "$work/plan.log" || true)"
[ "$diffs" -ge 2 ] || { echo "the plan printed $diffs diffs, expected at least 2"; exit 1; }
ansible-playbook "$here/playbooks/seed.yml" "${vars[@]}" "$@"
secret_canary "$here/playbooks/canary.yml" "certfleet-emulator-secret-key-do-not-use-0" \
    "certfleet-emulator-netcenter-secret-0"
