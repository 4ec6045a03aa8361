#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: elb_listener_certificates_info
short_description: List Huawei Cloud ELB v3 listeners with the certificates of their slots
version_added: 0.1.0
description:
  - Lists ELB v3 listeners with the certificate each slot holds - the default server certificate, the SNI
    certificates and the client CA - so that you can see which listener uses which certificate.
  - O(listener), O(listener_name), O(loadbalancer) and O(protocol) are the API's server-side filters.
    O(certificate) keeps the listeners that use any of these certificates in any slot; the API has no SNI
    filter, so that one is applied to the listed listeners.
  - "Calls per run: one listener list (2000 a page), then one certificate list per 100 certificates the
    listed listeners use (none with O(include_certificates=false))."
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes.info_module
options:
  listener:
    description: Listener IDs to return.
    type: list
    elements: str
  listener_name:
    description: Exact listener names to return.
    type: list
    elements: str
  loadbalancer:
    description: Only listeners of these load balancers (their IDs).
    type: list
    elements: str
  protocol:
    description: Only listeners of these protocols.
    type: list
    elements: str
    choices: [ HTTPS, TERMINATED_HTTPS, TLS, QUIC, HTTP, TCP, UDP, IP ]
  certificate:
    description: Only listeners that hold one of these certificates (IDs) in any slot.
    type: list
    elements: str
  include_certificates:
    description:
      - Whether each slot shows the certificate's name, type, domain and summary (one certificate list per
        100 certificates used). V(false) shows the IDs only.
    type: bool
    default: true
seealso:
  - module: certfleet.cloud.elb_listener_certificates
  - module: certfleet.cloud.elb_certificate_info
'''

EXAMPLES = r'''
- name: Which listeners use this certificate, and in which slot
  certfleet.cloud.elb_listener_certificates_info:
    region: cn-north-4
    certificate: [ 233a325e5e3e4ce8beeb320aa714cc12 ]
  register: using

- name: Show them
  ansible.builtin.debug:
    msg: "{{ using.listeners | map(attribute='name') | list }}"

- name: The HTTPS listeners of one load balancer
  certfleet.cloud.elb_listener_certificates_info:
    loadbalancer: [ 2b2c0c0e-a7d5-4b27-8a7f-3b0c6b1a2c11 ]
    protocol: [ HTTPS ]
'''

RETURN = r'''
listeners:
  description: The matching listeners, each with its slots.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0b11747a-b139-492f-9692-2df0b1c87193
      name: https-443
      protocol: HTTPS
      protocol_port: 443
      loadbalancer_ids: [ 2b2c0c0e-a7d5-4b27-8a7f-3b0c6b1a2c11 ]
      sni_match_algo: wildcard
      default:
        id: 233a325e5e3e4ce8beeb320aa714cc12
        name: www-example-com
        type: server
        domain: www.example.com
        serial: 2F889CC6E4EF1288274621D069F7F3BEF4F0D9F1
        subject: CN=www.example.com
        not_after: "2027-02-19T19:14:25Z"
        sha256_fingerprint: 4b1e0e9a7c0f2d7f0b5c0c5e1c8f9a3e2d1b6c7a8f9e0d1c2b3a4f5e6d7c8b9a
      sni: []
      client_ca: null
  contains:
    id:
      description: Listener ID.
      type: str
      returned: always
    name:
      description: Listener name.
      type: str
      returned: always
    protocol:
      description: Listener protocol.
      type: str
      returned: always
    protocol_port:
      description: Listener port.
      type: int
      returned: always
    loadbalancer_ids:
      description: The load balancer the listener belongs to (the API lists one).
      type: list
      elements: str
      returned: always
    sni_match_algo:
      description: V(wildcard) or V(longest_suffix); V(null) for listeners without certificates.
      type: str
      returned: always
    default:
      description:
        - The default server certificate, V(null) when there is none. With O(include_certificates=true) C(id),
          C(name), C(type), C(domain) and, from its PEM, C(serial), C(subject), C(not_after),
          C(sha256_fingerprint); otherwise C(id) only. A certificate the API does not list shows as
          C(id) and C(missing=true).
      type: dict
      returned: always
    sni:
      description: The SNI certificates, each as O(include_certificates) says for C(default).
      type: list
      elements: dict
      returned: always
    client_ca:
      description: The client CA certificate, as for C(default); V(null) when mutual authentication is off.
      type: dict
      returned: always
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.elb import ElbCertificateApi
from ansible_collections.certfleet.cloud.plugins.module_utils.elb_listeners import (
    ListenerApi, fetch_certificates, listener_certificates_view, listener_slots, loadbalancer_ids,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule


def list_listeners(module):
    params = module.params
    api = ListenerApi(module.client)
    listeners = api.list(id=params['listener'], name=params['listener_name'],
                         loadbalancer_id=params['loadbalancer'], protocol=params['protocol'])
    if params['certificate']:
        wanted = set(params['certificate'])
        listeners = [item for item in listeners if wanted & set(cid for cid, dummy in listener_slots(item))]
    used = set(certificate_id for item in listeners for certificate_id, dummy in listener_slots(item))
    if params['include_certificates']:
        certificates = fetch_certificates(ElbCertificateApi(module.client), used)
    else:
        certificates = dict((certificate_id, {'id': certificate_id}) for certificate_id in used)
    shown = []
    for item in listeners:
        entry = {'id': item['id'], 'name': item.get('name'), 'protocol': item.get('protocol'),
                 'protocol_port': item.get('protocol_port'), 'loadbalancer_ids': loadbalancer_ids(item)}
        entry.update(listener_certificates_view(item, certificates))
        shown.append(entry)
    return {'changed': False, 'listeners': shown}


LIST_OPTION = dict(type='list', elements='str')
ARGUMENT_SPEC = dict(
    listener=dict(LIST_OPTION),
    listener_name=dict(LIST_OPTION),
    loadbalancer=dict(LIST_OPTION),
    protocol=dict(LIST_OPTION, choices=['HTTPS', 'TERMINATED_HTTPS', 'TLS', 'QUIC', 'HTTP', 'TCP', 'UDP', 'IP']),
    certificate=dict(LIST_OPTION),
    include_certificates=dict(type='bool', default=True),
)


def main():
    module = HuaweiCloudModule('elb', argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run(list_listeners)


if __name__ == '__main__':
    main()
