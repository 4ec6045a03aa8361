#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ccm_private_certificate_info
short_description: List private certificates of Huawei Cloud CCM private CAs
version_added: 0.1.0
description:
  - Lists private certificates, paging through every result, or shows one by ID.
  - Filters combine. O(status) is applied by the service; O(issuer), O(enterprise_project_id) and
    O(expires_within_days) here, on the listed certificates (the list API takes no enterprise project filter);
    O(name) finds the certificates that M(certfleet.cloud.ccm_private_certificate) manages under that name (its
    C(certfleet.name) tag).
  - The API never returns PEM or keys from these calls, and neither does this module.
author:
  - certfleet.cloud maintainers (@certfleet)
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes.info_module
options:
  certificate_id:
    description: Only this certificate (one show call). A certificate that does not exist gives an empty list.
    type: str
  name:
    description: Only the certificates tagged C(certfleet.name) with this value.
    type: str
  issuer:
    description: Only the certificates of this CA, by ID or common name.
    type: str
  status:
    description: Only the certificates in this status.
    type: str
    choices: [ISSUED, REVOKED, EXPIRED]
  enterprise_project_id:
    description:
      - Only the certificates of this enterprise project (V("0") is the default project), as each certificate
        shows it.
      - The service itself lists only what the credentials' IAM policies allow; this narrows that further.
    type: str
  expires_within_days:
    description: Only the certificates that expire within this many days (already expired ones included).
    type: int
notes:
  - CCM is a global service; O(project_id) is not used.
seealso:
  - module: certfleet.cloud.ccm_private_certificate
  - module: certfleet.cloud.ccm_private_ca_info
'''

EXAMPLES = r'''
- name: Issued private certificates that expire within 30 days
  certfleet.cloud.ccm_private_certificate_info:
    region: ap-southeast-3
    status: ISSUED
    expires_within_days: 30
  register: expiring

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.summary.subject }} from {{ item.issuer_name }}: {{ item.expires_in_days }} days left"
  loop: "{{ expiring.certificates }}"

- name: The certificates of one enterprise project
  certfleet.cloud.ccm_private_certificate_info:
    region: ap-southeast-3
    enterprise_project_id: 0d4c2b1a-5e6f-4a7b-8c9d-0e1f2a3b4c5d
  register: in_project
'''

RETURN = r'''
certificates:
  description: The matching certificates as the API shows them (times in milliseconds since the epoch), newest first.
  returned: always
  type: list
  elements: dict
  sample:
    - certificate_id: ae9a326a-b61e-4446-854d-cda30ffe31f5
      status: ISSUED
      issuer_id: 2cb2878b-6cd1-460d-bd25-afe655159bdc
      issuer_name: Example Issuing CA
      serial_number: 3A9F0C5E1B2D4F6A8C0E1F2A3B4C5D6E7F809102
      not_after: 1803206400000
      enterprise_project_id: "0"
      expires_in_days: 89
  contains:
    certificate_id:
      description: Certificate ID.
      type: str
      returned: always
    enterprise_project_id:
      description: The enterprise project of the certificate (V("0") is the default project).
      type: str
      returned: when the API shows it
    expires_in_days:
      description: Whole days until it expires, on the service's clock; negative once expired.
      type: int
      returned: always
    summary:
      description:
        - The certificate in the shape every module of the collection returns, from what the API shows
          (C(sha256_fingerprint) V(null), C(sans) empty, C(issuer) only the CA's common name).
      type: dict
      returned: always
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.ccm import (
    PrivateCertificateApi, from_millis, reported_summary,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import format_time, select_expiring


def list_certificates(module):
    params = module.params
    api = PrivateCertificateApi(module.client)
    if params['certificate_id']:
        found = api.get(params['certificate_id'])
        certificates = [found] if found else []
    elif params['name']:
        certificates = api.owned(params['name']).all
    else:
        certificates = api.list(status=params['status'])
    issuer, project = params['issuer'], params['enterprise_project_id']
    now = module.client.service_now()
    shown = [dict(item, summary=reported_summary(item, now=now),
                  expires_at=format_time(from_millis(item['not_after'])) if item.get('not_after') else None)
             for item in certificates
             if (params['status'] in (None, item.get('status')))
             and (issuer in (None, item.get('issuer_id'), item.get('issuer_name')))
             and (project in (None, item.get('enterprise_project_id')))]
    selected = select_expiring(shown, 'expires_at', params['expires_within_days'], now=now)
    for item in selected:
        item.pop('expires_at')
    return {'changed': False, 'certificates': selected}


ARGUMENT_SPEC = dict(
    certificate_id=dict(type='str'),
    name=dict(type='str'),
    issuer=dict(type='str'),
    status=dict(type='str', choices=['ISSUED', 'REVOKED', 'EXPIRED']),
    enterprise_project_id=dict(type='str'),
    expires_within_days=dict(type='int'),
)


def main():
    module = HuaweiCloudModule('ccm', argument_spec=ARGUMENT_SPEC, project_scoped=False, needs_cryptography=False,
                               supports_check_mode=True, mutually_exclusive=[('certificate_id', 'name')])
    module.run(list_certificates)


if __name__ == '__main__':
    main()
