#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: elb_listener_certificates
short_description: Attach certificates to a Huawei Cloud ELB v3 listener
version_added: 0.1.0
description:
  - Sets the certificates of an ELB v3 listener's three slots - the default server certificate, the SNI
    certificates and the client CA certificate (mutual authentication) - and the SNI match algorithm.
    A slot whose option is not given is left as it is.
  - The listener is found by O(listener) (its ID), or by O(loadbalancer) and O(listener_name).
    Certificates are given by ID or by name (an ELB certificate's name; a name shared by several
    certificates is an error that lists their IDs).
  - The API's rules are checked before anything is sent, each failure naming the option - only HTTPS,
    TERMINATED_HTTPS, TLS and QUIC listeners hold certificates; the default and SNI slots take V(server)
    (or V(server_sm)) certificates and the client CA slot a V(client) one; QUIC listeners have no client CA;
    at most 50 SNI certificates, each with a C(domain), no domain on two of them unless one is ECC and the
    other RSA, at most 200 domains in all, RSA only on QUIC.
  - "Calls per run: one listener read (a show by O(listener), a filtered list by O(loadbalancer) and
    O(listener_name)), one certificate list by name when names are given, one certificate list by ID for
    the certificates the listener holds or is given by ID that the lookup by name did not return, and one
    update when something changes. A second identical run reads two or three times and writes nothing."
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes
options:
  listener:
    description:
      - ID of the listener. Mutually exclusive with O(loadbalancer) and O(listener_name).
    type: str
  loadbalancer:
    description:
      - ID of the load balancer whose listener named O(listener_name) is managed. Requires O(listener_name).
    type: str
  listener_name:
    description:
      - Name of the listener within O(loadbalancer); several listeners of that name are an error that lists
        their IDs. Requires O(loadbalancer).
    type: str
  server_certificate:
    description:
      - The default server certificate, by ID or name. A listener that holds certificates always has one, so
        it can be replaced, never removed.
    type: str
  sni_certificates:
    description:
      - SNI certificates, by ID or name. With O(purge_sni=false) they are added to those the listener holds;
        with O(purge_sni=true) the listener holds exactly these (V([]) removes every SNI certificate).
      - Each needs a C(domain) (O(certfleet.cloud.elb_certificate#module:domain)); the order does not matter.
    type: list
    elements: str
  purge_sni:
    description:
      - Whether SNI certificates that O(sni_certificates) does not list are removed.
    type: bool
    default: false
  sni_match_algo:
    description:
      - How SNI names are matched with wildcard domains - V(wildcard) (standard domain levels, the API's
        default) or V(longest_suffix).
    type: str
    choices: [ wildcard, longest_suffix ]
  client_ca_certificate:
    description:
      - The CA certificate (type V(client)) that client certificates are verified against, by ID or name;
        mutual authentication is on while the listener holds one. An empty string removes it.
    type: str
notes:
  - Replacing a certificate in a slot is one listener update; the old certificate object is left in
    place (M(certfleet.cloud.elb_certificate) deletes it; the API refuses while a listener uses it).
seealso:
  - module: certfleet.cloud.elb_listener_certificates_info
  - module: certfleet.cloud.elb_certificate
'''

EXAMPLES = r'''
- name: Serve www's certificate on a listener, with two SNI certificates
  certfleet.cloud.elb_listener_certificates:
    region: cn-north-4
    listener: 0b11747a-b139-492f-9692-2df0b1c87193
    server_certificate: www-example-com
    sni_certificates: [ api-example-com, shop-example-com ]

- name: Find the listener by name; exactly these SNI certificates
  certfleet.cloud.elb_listener_certificates:
    loadbalancer: 2b2c0c0e-a7d5-4b27-8a7f-3b0c6b1a2c11
    listener_name: https-443
    sni_certificates: [ api-example-com ]
    purge_sni: true

- name: Mutual authentication with a partner's CA
  certfleet.cloud.elb_listener_certificates:
    listener: 0b11747a-b139-492f-9692-2df0b1c87193
    client_ca_certificate: partner-ca

- name: Mutual authentication off
  certfleet.cloud.elb_listener_certificates:
    listener: 0b11747a-b139-492f-9692-2df0b1c87193
    client_ca_certificate: ''
'''

RETURN = r'''
listener:
  description:
    - The listener as the API returns it after the change (in check mode, the prediction), and the
      certificates of its slots.
  returned: success
  type: dict
  sample:
    id: 0b11747a-b139-492f-9692-2df0b1c87193
    name: https-443
    protocol: HTTPS
    protocol_port: 443
    loadbalancers: [ {id: 2b2c0c0e-a7d5-4b27-8a7f-3b0c6b1a2c11} ]
    default_tls_container_ref: 233a325e5e3e4ce8beeb320aa714cc12
    sni_container_refs: [ 5f7f1f1ee5a34a6c8b0e3a42c4c4f1b2 ]
    sni_match_algo: wildcard
    client_ca_tls_container_ref: null
    certificates:
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
      sni_match_algo: wildcard
  contains:
    id:
      description: Listener ID.
      type: str
      returned: success
    protocol:
      description: The listener's protocol (C(HTTPS), C(TERMINATED_HTTPS), C(TLS), C(QUIC), ...).
      type: str
      returned: success
    default_tls_container_ref:
      description: ID of the default server certificate.
      type: str
      returned: success
    sni_container_refs:
      description: IDs of the SNI certificates.
      type: list
      elements: str
      returned: success
    client_ca_tls_container_ref:
      description: ID of the client CA certificate; V(null) when mutual authentication is off.
      type: str
      returned: success
    sni_match_algo:
      description: V(wildcard) or V(longest_suffix).
      type: str
      returned: success
    certificates:
      description:
        - Each slot's certificate - C(default) and C(client_ca) a dict or V(null), C(sni) a list - as C(id),
          C(name), C(type), C(domain), and from its PEM C(serial), C(subject), C(not_after) and
          C(sha256_fingerprint). A certificate the listener names but the API no longer lists shows as
          C(id) and C(missing=true).
      type: dict
      returned: success
diff:
  description:
    - With C(--diff), C(before) and C(after) show the listener's C(id), C(name) and C(protocol) and what each
      slot holds, in the form of RV(listener.certificates) (never PEM).
  returned: when diff mode is on
  type: dict
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.elb_listeners import (
    ARGUMENT_SPEC, ListenerApi, ListenerCertificates,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule


def main():
    module = HuaweiCloudModule('elb', argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                               required_one_of=[('listener', 'listener_name')],
                               required_together=[('loadbalancer', 'listener_name')],
                               mutually_exclusive=[('listener', 'listener_name'), ('listener', 'loadbalancer')])
    module.run_manager(ListenerCertificates, ListenerApi)


if __name__ == '__main__':
    main()
