# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  access_key:
    description:
      - Huawei Cloud access key ID (AK) used to sign requests with C(SDK-HMAC-SHA256).
      - If not set, the environment variable E(HW_ACCESS_KEY) is used, then E(CLOUD_SDK_AK), then the SDK's
        E(HUAWEICLOUD_SDK_AK).
      - Goes together with O(secret_key). Without either (and without O(auth_token)), the credentials come from
        a profile file, then the ECS metadata service; see the notes for the whole chain.
    type: str
    aliases: [ ak ]
  secret_key:
    description:
      - Huawei Cloud secret access key (SK). Never logged or returned.
      - If not set, the environment variable E(HW_SECRET_KEY) is used, then E(CLOUD_SDK_SK), then
        E(HUAWEICLOUD_SDK_SK).
    type: str
    aliases: [ sk ]
  security_token:
    description:
      - Security token of temporary AK/SK credentials, sent as C(X-Security-Token).
      - If not set, the environment variable E(HW_SECURITY_TOKEN) is used, then E(HUAWEICLOUD_SDK_SECURITY_TOKEN).
    type: str
  auth_token:
    description:
      - An IAM token sent as C(X-Auth-Token) instead of signing with AK/SK.
      - If not set, the environment variable E(HW_AUTH_TOKEN) is used.
    type: str
  profile:
    description:
      - Name of a KooCLI (C(hcloud)) profile to take the credentials, region and project ID from, in
        C(~/.hcloud/config.json) or the file named by E(HW_SHARED_CONFIG_FILE).
      - Only AK/SK profiles whose keys are not encrypted can be read (C(hcloud configure set --cli-auth-encrypt=false)).
      - If not set, the environment variable E(HW_PROFILE) is used. Without it, when no keys are given, the SDK's
        credentials file is read if there is one, else KooCLI's current profile.
      - Used only when no O(access_key)/O(secret_key) (options or variables) are given.
    type: str
  metadata_endpoint:
    description:
      - Address of the ECS metadata service, asked for the temporary keys of the server's agency when no other
        credentials are found.
      - If not set, the environment variable E(HW_METADATA_ENDPOINT) is used, then C(http://169.254.169.254).
        Set it for a private cloud or a local emulator.
    type: str
  agency_name:
    description:
      - Name of an IAM agency to assume with the credentials found. Requests are then signed with the agency's
        temporary keys (IAM C(POST /v3.0/OS-CREDENTIAL/securitytokens)), so one controller can manage
        certificates in several accounts.
      - Requires O(agency_domain_name). If not set, the environment variable E(HW_ASSUME_ROLE_AGENCY_NAME) is used.
    type: str
  agency_domain_name:
    description:
      - Name of the account (domain) that owns the agency of O(agency_name).
      - If not set, the environment variable E(HW_ASSUME_ROLE_DOMAIN_NAME) is used.
    type: str
  agency_duration:
    description:
      - How long the agency's temporary keys last, in seconds, from 900 (15 minutes) to 86400 (24 hours). They are
        fetched again five minutes before they expire (a quarter of their life for short ones).
      - If not set, the environment variable E(HW_ASSUME_ROLE_DURATION) is used.
    type: int
    default: 3600
  region:
    description:
      - Region name, for example V(cn-north-4). Selects the default endpoint
        C(https://{service}.{region}.{cloud}) and the project.
      - If not set, the environment variable E(HW_REGION_NAME) is used (or the region of a KooCLI profile).
      - Required unless both O(endpoint) and O(project_id) are set.
    type: str
  cloud:
    description:
      - The site the default endpoints are built on, C(https://{service}.{region}.{cloud}) and
        C(https://iam.{region}.{cloud}). V(myhuaweicloud.com) for the Chinese mainland and international regions,
        V(myhuaweicloud.eu) for the European ones, or the domain of another Huawei Cloud site.
      - If not set, the environment variable E(HW_CLOUD) is used.
    type: str
    default: myhuaweicloud.com
  project_id:
    description:
      - Project ID of the region.
      - If not set, the environment variable E(HW_PROJECT_ID) is used, then E(HUAWEICLOUD_SDK_PROJECT_ID), then the
        C(project_id) of the profile; if none is set, it is looked up once with IAM C(GET /v3/projects?name={region}).
      - Required when O(endpoint) is set and O(iam_endpoint) is not.
    type: str
  domain_id:
    description:
      - Account (domain) ID, sent as C(X-Domain-Id) to global services (CCM), as the SDK does for global credentials.
      - If not set, the environment variable E(HW_DOMAIN_ID) is used, then E(HUAWEICLOUD_SDK_DOMAIN_ID), then the
        C(domain_id) of the profile.
    type: str
  endpoint:
    description:
      - Endpoint of the service (an C(http://) or C(https://) URL), overriding the default derived
        from O(region) and O(cloud). Use it for private regions, proxies or a local emulator.
      - If not set, the environment variable E(HW_ENDPOINT) is used.
      - With a custom endpoint, nothing is derived from the public cloud silently; give O(project_id),
        or O(iam_endpoint) to look it up.
    type: str
  iam_endpoint:
    description:
      - IAM endpoint, used to look up the project ID and to assume an agency.
      - If not set, the environment variable E(HW_IAM_ENDPOINT) is used, then E(HUAWEICLOUD_SDK_IAM_ENDPOINT), then
        the C(iam_endpoint) of the SDK's credentials file. Without any, C(https://iam.{region}.{cloud}) is used, but
        only when O(endpoint) is not set.
    type: str
notes:
  - "Credentials are taken from the first of: O(auth_token); O(access_key) and O(secret_key) (options, then
    variables); the KooCLI profile named by O(profile); the SDK's credentials file (E(HUAWEICLOUD_SDK_CREDENTIALS_FILE)
    or C(~/.huaweicloud/credentials), section C([basic]), or C([global]) for global services); KooCLI's current
    profile in C(~/.hcloud/config.json); the ECS metadata service. With O(agency_name), the agency is then assumed
    with them. See the collection's C(docs/authentication.md)."
  - A profile file that users other than its owner can read or change is refused, as ssh refuses such a key
    (run C(chmod 600) on it). Keys read from a file or fetched as temporary keys are hidden from the output like options
    marked no_log.
  - A request the service refuses as unauthenticated (HTTP 401) fails naming the credential in play,
    for example "secret_key (HW_SECRET_KEY) was refused by the service", or the profile or agency it came from.
  - Use C(module_defaults) with the group C(group/certfleet.cloud.huaweicloud) to set the
    connection options once for every Huawei Cloud module of this collection.
'''
