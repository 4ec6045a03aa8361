#!/usr/bin/env bash
# certfleet.cloud.expiry_report against the emulator seeded with certificates of known expiry on ELB,
# the CDN, CCM (one name renewed twice) and a VPN gateway: the four files (check_report.py: CSV, HTML
# with its timeline, JSON, Prometheus text parsed by prometheus_client), the console; expiry_days and
# output_dir refused before any request; output_dir created private; relative paths taken from the
# working directory, never from PWD; a provider without credentials skipped with the module's own
# message, wherever the credentials would have come from; and the report run as AWX runs it
# (ansible-runner, PWD unset, then PWD pointing at runner's private data folder).
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
check() {
    "$python" "$here/check_report.py" "$@"
}
forget_requests() {
    "$python" -c 'import sys, urllib.request as u; u.urlopen(u.Request(sys.argv[1] + "/_emulator/requests", method="DELETE"))' \
        "$emulator_url"
}
# requests [METHOD|SERVICE]...: how many API requests the emulator saw since forget_requests (all, or of
# those methods and services).
requests() {
    "$python" - "$emulator_url" "$@" <<'PY'
import json, sys, urllib.request
seen = json.load(urllib.request.urlopen(sys.argv[1] + "/_emulator/requests"))["requests"]
wanted = set(sys.argv[2:])
print(sum(1 for entry in seen if not wanted or entry["method"] in wanted or entry.get("service") in wanted))
PY
}
fail() {
    echo "FAILED: $*"
    exit 1
}

HW_SK=certfleet-emulator-secret-key-do-not-use-0
WANGSU_SK=certfleet-emulator-netcenter-secret-0
export HW_ACCESS_KEY=CERTFLEETEMULATORAK1 HW_SECRET_KEY="$HW_SK"
export HW_REGION_NAME=cn-north-4 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
wangsu=(WANGSU_ACCESS_KEY=CERTFLEETNETCENTERAK1 WANGSU_SECRET_KEY="$WANGSU_SK")
cdn_name='<b>"cdn"</b> & co'
# In use within 30 days, soonest first (ELB before the CDN on a tie), then the two CCM certificates the
# renewals replaced and revoked.
all_rows=(--row 'ELB|expires--3|-3' --row 'ELB|expires-3|3' --row "Wangsu CDN|$cdn_name|3"
          --row 'CCM|ccm-13.example.com|13' --row 'Wangsu CDN|expires-20|20'
          --other 'CCM|ccm-13.example.com|13|replaced' --other 'CCM|ccm-13.example.com|13|revoked')
huawei_rows=(--row 'ELB|expires--3|-3' --row 'ELB|expires-3|3' --row 'CCM|ccm-13.example.com|13'
             --other 'CCM|ccm-13.example.com|13|replaced' --other 'CCM|ccm-13.example.com|13|revoked')

echo "== every service, 30 days, an absolute output_dir"
forget_requests
(export "${wangsu[@]}" && report -e expiry_days=30 -e "output_dir=$work/all") | tee "$work/all.log"
check "$work/all" --threshold 30 "${all_rows[@]}" \
    --used-by "$cdn_name|expires-3.example.com; static.example.com" --used-by 'expires-20|'
grep -q 'Certificates expiring within 30 days: 5 in use (1 expired, 2 critical, 2 warning, 0 ok)' "$work/all.log"
grep -Eq '^ +" +-3  ELB +expires--3 ' "$work/all.log"
grep -Eq 'Replaced or revoked, no longer in use \(not counted, not in the metrics\): 2' "$work/all.log"
grep -q "Files: $work/all/expiry_report.html, $work/all/expiry_report.csv, $work/all/expiry_report.json, $work/all/expiry_report.prom" \
    "$work/all.log" || fail "the console does not say where the files went"
if grep -q 'Skipped' "$work/all.log"; then fail "nothing should be skipped"; fi
[ "$(requests POST PUT DELETE PATCH)" = 0 ] || fail "the report wrote to a service"

echo "== expiry_days that is not a whole number of days, 0 or more: refused before any request or file"
for bad in abc -1 1.5 ''; do
    forget_requests
    if report -e "expiry_days=$bad" -e "output_dir=$work/refused" > "$work/refused.log" 2>&1; then
        fail "expiry_days=$bad was accepted"
    fi
    grep -q "expiry_days: must be a whole number of days, 0 or more (got \\\\\"$bad\\\\\")" "$work/refused.log" ||
        { tail -20 "$work/refused.log"; fail "expiry_days=$bad: the error does not name it"; }
    [ "$(requests)" = 0 ] || fail "expiry_days=$bad: requests were sent"
    [ ! -e "$work/refused" ] || fail "expiry_days=$bad: output_dir was created"
done

echo "== a missing output_dir is created, private; one that cannot be is refused before any request"
forget_requests
report -e expiry_days=0 -e "output_dir=$work/new/deeper" > "$work/new.log"
[ "$(stat -c %a "$work/new/deeper")" = 700 ] || fail "output_dir was created $(stat -c %a "$work/new/deeper")"
check "$work/new/deeper" --threshold 0 --row 'ELB|expires--3|-3' --skipped 'Wangsu CDN'
mkdir -m 0755 "$work/shared" && report -e expiry_days=0 -e "output_dir=$work/shared" > /dev/null
[ "$(stat -c %a "$work/shared")" = 755 ] || fail "an existing output_dir had its mode changed"
touch "$work/a-file"
for bad in "$work/a-file" "$work/a-file/sub"; do
    forget_requests
    if report -e expiry_days=30 -e "output_dir=$bad" > "$work/bad-dir.log" 2>&1; then fail "output_dir=$bad was accepted"; fi
    grep -Eq "output_dir: $bad (is not a directory|does not exist and could not be created: .+)" "$work/bad-dir.log" ||
        { tail -20 "$work/bad-dir.log"; fail "output_dir=$bad: the error does not say why"; }
    [ "$(requests)" = 0 ] || fail "output_dir=$bad: requests were sent"
done

echo "== no Wangsu credentials: the CDN is skipped with the module's message; a relative output_dir is the working directory's, not PWD's"
mkdir -p "$work/elsewhere"
(cd "$work" && unset WANGSU_ACCESS_KEY WANGSU_SECRET_KEY WANGSU_USERNAME WANGSU_API_KEY &&
    PWD="$work/elsewhere" report -e expiry_days=30 -e output_dir=huawei) | tee "$work/huawei.log"
check "$work/huawei" --threshold 30 "${huawei_rows[@]}" --skipped 'Wangsu CDN'
grep -q 'Skipped Wangsu CDN: set access_key and secret_key, or username and api_key' "$work/huawei.log"
[ -z "$(ls -A "$work/elsewhere")" ] || fail "files went to PWD: $(ls -A "$work/elsewhere")"

echo "== no Huawei Cloud credentials anywhere: ELB says so and VPN and CCM are not tried; Wangsu from netcenter_options"
forget_requests
(unset HW_ACCESS_KEY HW_SECRET_KEY && mkdir -p "$work/empty-home" && export HOME="$work/empty-home" &&
    HW_METADATA_ENDPOINT=http://127.0.0.1:9 report -e expiry_days=30 -e "output_dir=$work/cdn" \
        -e "prometheus_dir=$work/textfile" \
        -e "{\"netcenter_options\": {\"access_key\": \"CERTFLEETNETCENTERAK1\", \"secret_key\": \"$WANGSU_SK\"}}") |
    tee "$work/cdn.log"
check "$work/cdn" --metrics-dir "$work/textfile" --threshold 30 --row "Wangsu CDN|$cdn_name|3" \
    --row 'Wangsu CDN|expires-20|20' --skipped ELB --skipped VPN --skipped CCM
for service in ELB VPN CCM; do
    grep -q "Skipped $service: no credentials found: access_key/secret_key" "$work/cdn.log" || fail "$service not skipped"
done
[ "$(requests elb vpn ccm iam)" = 0 ] || fail "Huawei Cloud services were called without credentials"
[ ! -e "$work/cdn/expiry_report.prom" ] || fail "the Prometheus file is not in prometheus_dir alone"
if grep -q "$WANGSU_SK" "$work/cdn.log"; then fail "the Wangsu secret key was printed"; fi

echo "== on an ECS: without an agency its services are skipped with the module's message; with one, read"
seed_metadata() {
    "$python" -c 'import sys, urllib.request as u; u.urlopen(u.Request(sys.argv[1] + "/_emulator/seed", method="POST",
        data=("{\"metadata\": {\"agency\": %s}}" % sys.argv[2]).encode()))' "$emulator_url" "$1"
}
on_ecs() {
    (unset HW_ACCESS_KEY HW_SECRET_KEY && mkdir -p "$work/ecs-home" && export HOME="$work/ecs-home" &&
        HW_METADATA_ENDPOINT="$emulator_url" report -e expiry_days=30 -e '{"services": ["elb"]}' "$@")
}
seed_metadata false
on_ecs -e "output_dir=$work/ecs-no-agency" > "$work/ecs-no-agency.log"
check "$work/ecs-no-agency" --threshold 30 --skipped ELB --skipped VPN --skipped CCM --skipped 'Wangsu CDN'
grep -q "Skipped ELB: the ECS metadata service at $emulator_url gave no credentials" "$work/ecs-no-agency.log"
grep -q "Skipped VPN: not in services" "$work/ecs-no-agency.log"
seed_metadata true
on_ecs -e "output_dir=$work/ecs-agency" > /dev/null
check "$work/ecs-agency" --threshold 30 --row 'ELB|expires--3|-3' --row 'ELB|expires-3|3' --skipped VPN --skipped CCM \
    --skipped 'Wangsu CDN'

echo "== Huawei Cloud keys from the SDK's credentials file only: read, as the modules read them"
(unset HW_ACCESS_KEY HW_SECRET_KEY && export HOME="$work/sdk-home" && mkdir -p "$HOME/.huaweicloud" &&
    printf '[basic]\nak = CERTFLEETEMULATORAK1\nsk = %s\n' "$HW_SK" > "$HOME/.huaweicloud/credentials" &&
    chmod 600 "$HOME/.huaweicloud/credentials" &&
    report -e expiry_days=30 -e "output_dir=$work/sdk" -e '{"services": ["elb", "vpn", "ccm"]}') > "$work/sdk.log"
check "$work/sdk" --threshold 30 "${huawei_rows[@]}" --skipped 'Wangsu CDN'
grep -q 'Skipped Wangsu CDN: not in services' "$work/sdk.log"

echo "== as AWX runs it: ansible-runner, the project as working directory, PWD unset, then PWD = runner's folder"
runner="$work/runner"
mkdir -p "$runner/project" "$runner/env" "$runner/inventory"
printf -- '---\n- name: The expiry report, as an AWX project imports it\n  ansible.builtin.import_playbook: certfleet.cloud.expiry_report\n' \
    > "$runner/project/report.yml"
echo "localhost ansible_connection=local ansible_python_interpreter=$python" > "$runner/inventory/hosts"
# The credentials as AWX's credential types inject them: environment variables.
cat > "$runner/env/envvars" <<EOF
HW_ACCESS_KEY: CERTFLEETEMULATORAK1
HW_SECRET_KEY: $HW_SK
HW_REGION_NAME: cn-north-4
WANGSU_ACCESS_KEY: CERTFLEETNETCENTERAK1
WANGSU_SECRET_KEY: $WANGSU_SK
EOF
run_job() {
    local ident="$1" pwd_value="$2" output_dir="$3"
    printf '{"huaweicloud_endpoint": "%s", "netcenter_endpoint": "%s", "expiry_days": 30%s}\n' "$emulator_url" \
        "$emulator_url" "${output_dir:+, \"output_dir\": \"$output_dir\"}" > "$runner/env/extravars"
    (unset HW_ACCESS_KEY HW_SECRET_KEY HW_REGION_NAME && export HOME="$work/runner-home" && mkdir -p "$HOME" &&
        if [ -n "$pwd_value" ]; then export PWD="$pwd_value"; else unset PWD; fi &&
        ansible-runner run "$runner" -p report.yml --ident "$ident") > "$work/$ident.out" 2>&1 ||
        { tail -40 "$work/$ident.out"; fail "ansible-runner job $ident"; }
    [ "$(cat "$runner/artifacts/$ident/status")" = successful ] || { tail -40 "$work/$ident.out"; fail "job $ident"; }
}
run_job no-output-dir '' ''
check "$runner/project" --threshold 30 "${all_rows[@]}"
run_job relative "$runner" reports
check "$runner/project/reports" --threshold 30 "${all_rows[@]}"
[ ! -e "$runner/reports" ] && [ ! -e "$runner/expiry_report.html" ] || fail "files went to runner's private data folder"
# AWX shows set_stats data as the job's artifacts: it names the files too.
"$python" - "$runner/artifacts/relative/job_events" "$runner/project/reports" <<'PY'
import glob, json, sys
events = [json.load(open(path)) for path in glob.glob(sys.argv[1] + "/*.json")]
stats = [event["event_data"].get("artifact_data") for event in events if event.get("event") == "playbook_on_stats"]
files = stats[0]["expiry_report"]["files"] if stats and stats[0] else None
wanted = dict((kind, "%s/expiry_report.%s" % (sys.argv[2], suffix))
              for kind, suffix in (("html", "html"), ("csv", "csv"), ("json", "json"), ("prometheus", "prom")))
if files != wanted:
    sys.exit("the job's artifacts name the files %r, expected %r" % (files, wanted))
PY
# One clock: with the service 10 days ahead of the controller, every service counts days left on the
# service's clock (the Date of its answers), not the controller's.
"$python" -c 'import sys,urllib.request as u;u.urlopen(u.Request(sys.argv[1]+"/_emulator/clock",method="POST",data=b"{\"advance_days\": 10}"))' "$emulator_url"
(export "${wangsu[@]}" && report -e expiry_days=30 -e "output_dir=$work/skewed") > /dev/null
check "$work/skewed" --threshold 30 --row 'ELB|expires--3|-13' --row 'ELB|expires-3|-7' --row "Wangsu CDN|$cdn_name|-7" \
    --row 'CCM|ccm-13.example.com|3' --row 'Wangsu CDN|expires-20|10' \
    --other 'CCM|ccm-13.example.com|3|replaced' --other 'CCM|ccm-13.example.com|3|revoked'

cat "$runner"/artifacts/*/job_events/*.json "$runner"/artifacts/*/stdout > "$work/events.log"
"$python" "$setup_dir/find_secrets.py" "$work/events.log" --literal "$HW_SK" --literal "$WANGSU_SK"
echo "expiry report: every case checked"
