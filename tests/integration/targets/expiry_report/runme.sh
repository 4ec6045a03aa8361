#!/usr/bin/env bash
# certfleet.cloud.expiry_report against the emulator seeded with certificates of known expiry on
# ELB, the CDN, CCM and a VPN gateway: the rows and their order (CSV), the HTML page (well-formed,
# self-contained, the same rows), the console table, and a service without credentials skipped.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
start_emulator
PYTHONPATH="$(find_emulator)" "$python" "$here/make_certificates.py" "$pki" -3 3 20 60
ansible-playbook "$here/playbooks/setup.yml" "${vars[@]}" "$@"

report() {
    ansible-playbook certfleet.cloud.expiry_report -e "ansible_python_interpreter=$python" \
        -e "huaweicloud_endpoint=$emulator_url" -e "netcenter_endpoint=$emulator_url" "$@"
}
export HW_ACCESS_KEY=CERTFLEETEMULATORAK1 HW_SECRET_KEY=certfleet-emulator-secret-key-do-not-use-0
export HW_REGION_NAME=cn-north-4 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

mkdir -p "$work/all" "$work/huawei"
WANGSU_ACCESS_KEY=CERTFLEETNETCENTERAK1 WANGSU_SECRET_KEY=certfleet-emulator-netcenter-secret-0 \
    report -e expiry_days=30 -e "output_dir=$work/all" | tee "$work/all.log"
"$python" "$here/check_report.py" "$work/all" 'ELB|expires--3|-3' 'ELB|expires-3|3' \
    'CCM|ccm-13.example.com|13' 'Wangsu CDN|expires-20|20'
grep -q 'Certificates expiring within 30 days: 4' "$work/all.log"
grep -Eq '^ +"? *-3  ELB +expires--3' "$work/all.log"
if grep -q 'no credentials' "$work/all.log"; then echo "nothing should be skipped"; exit 1; fi

# Without Wangsu credentials the CDN is skipped, and said to be; a relative output_dir is taken
# from the caller's directory.
(cd "$work" && unset WANGSU_ACCESS_KEY WANGSU_SECRET_KEY WANGSU_USERNAME WANGSU_API_KEY &&
    report -e expiry_days=5 -e output_dir=huawei) | tee "$work/huawei.log"
"$python" "$here/check_report.py" "$work/huawei" 'ELB|expires--3|-3' 'ELB|expires-3|3'
grep -q 'skipped Wangsu CDN: no credentials' "$work/huawei.log"
grep -q 'Skipped Wangsu CDN: no credentials.' "$work/huawei/expiry_report.html"
