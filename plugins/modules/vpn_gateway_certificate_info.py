#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vpn_gateway_certificate_info
short_description: List the GM certificates of Huawei Cloud VPN gateways
version_added: 0.1.0
description:
  - Lists the GM (SM2/SM3) certificates of the project's VPN gateways, paging through every result.
  - O(expires_within_days) keeps those whose signature, encryption or chain certificate expires within
    that many days. The API never returns PEM or keys, and neither does this module.
author:
  - certfleet.cloud maintainers (@certfleet)
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes.info_module
options:
  gateway:
    description:
      - Only the certificates of these gateways, by ID (a UUID) or name (resolved through the gateway list).
    type: list
    elements: str
  expires_within_days:
    description:
      - Return only certificates of which one of the three (signature, encryption, chain) expires within
        this many days from now (already expired ones included).
    type: int
seealso:
  - module: certfleet.cloud.vpn_gateway_certificate
'''

EXAMPLES = r'''
- name: GM gateway certificates that expire within 30 days
  certfleet.cloud.vpn_gateway_certificate_info:
    region: cn-north-4
    expires_within_days: 30
  register: expiring

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.name }} on {{ item.vgw_id }}: {{ item.expires_in_days }} days left"
  loop: "{{ expiring.certificates }}"
'''

RETURN = r'''
certificates:
  description: The matching certificates as the API reports them, times in UTC.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 73f072d8-8b4c-4a8d-9a86-2a755d95636f
      name: vpn-example-com
      vgw_id: c7f1d3e3-0476-4a71-95a7-3ce8cbb969de
      status: BOUND
      certificate_serial_number: "16548506527294397241"
      certificate_expire_time: "2027-02-20T07:41:39Z"
      enc_certificate_expire_time: "2027-02-20T07:43:26Z"
      certificate_chain_expire_time: "2039-07-11T12:31:33Z"
      expires_in_days: 89
      summary:
        serial: E5A81B02429D9B39
        sha256_fingerprint: null
        not_before: null
        not_after: "2027-02-20T07:41:39Z"
        subject: CN=vpn.example.com,OU=vpn,O=certfleet,L=HaiDian,ST=Beijing,C=CN
        issuer: CN=certfleet GM CA,O=certfleet,L=HaiDian,ST=Beijing,C=CN
        sans: []
        days_left: 89
  contains:
    id:
      description: Certificate ID.
      type: str
      returned: always
    vgw_id:
      description: The gateway that holds the certificate.
      type: str
      returned: always
    expires_in_days:
      description: Whole days until the first of the three certificates expires; negative once expired.
      type: int
      returned: when the API reports expiry times
    certificate_serial_number:
      description:
        - Serial number of the signature certificate, decimal, as the API reports it. C(summary.serial) has it in
          the form every module shows.
      type: str
      returned: always
    summary:
      description:
        - The signature certificate in the shape every module of the collection returns, so that one certificate
          served by ELB and a VPN gateway can be compared by C(serial), C(subject), C(issuer) and C(not_after).
        - Built from what the API reports, which has no PEM (C(sha256_fingerprint) and C(not_before) V(null),
          C(sans) empty).
      type: dict
      returned: always
      contains:
        serial:
          description: Serial number as C(openssl x509 -serial) prints it (upper-case hex, leading zero kept).
          type: str
          sample: E5A81B02429D9B39
        not_after:
          description: End of validity, ISO 8601 UTC.
          type: str
          sample: "2027-02-20T07:41:39Z"
        subject:
          description: Subject, RFC 4514 (the API's C(certificate_subject) in reverse order).
          type: str
          sample: CN=vpn.example.com,OU=vpn,O=certfleet,L=HaiDian,ST=Beijing,C=CN
        issuer:
          description: Issuer, RFC 4514.
          type: str
          sample: CN=certfleet GM CA,O=certfleet,L=HaiDian,ST=Beijing,C=CN
        days_left:
          description: Whole days until the signature certificate expires; negative once expired.
          type: int
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule
from ansible_collections.certfleet.cloud.plugins.module_utils.vpn import (
    UUID, VpnGatewayCertificateApi, earliest_expiry, reported_summary,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import select_expiring


def gateway_ids(api, wanted):
    """The IDs of the gateways ``wanted`` names (IDs pass as they are; names need one gateway list)."""
    ids = set(item for item in wanted if UUID.match(item))
    names = [item for item in wanted if not UUID.match(item)]
    if names:
        gateways = api.gateways()
        for name in names:
            found = [gateway['id'] for gateway in gateways if gateway.get('name') == name]
            if not found:
                raise InputError('gateway', 'no VPN gateway is named %r' % name)
            ids.update(found)
    return ids


def list_certificates(module):
    params = module.params
    api = VpnGatewayCertificateApi(module.client)
    wanted = gateway_ids(api, params['gateway']) if params['gateway'] else None
    items = list(api.list())
    # Days left on the service's clock, as every _info module counts them.
    now = module.client.service_now()
    listed = [dict(item, summary=reported_summary(item, now=now), earliest_expiry=earliest_expiry(item))
              for item in items if wanted is None or item.get('vgw_id') in wanted]
    selected = select_expiring(listed, 'earliest_expiry', params['expires_within_days'], now=now)
    for item in selected:
        item.pop('earliest_expiry')
    return {'changed': False, 'certificates': selected}


ARGUMENT_SPEC = dict(
    gateway=dict(type='list', elements='str'),
    expires_within_days=dict(type='int'),
)


def main():
    module = HuaweiCloudModule('vpn', argument_spec=ARGUMENT_SPEC, needs_cryptography=False, supports_check_mode=True)
    module.run(list_certificates)


if __name__ == '__main__':
    main()
