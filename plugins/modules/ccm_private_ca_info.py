#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ccm_private_ca_info
short_description: List the private CAs of Huawei Cloud CCM
version_added: 0.1.0
description:
  - Lists the private certificate authorities, paging through every result, or shows one by ID; each with
    its ID, name, status, type and expiry, and every field the API shows.
  - Use it to pick the O(certfleet.cloud.ccm_private_certificate#module:issuer) of a certificate, or to see
    which CAs run out.
author:
  - certfleet.cloud maintainers (@certfleet)
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes.info_module
options:
  ca_id:
    description: Only this CA (one show call). A CA that does not exist gives an empty list.
    type: str
  name:
    description: Only the CAs whose common name is exactly this (the service filters on a substring).
    type: str
  status:
    description: Only the CAs in this status (C(ACTIVED) is the one that issues).
    type: str
    choices: [PENDING, ACTIVED, DISABLED, DELETED, EXPIRED]
  type:
    description: Only root or only subordinate CAs.
    type: str
    choices: [ROOT, SUBORDINATE]
  expires_within_days:
    description: Only the CAs that expire within this many days (already expired ones included).
    type: int
notes:
  - CCM is a global service; O(project_id) is not used.
seealso:
  - module: certfleet.cloud.ccm_private_certificate
  - module: certfleet.cloud.ccm_private_certificate_info
'''

EXAMPLES = r'''
- name: Active subordinate CAs
  certfleet.cloud.ccm_private_ca_info:
    region: ap-southeast-3
    status: ACTIVED
    type: SUBORDINATE
  register: cas

- name: Their names and expiry
  ansible.builtin.debug:
    msg: "{{ item.name }} ({{ item.ca_id }}) expires {{ item.expires_at }}"
  loop: "{{ cas.authorities }}"
'''

RETURN = r'''
authorities:
  description: The matching CAs as the API shows them (times in milliseconds since the epoch), plus the fields below.
  returned: always
  type: list
  elements: dict
  sample:
    - ca_id: 2cb2878b-6cd1-460d-bd25-afe655159bdc
      name: Example Issuing CA
      type: SUBORDINATE
      status: ACTIVED
      not_after: 2079475200000
      expires_at: "2035-11-23T00:00:00Z"
      expires_in_days: 3287
  contains:
    ca_id:
      description: CA ID.
      type: str
      returned: always
    name:
      description: The CA's common name (the name O(certfleet.cloud.ccm_private_certificate#module:issuer) accepts).
      type: str
      returned: always
    type:
      description: C(ROOT) or C(SUBORDINATE).
      type: str
      returned: always
    status:
      description: C(PENDING), C(ACTIVED), C(DISABLED), C(DELETED) or C(EXPIRED).
      type: str
      returned: always
    expires_at:
      description: When it expires, in UTC.
      type: str
      returned: always
    expires_in_days:
      description: Whole days until it expires, on the service's clock; negative once expired.
      type: int
      returned: always
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.ccm import PrivateCertificateApi, from_millis
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import format_time, select_expiring


def list_authorities(module):
    params = module.params
    api = PrivateCertificateApi(module.client)
    if params['ca_id']:
        found = api.authority(params['ca_id'])
        authorities = [found] if found else []
    else:
        authorities = api.authorities(name=params['name'], status=params['status'], ca_type=params['type'])
    shown = []
    for item in authorities:
        name = (item.get('distinguished_name') or {}).get('common_name')
        if params['name'] not in (None, name) or params['status'] not in (None, item.get('status')) \
                or params['type'] not in (None, item.get('type')):
            continue
        shown.append(dict(item, name=name,
                          expires_at=format_time(from_millis(item['not_after'])) if item.get('not_after') else None))
    return {'changed': False, 'authorities': select_expiring(shown, 'expires_at', params['expires_within_days'],
                                                             now=module.client.service_now())}


ARGUMENT_SPEC = dict(
    ca_id=dict(type='str'),
    name=dict(type='str'),
    status=dict(type='str', choices=['PENDING', 'ACTIVED', 'DISABLED', 'DELETED', 'EXPIRED']),
    type=dict(type='str', choices=['ROOT', 'SUBORDINATE']),
    expires_within_days=dict(type='int'),
)


def main():
    module = HuaweiCloudModule('ccm', argument_spec=ARGUMENT_SPEC, project_scoped=False, needs_cryptography=False,
                               supports_check_mode=True)
    module.run(list_authorities)


if __name__ == '__main__':
    main()
