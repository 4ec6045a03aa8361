#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: netcenter_certificate_info
short_description: List Wangsu (ChinaNetCenter) CDN certificates
version_added: 0.1.0
description:
  - Lists the certificates of the account with one call of the list API, optionally narrowed to
    some IDs or names or to those that expire soon. Never returns a private key.
  - The list shows no PEM. For the C(summary) of each certificate it returns, after every filter, the
    module reads its PEM with one C(GET /api/certificate/{id}/content). A run therefore makes 1 + N
    requests for N certificates returned; listing a whole account of 2000 certificates makes 2001.
    Narrow it with O(id), O(name) or O(expires_within_days) to read fewer.
  - Only the certificates of the content answer are kept; a private key it may hold is dropped unread.
    A PEM that cannot be read leaves the summary the list gives and a warning.
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.netcenter
  - certfleet.cloud.connection
  - certfleet.cloud.attributes.info_module
options:
  id:
    description: Certificate IDs to return.
    type: list
    elements: str
  name:
    description: Certificate names to return.
    type: list
    elements: str
  expires_within_days:
    description:
      - Return only certificates whose C(not_after) is within this many days from now
        (already expired ones included).
    type: int
seealso:
  - module: certfleet.cloud.netcenter_certificate
'''

EXAMPLES = r'''
- name: Certificates that expire within 30 days, and the domains that use them
  certfleet.cloud.netcenter_certificate_info:
    expires_within_days: 30
  register: expiring

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.name }} expires {{ item.not_after }}, used by {{ item.related_domains | map(attribute='domain_name') | list }}"
  loop: "{{ expiring.certificates }}"
'''

RETURN = r'''
certificates:
  description: The matching certificates, keys in snake case, times in UTC.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "123456"
      name: www-example-com
      comment: managed by certfleet.cloud
      serial: 149079a35d03cf4e571381f0f57e551b8f93459
      issuer: CN=certfleet test CA
      not_before: "2026-11-21T19:14:25Z"
      not_after: "2027-02-19T19:14:25Z"
      dns_names: [ www.example.com ]
      related_domains: [ {domain_id: "1001", domain_name: www.example.com} ]
      crt_md5: 5d2c1c0b1ba7a1d7f1e7bd4b0d2e8a11
      ca_md5: 0e2f9d6c8a8c0b3f5a4f1a6f77c1e2d3
      key_md5: 8a1f6c2e0c3b4d5e6f708192a3b4c5d6
      expires_in_days: 88
      summary:
        serial: 0149079A35D03CF4E571381F0F57E551B8F93459
        sha256_fingerprint: 45a5800da37516330b83d0d432b82e89e5756b6bf55ff0df37b74126bf174b8d
        not_before: "2026-11-21T19:14:25Z"
        not_after: "2027-02-19T19:14:25Z"
        subject: CN=www.example.com
        issuer: CN=certfleet test CA
        sans: [ www.example.com ]
        days_left: 88
  contains:
    id:
      description: Certificate ID.
      type: str
      returned: always
    serial:
      description:
        - Serial number of the leaf as the list reports it, lower-case hex. C(summary.serial) has it in the form
          every module shows.
      type: str
      returned: always
    not_after:
      description: End of validity, UTC.
      type: str
      returned: always
    related_domains:
      description: Accelerated domains that use the certificate (C(domain_id), C(domain_name)).
      type: list
      elements: dict
      returned: always
    expires_in_days:
      description: Whole days from now until C(not_after); negative once expired.
      type: int
      returned: when the API reports the validity
    summary:
      description:
        - The leaf certificate in the shape every module of the collection returns, so that one
          certificate served by ELB, the CDN and a VPN gateway can be compared.
        - From the PEM read with the content call. When it cannot be read, built from what the list
          reports, with C(subject) and C(sha256_fingerprint) V(null).
      type: dict
      returned: always
      contains:
        serial:
          description: Serial number as C(openssl x509 -serial) prints it (upper-case hex, leading zero kept).
          type: str
          sample: 0149079A35D03CF4E571381F0F57E551B8F93459
        sha256_fingerprint:
          description: SHA-256 of the DER certificate, lower-case hex.
          type: str
          sample: 45a5800da37516330b83d0d432b82e89e5756b6bf55ff0df37b74126bf174b8d
        not_before:
          description: Start of validity, ISO 8601 UTC.
          type: str
          sample: "2026-11-21T19:14:25Z"
        not_after:
          description: End of validity, ISO 8601 UTC.
          type: str
          sample: "2027-02-19T19:14:25Z"
        subject:
          description: Subject, RFC 4514.
          type: str
          sample: CN=www.example.com
        issuer:
          description: Issuer, RFC 4514.
          type: str
          sample: CN=certfleet test CA
        sans:
          description: DNS names and IP addresses of the subject alternative names.
          type: list
          elements: str
        days_left:
          description: Whole days until the leaf expires; negative once expired.
          type: int
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterModule
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_certificates import (
    NetcenterCertificateApi, read_stored_pem, stored_summary,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import select_expiring


def list_certificates(module):
    params = module.params
    api = NetcenterCertificateApi(module.client)
    ids = set(params['id'] or [])
    names = set(params['name'] or [])
    wanted = [certificate for certificate in api.list()
              if not (ids or names) or certificate['id'] in ids or certificate['name'] in names]
    # Days left on the service's clock, as every _info module counts them.
    now = module.client.service_now()
    selected = select_expiring(wanted, 'not_after', params['expires_within_days'], now=now)
    warnings = []
    # The content call is made only for what this call returns, once every filter has applied.
    for certificate in selected:
        certificate['summary'] = stored_summary(certificate, read_stored_pem(api, certificate, warnings), now=now)
    result = {'changed': False, 'certificates': selected}
    if warnings:
        result['warnings'] = warnings
    return result


LIST_OPTION = dict(type='list', elements='str')
ARGUMENT_SPEC = dict(
    id=dict(LIST_OPTION),
    name=dict(LIST_OPTION),
    expires_within_days=dict(type='int'),
)


def main():
    module = NetcenterModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
    )
    module.run(list_certificates)


if __name__ == '__main__':
    main()
