#!/usr/bin/env bash
# An AWX-style job: ansible-runner (process isolation off, no container) runs a playbook with the
# Huawei Cloud credential injected as environment variables exactly as the credential type in
# extensions/awx/credential_types says, against the emulator; then no secret may appear in the
# job events (the SK, the security token field, every private key the job handled).
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
start_emulator
collection="$(cd "$(find_emulator)/../.." && pwd)"

curl_seed() {
    "$python" - "$emulator_url" <<'PY'
import json, sys, urllib.request
body = {"ccm": {"authorities": [{"id": "2cb2878b-6cd1-460d-bd25-afe655159bdc", "common_name": "AWX CA"}]}}
request = urllib.request.Request(sys.argv[1] + "/_emulator/seed", data=json.dumps(body).encode(), method="POST")
urllib.request.urlopen(request).read()
PY
}
curl_seed

runner="$work/runner"
mkdir -p "$runner/project" "$runner/env" "$runner/inventory"
cp "$here/files/playbook.yml" "$runner/project/"
cp "$work/inventory" "$runner/inventory/hosts"
"$python" "$here/files/awx_env.py" "$collection/extensions/awx/credential_types/huaweicloud.yml" "$runner/env/envvars" \
    access_key=CERTFLEETEMULATORAK1 secret_key=certfleet-emulator-secret-key-do-not-use-0 region=cn-north-4 \
    project_id=0a7c1c2b3d4e5f60718293a4b5c6d7e8 endpoint="$emulator_url"
echo "{pki: '$pki'}" > "$runner/env/extravars"
# The job template's highest verbosity, with Show Changes on.
echo "-vvvv --diff" > "$runner/env/cmdline"

# As an AWX execution node runs it: no PWD, a HOME of its own.
use_empty_home
env -u PWD ansible-runner run "$runner" -p playbook.yml --ident awx-job > "$work/runner.out" 2>&1 || {
    tail -40 "$work/runner.out"; exit 1; }
status="$(cat "$runner/artifacts/awx-job/status")"
[ "$status" = successful ] || { echo "job status: $status"; tail -40 "$work/runner.out"; exit 1; }

events="$runner/artifacts/awx-job/job_events"
count="$(find "$events" -name '*.json' | wc -l)"
[ "$count" -gt 10 ] || { echo "only $count job events"; exit 1; }
cat "$events"/*.json "$runner/artifacts/awx-job/stdout" > "$work/events.log"
publics=()
for pem in "$pki"/*.pem; do publics+=(--public "$pem"); done
"$python" "$setup_dir/find_secrets.py" "$work/events.log" "$pki"/*.key \
    --literal certfleet-emulator-secret-key-do-not-use-0 "${publics[@]}"
echo "ansible-runner job: $status, $count events, no secret in them"
