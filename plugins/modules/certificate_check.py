#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: certificate_check
short_description: Check a certificate and its key against the services it is about to be deployed to
version_added: 0.1.0
description:
  - Checks, locally and without any request, that a certificate can be deployed to each of O(services)
    with the rules the deploying modules apply, so that a rotation can refuse bad input before it
    touches any target.
  - The PEM parses, the key matches the leaf, the chain is in order (each certificate issued by the
    next one, signatures verified) and complete (the leaf's issuer follows it, unless the leaf is
    self-signed), no certificate has expired, and every service takes the key algorithm and the
    sizes. C(vpn) takes only a GM certificate (SM2 signed with SM3) with its encryption pair and
    their CA chain; C(elb) and C(netcenter) take RSA and ECDSA certificates.
  - The role P(certfleet.cloud.certificate_rotation#role) runs it before any request.
author:
  - certfleet.cloud maintainers (@certfleet)
options:
  certificate:
    description:
      - The certificate in PEM, leaf first, then the chain of issuing CAs in order.
      - For O(services=vpn), the GM signature certificate alone; its chain goes in O(certificate_chain).
    type: str
    required: true
  private_key:
    description:
      - The private key of the leaf of O(certificate), in PEM, unencrypted.
    type: str
    required: true
  services:
    description:
      - The services the certificate is checked for.
      - C(elb) is an ELB certificate of type C(server), C(netcenter) a Wangsu CDN certificate, C(vpn)
        a GM VPN gateway certificate.
    type: list
    elements: str
    choices: [elb, netcenter, vpn]
    default: [elb, netcenter]
  enc_certificate:
    description:
      - The GM encryption certificate, for O(services=vpn).
    type: str
  enc_private_key:
    description:
      - The key of O(enc_certificate), for O(services=vpn).
    type: str
  certificate_chain:
    description:
      - The CA chain of the two GM certificates, for O(services=vpn).
    type: str
  allow_expired:
    description:
      - Accept expired certificates, as the deploying modules' option of the same name does.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Changes nothing and sends nothing; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing; there is nothing to diff.
notes:
  - It sends no request, so it needs neither credentials nor an endpoint, and it changes nothing.
seealso:
  - module: certfleet.cloud.elb_certificate
  - module: certfleet.cloud.netcenter_certificate
  - module: certfleet.cloud.vpn_gateway_certificate
'''

EXAMPLES = r'''
- name: Refuse a bundle that ELB or the CDN would refuse, before deploying it anywhere
  certfleet.cloud.certificate_check:
    certificate: "{{ lookup('ansible.builtin.file', 'www.fullchain.pem') }}"
    private_key: "{{ lookup('ansible.builtin.file', 'www.key') }}"
    services: [elb, netcenter]
  register: checked

- name: Check a GM pair for a VPN gateway
  certfleet.cloud.certificate_check:
    certificate: "{{ lookup('ansible.builtin.file', 'vpn-sign.pem') }}"
    private_key: "{{ lookup('ansible.builtin.file', 'vpn-sign.key') }}"
    enc_certificate: "{{ lookup('ansible.builtin.file', 'vpn-enc.pem') }}"
    enc_private_key: "{{ lookup('ansible.builtin.file', 'vpn-enc.key') }}"
    certificate_chain: "{{ lookup('ansible.builtin.file', 'gm-ca.pem') }}"
    services: [vpn]
'''

RETURN = r'''
summary:
  description:
    - The shared summary of the leaf of O(certificate), as every deploying module returns it.
  returned: success
  type: dict
  contains:
    serial:
      description: Serial number, colon-separated hex pairs.
      type: str
      sample: "1f:0a:93:6c"
    sha256_fingerprint:
      description: SHA-256 of the DER, colon-separated hex pairs.
      type: str
    not_before:
      description: Start of validity, UTC.
      type: str
      sample: "2026-11-01T00:00:00Z"
    not_after:
      description: End of validity, UTC.
      type: str
      sample: "2027-11-01T00:00:00Z"
    subject:
      description: Subject, RFC 4514.
      type: str
      sample: CN=www.example.com
    issuer:
      description: Issuer, RFC 4514.
      type: str
    sans:
      description: DNS names and IP addresses of the subject alternative name extension.
      type: list
      elements: str
    days_left:
      description: Whole days until the certificate expires.
      type: int
enc_summary:
  description: The shared summary of O(enc_certificate).
  returned: when O(services) holds C(vpn)
  type: dict
chain:
  description: The shared summaries of the chain after the leaf (or of O(certificate_chain)), in order.
  returned: success
  type: list
  elements: dict
services:
  description: The services the certificate was checked for and accepted by.
  returned: success
  type: list
  elements: str
  sample: [elb, netcenter]
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.elb import CERTIFICATE_RULES as ELB_RULES
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.module import CertfleetModule
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_certificates import (
    CERTIFICATE_RULES as NETCENTER_RULES,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.vpn import PEM_OPTIONS, GmCertificate, check_gm
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import (
    CertificateBundle, check_complete, check_not_gm, load_certificates,
)

# The deploying modules' own rules, and how each service is named in an error.
BUNDLE_SERVICES = {
    'elb': (ELB_RULES, 'ELB (type server; a GM certificate is type server_sm with its encryption pair)'),
    'netcenter': (NETCENTER_RULES, 'Wangsu CDN'),
}


def check(module):
    params = module.params
    services = list(dict.fromkeys(params['services']))
    if not services:
        raise InputError('services', 'is empty; name at least one of elb, netcenter, vpn')
    allow_expired = params['allow_expired']
    result = dict(changed=False, services=services)
    for service in services:
        if service == 'vpn':
            continue
        rules, label = BUNDLE_SERVICES[service]
        bundle = CertificateBundle.from_params(params, 'certificate', 'private_key', key_required=True, **rules)
        check_complete(bundle)
        check_not_gm(bundle, label)
        result.update(summary=bundle.leaf.summary(), chain=[certificate.summary() for certificate in bundle.chain])
    if 'vpn' in services:
        check_gm('certificate', load_certificates(params['certificate'], 'certificate')[0])
        missing = [option for option in PEM_OPTIONS if params[option] is None]
        if missing:
            raise InputError(missing[0], 'is required for services=vpn: a GM gateway takes a signature pair, an '
                                         'encryption pair and their CA chain (%s)' % ', '.join(PEM_OPTIONS))
        gm = GmCertificate(params, allow_expired=allow_expired)
        result.update(summary=gm.sign.leaf.summary(), enc_summary=gm.enc.leaf.summary(),
                      chain=[certificate.summary() for certificate in gm.chain.certificates])
    return result


def main():
    module = CertfleetModule(
        argument_spec=dict(
            certificate=dict(type='str', required=True),
            private_key=dict(type='str', required=True, no_log=True),
            services=dict(type='list', elements='str', choices=['elb', 'netcenter', 'vpn'],
                          default=['elb', 'netcenter']),
            enc_certificate=dict(type='str'),
            enc_private_key=dict(type='str', no_log=True),
            certificate_chain=dict(type='str'),
            allow_expired=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    module.run(check)


if __name__ == '__main__':
    main()
