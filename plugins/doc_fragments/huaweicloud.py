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
      - If not set, the environment variable E(HW_ACCESS_KEY) is used, then E(CLOUD_SDK_AK).
      - Required together with O(secret_key) unless O(auth_token) is set.
    type: str
    aliases: [ ak ]
  secret_key:
    description:
      - Huawei Cloud secret access key (SK). Never logged or returned.
      - If not set, the environment variable E(HW_SECRET_KEY) is used, then E(CLOUD_SDK_SK).
    type: str
    aliases: [ sk ]
  security_token:
    description:
      - Security token of temporary AK/SK credentials, sent as C(X-Security-Token).
      - If not set, the environment variable E(HW_SECURITY_TOKEN) is used.
    type: str
  auth_token:
    description:
      - An IAM token sent as C(X-Auth-Token) instead of signing with AK/SK.
      - If not set, the environment variable E(HW_AUTH_TOKEN) is used.
    type: str
  region:
    description:
      - Region name, for example V(cn-north-4). Selects the default endpoint
        C(https://{service}.{region}.myhuaweicloud.com) and the project.
      - If not set, the environment variable E(HW_REGION_NAME) is used.
      - Required unless both O(endpoint) and O(project_id) are set.
    type: str
  project_id:
    description:
      - Project ID of the region.
      - If not set, the environment variable E(HW_PROJECT_ID) is used; if that is not set either,
        it is looked up once with IAM C(GET /v3/projects?name={region}).
      - Required when O(endpoint) is set and O(iam_endpoint) is not.
    type: str
  endpoint:
    description:
      - Endpoint of the service (an C(http://) or C(https://) URL), overriding the default derived
        from O(region). Use it for private regions, proxies or a local emulator.
      - If not set, the environment variable E(HW_ENDPOINT) is used.
      - With a custom endpoint, nothing is derived from the public cloud silently; give O(project_id),
        or O(iam_endpoint) to look it up.
    type: str
  iam_endpoint:
    description:
      - IAM endpoint used to look up the project ID.
      - If not set, the environment variable E(HW_IAM_ENDPOINT) is used. Without either,
        C(https://iam.{region}.myhuaweicloud.com) is used, but only when O(endpoint) is not set.
    type: str
notes:
  - A request the service refuses as unauthenticated (HTTP 401) fails naming the credential in play,
    for example C(secret_key (HW_SECRET_KEY\) was refused by the service).
  - Use C(module_defaults) with the group C(group/certfleet.cloud.huaweicloud) to set the
    connection options once for every Huawei Cloud module of this collection.
'''
