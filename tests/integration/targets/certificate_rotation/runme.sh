#!/usr/bin/env bash
# The certificate_rotation role against the emulator: ELB, the Wangsu CDN and a GM VPN gateway
# rotated together (from PEM and from CCM), reruns, check mode, a failure halfway, bad input, one
# host per target; then proof that no secret reaches the output of -vvvv. HOME is an empty folder.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
start_emulator
use_empty_home

ansible-playbook "$here/playbooks/scenarios.yml" "${vars[@]}" "$@" | tee "$work/scenarios.log"
# The summary as printed: a failed target says what it still serves, a probed one where it is served,
# and a failed probe what the endpoint served instead.
for line in 'elb:www-b: failed; serves serial [0-9A-F]+, expires [0-9T:Z-]+: An unexpected error' \
            'elb:www-a: changed \(verified, served at 127\.0\.0\.1:[0-9]+\); serial ' \
            'elb:www-b: probe failed \(verified\); serial [0-9A-F]+, expires [0-9T:Z-]+ -> serial [0-9A-F]+, expires [0-9T:Z-]+: probe 127\.0\.0\.1:[0-9]+ \(SNI www\.example\.com\) serves serial '; do
    grep -Eq "$line" "$work/scenarios.log" || { echo "the summary has no line matching: $line"; exit 1; }
done
# The plan, as a user asks for it; the diff of every target is printed.
ansible-playbook "$here/playbooks/plan.yml" "${vars[@]}" --check --diff "$@" | tee "$work/plan.log"
diffs="$(grep -c '^+++ after' "$work/plan.log" || true)"
[ "$diffs" -ge 4 ] || { echo "the plan printed $diffs diffs, expected at least 4"; exit 1; }
# One inventory host per target.
python_interpreter="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
cat > "$work/hosts.ini" <<INVENTORY
[rotation_targets]
h-elb-1 host_target="{'service': 'elb', 'name': 'www-h1'}"
h-elb-2 host_target="{'service': 'elb', 'name': 'www-h2'}"
h-cdn host_target="{'service': 'netcenter', 'name': 'www-h3'}"
[rotation_targets:vars]
ansible_connection=local
ansible_python_interpreter=$python_interpreter
INVENTORY
ansible-playbook -i "$work/hosts.ini" "$here/playbooks/hosts.yml" "${vars[@]}" "$@"
secret_canary "$here/playbooks/canary.yml" "certfleet-emulator-secret-key-do-not-use-0" \
    "certfleet-emulator-netcenter-secret-0" "wrong-secret-key-canary-0000"
