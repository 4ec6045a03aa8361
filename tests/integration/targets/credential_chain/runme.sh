#!/usr/bin/env bash
# The Huawei Cloud credential chain as a user meets it, from an empty HOME: the SDK's credentials
# file, a KooCLI profile, the ECS metadata service, an assumed agency (once for a whole fleet), the
# refusals; then no key read from a file reaches the output of ansible-playbook -vvvv.
set -eu -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../setup_emulator/emulator.sh
source "$here/../setup_emulator/emulator.sh"
start_emulator
use_empty_home
# No variable of the machine running the tests may stand in for the sources under test.
unset HW_ACCESS_KEY HW_SECRET_KEY HW_SECURITY_TOKEN HW_AUTH_TOKEN CLOUD_SDK_AK CLOUD_SDK_SK HUAWEICLOUD_SDK_AK \
    HUAWEICLOUD_SDK_SK HUAWEICLOUD_SDK_CREDENTIALS_FILE HW_PROFILE HW_SHARED_CONFIG_FILE HW_METADATA_ENDPOINT

ansible-playbook "$here/playbooks/scenarios.yml" "${vars[@]}" "$@"
secret_canary "$here/playbooks/canary.yml" "certfleet-emulator-secret-key-do-not-use-0"
