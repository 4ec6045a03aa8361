#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: elb_certificate_info
short_description: List Huawei Cloud ELB v3 certificates
version_added: 0.1.0
description:
  - Lists ELB v3 certificates with the API's server-side filters, paging through every result
    with the largest page the API allows (2000).
  - O(expires_within_days) keeps only certificates that expire within that many days, for example
    to find what a rotation must cover.
  - Private keys are never returned.
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes.info_module
options:
  id:
    description: Certificate IDs to return.
    type: list
    elements: str
  name:
    description: Exact certificate names to return.
    type: list
    elements: str
  description:
    description: Exact descriptions to match.
    type: list
    elements: str
  type:
    description: Certificate types to return.
    type: list
    elements: str
    choices: [ server, client, server_sm ]
  domain:
    description: Domains to match (the certificate's O(certfleet.cloud.elb_certificate#module:domain) value).
    type: list
    elements: str
  common_name:
    description: Common names of the leaf certificate to match.
    type: list
    elements: str
  fingerprint:
    description: SHA-1 fingerprints of the leaf certificate to match.
    type: list
    elements: str
  scm_certificate_id:
    description: CCM certificate IDs to match.
    type: list
    elements: str
  source:
    description: Sources to match.
    type: list
    elements: str
  protection_status:
    description: Protection statuses to match.
    type: list
    elements: str
    choices: [ nonProtection, consoleProtection ]
  enterprise_project_id:
    description:
      - Only certificates of these enterprise projects (their IDs; V(0) is the default enterprise project,
        V(all_granted_eps) every enterprise project the credentials may list).
      - Given, the service authorizes the list by enterprise project, so IAM policies scoped to an enterprise
        project suffice. Left out, it lists the certificates of every enterprise project, which needs the
        C(elb:certificates:list) permission for the whole project.
    type: list
    elements: str
  expires_within_days:
    description:
      - Return only certificates whose C(expire_time) is within this many days from now
        (already expired ones included).
    type: int
  include_pem:
    description:
      - Whether to return the C(certificate) and C(enc_certificate) PEM of each certificate. The C(summary)
        is returned either way; V(false) keeps large accounts' results small.
    type: bool
    default: true
  include_listeners:
    description:
      - Whether each certificate shows where it is used - C(listeners), one entry per listener slot that holds
        it. This costs one more call, a list of every listener of the project (2000 a page); the API has no
        filter by SNI certificate, so it cannot be narrowed to the listed certificates.
    type: bool
    default: false
seealso:
  - module: certfleet.cloud.elb_certificate
  - module: certfleet.cloud.elb_listener_certificates_info
'''

EXAMPLES = r'''
- name: Find every server certificate that expires within 30 days
  certfleet.cloud.elb_certificate_info:
    region: cn-north-4
    type: [ server ]
    expires_within_days: 30
  register: expiring

- name: Show their names
  ansible.builtin.debug:
    msg: "{{ expiring.certificates | map(attribute='name') | list }}"

- name: Look up a certificate by name
  certfleet.cloud.elb_certificate_info:
    name: [ www-example-com ]
  register: found

- name: Where each expiring certificate is used
  certfleet.cloud.elb_certificate_info:
    expires_within_days: 30
    include_listeners: true
  register: expiring_where
'''

RETURN = r'''
certificates:
  description: The matching certificates, as the API returns them without private keys.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 233a325e5e3e4ce8beeb320aa714cc12
      name: www-example-com
      type: server
      domain: www.example.com
      common_name: www.example.com
      fingerprint: 869df7fcb441c2ef3fb9329437815972eeb1ef0e
      subject_alternative_names: [ www.example.com ]
      expire_time: "2045-11-17T13:25:47Z"
      expires_in_days: 6935
  contains:
    id:
      description: Certificate ID.
      type: str
      returned: always
    name:
      description: Certificate name.
      type: str
      returned: always
    expire_time:
      description: End of validity of the leaf certificate, UTC.
      type: str
      returned: always
    expires_in_days:
      description: Whole days from now until C(expire_time); negative once expired.
      type: int
      returned: when the API reports C(expire_time)
    enterprise_project_id:
      description: The enterprise project of the certificate; V(0) is the default one.
      type: str
      returned: always
      sample: "0"
    certificate:
      description: The certificate PEM as the API returns it (public data).
      type: str
      returned: when O(include_pem=true)
    listeners:
      description:
        - Every listener slot that holds the certificate - C(listener_id), C(listener_name) and C(slot)
          (V(default), V(sni) or V(client_ca)); empty when no listener uses it.
      type: list
      elements: dict
      returned: when O(include_listeners=true)
      sample:
        - listener_id: 0b11747a-b139-492f-9692-2df0b1c87193
          listener_name: https-443
          slot: default
    summary:
      description:
        - The leaf certificate in the shape every module of the collection returns, so that one
          certificate served by ELB, the CDN and a VPN gateway can be compared. Computed from the
          PEM the API returns, also when O(include_pem=false).
      type: dict
      returned: always
      contains:
        serial:
          description: Serial number as C(openssl x509 -serial) prints it (upper-case hex, leading zero kept).
          type: str
          sample: 2F889CC6E4EF1288274621D069F7F3BEF4F0D9F1
        sha256_fingerprint:
          description: SHA-256 of the DER certificate, lower-case hex.
          type: str
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

from ansible_collections.certfleet.cloud.plugins.module_utils.elb import LIST_FILTERS, TYPES, ElbCertificateApi
from ansible_collections.certfleet.cloud.plugins.module_utils.elb_listeners import ListenerApi, elb_certificate_usage
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import leaf_summary, select_expiring

PEM_FIELDS = ('certificate', 'enc_certificate')


def list_certificates(module):
    params = module.params
    api = ElbCertificateApi(module.client)
    items = list(api.list(**dict((name, params[name]) for name in LIST_FILTERS)))
    # Days left on the service's clock, as every _info module counts them.
    now = module.client.service_now()
    usage = elb_certificate_usage(ListenerApi(module.client)) if params['include_listeners'] and items else None
    listed = []
    for item in items:
        shown = api.public(item)
        if usage is not None:
            shown['listeners'] = usage.get(item['id'], [])
        shown['summary'] = leaf_summary(item.get('certificate'), now=now)
        if not params['include_pem']:
            for field in PEM_FIELDS:
                shown.pop(field, None)
        listed.append(shown)
    return {'changed': False,
            'certificates': select_expiring(listed, 'expire_time', params['expires_within_days'], now=now)}


LIST_OPTION = dict(type='list', elements='str')
ARGUMENT_SPEC = dict(
    id=dict(LIST_OPTION),
    name=dict(LIST_OPTION),
    description=dict(LIST_OPTION),
    type=dict(LIST_OPTION, choices=list(TYPES)),
    domain=dict(LIST_OPTION),
    common_name=dict(LIST_OPTION),
    fingerprint=dict(LIST_OPTION),
    scm_certificate_id=dict(LIST_OPTION),
    source=dict(LIST_OPTION),
    protection_status=dict(LIST_OPTION, choices=['nonProtection', 'consoleProtection']),
    enterprise_project_id=dict(LIST_OPTION),
    expires_within_days=dict(type='int'),
    include_pem=dict(type='bool', default=True),
    include_listeners=dict(type='bool', default=False),
)


def main():
    module = HuaweiCloudModule(
        'elb',
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
    )
    module.run(list_certificates)


if __name__ == '__main__':
    main()
