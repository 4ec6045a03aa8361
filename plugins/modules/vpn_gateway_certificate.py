#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vpn_gateway_certificate
short_description: Manage the GM (SM2/SM3) certificate of a Huawei Cloud VPN gateway
version_added: 0.1.0
description:
  - Imports, rotates and renames the certificate of a VPN gateway of the GM flavor (VPN v5). A GM
    gateway holds one certificate made of a signature certificate and key, an encryption certificate
    and key, and the CA chain that issued them.
  - The API never returns PEM or keys, only serials, subjects, issuer and expiry. The desired PEMs are
    parsed locally and compared with what the API reports. The certificates are the same when their
    serial, subject and issuer match (subjects compared as distinguished names, not as text), and
    the chain when its first certificate's serial and subject match. Only what differs is sent;
    a rename sends only the name, a new signature pair only that pair.
  - Input is validated before any request. Every PEM must parse and all three must be SM2 certificates
    signed with SM3; each SM2 private key must match its certificate; both certificates must be issued
    by the first certificate of O(certificate_chain) (names and SM2 signature, default SM2 ID
    C(1234567812345678)), and the chain itself in order. The signature certificate must allow
    digitalSignature and the encryption certificate keyEncipherment, dataEncipherment or keyAgreement
    where a key usage extension is present. Nothing may have expired unless O(allow_expired=true).
    Lengths are those of the API. A failure names the option.
  - The API cannot delete a gateway certificate, so there is no O(state=absent).
  - The diff and the summaries show the certificates as every module of the collection does
    (RV(certificate.summary)), with serials as C(openssl x509 -serial) prints them, not in the API's decimal.
    A certificate given in the options that the gateway holds (or will hold) is shown in full from its PEM;
    any other from what the API reports, without C(sha256_fingerprint), C(sans) and C(not_before). This
    costs no request.
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes
options:
  gateway:
    description:
      - The VPN gateway, by ID (a UUID) or by name. A name is resolved through the gateway list and
        must be unique.
    type: str
    required: true
  name:
    description:
      - Name of the certificate, 3 to 63 letters, digits, C(_), C(-) and C(.).
      - Required to import a certificate; changes the name of an existing one.
    type: str
  certificate:
    description:
      - The SM2 signature certificate, PEM (one certificate, at most 4096 characters once re-encoded).
      - O(certificate), O(private_key), O(enc_certificate), O(enc_private_key) and
        O(certificate_chain) are given together, or none of them (to rename only).
    type: str
  private_key:
    description:
      - The SM2 private key of O(certificate), PEM (C(PRIVATE KEY), C(EC PRIVATE KEY) or
        C(SM2 PRIVATE KEY)), unencrypted. Never logged, shown in a diff or returned.
    type: str
  enc_certificate:
    description:
      - The SM2 encryption certificate, PEM.
    type: str
  enc_private_key:
    description:
      - The SM2 private key of O(enc_certificate), PEM. Never logged, shown in a diff or returned.
    type: str
  certificate_chain:
    description:
      - The CA certificates that issued O(certificate) and O(enc_certificate), issuer first, PEM
        (at most 8192 characters).
    type: str
  allow_expired:
    description:
      - Import certificates whose validity has already ended.
    type: bool
    default: false
  state:
    description:
      - Only V(present); the API cannot delete a gateway certificate.
    type: str
    choices: [ present ]
    default: present
  wait:
    description:
      - After a write, wait until the certificate's status is C(BOUND) again (the gateway applies a
        new certificate asynchronously, C(BINDING) meanwhile). The task fails naming the last status if it
        is not reached within O(wait_timeout), and at once if the gateway reports C(FAULT).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds, with O(wait=true).
    type: int
    default: 300
  busy_timeout:
    description:
      - How long, in seconds, a change is retried while the API refuses it because the previous one is
        still being applied.
    type: int
    default: 300
notes:
  - Rotating means giving the new PEMs of every option; the module sends only the pairs that changed.
  - A second identical run reads the gateway's certificate once (and looks the gateway up once when
    O(gateway) is a name) and writes nothing.
seealso:
  - module: certfleet.cloud.vpn_gateway_certificate_info
'''

EXAMPLES = r'''
- name: Import or rotate the GM certificate of a VPN gateway
  certfleet.cloud.vpn_gateway_certificate:
    region: cn-north-4
    gateway: gm-gateway-1
    name: vpn-example-com
    certificate: "{{ lookup('file', 'gm/sign.pem') }}"
    private_key: "{{ lookup('file', 'gm/sign.key') }}"
    enc_certificate: "{{ lookup('file', 'gm/enc.pem') }}"
    enc_private_key: "{{ lookup('file', 'gm/enc.key') }}"
    certificate_chain: "{{ lookup('file', 'gm/ca.pem') }}"

- name: Rename it only
  certfleet.cloud.vpn_gateway_certificate:
    gateway: 0b9c7f2e-7f4c-4a5e-9d6e-1c2b3a4d5e6f
    name: vpn-example-com-2027
'''

RETURN = r'''
certificate:
  description:
    - The gateway's certificate as the API reports it after the change (times in UTC). Never contains
      PEM or a key.
    - In check mode, the predicted certificate (fields the API computes are missing on import).
  returned: always
  type: dict
  sample:
    id: 73f072d8-8b4c-4a8d-9a86-2a755d95636f
    name: vpn-example-com
    vgw_id: c7f1d3e3-0476-4a71-95a7-3ce8cbb969de
    status: BOUND
    issuer: C=CN,ST=Beijing,L=HaiDian,O=certfleet,CN=certfleet GM CA
    signature_algorithm: SM3WITHSM2
    certificate_serial_number: "16548506527294397241"
    certificate_subject: C=CN,ST=Beijing,L=HaiDian,O=certfleet,OU=vpn,CN=vpn.example.com
    certificate_expire_time: "2027-02-20T07:41:39Z"
    enc_certificate_serial_number: "16548506527294397242"
    certificate_chain_serial_number: "12369133709000538078"
  contains:
    id:
      description: Certificate ID.
      type: str
      returned: success
    status:
      description: Status of the certificate, C(BOUND) once applied, C(BINDING) meanwhile, C(FAULT) if it could not be.
      type: str
      returned: success
    certificate_serial_number:
      description:
        - Serial number of the signature certificate, decimal, as the API reports it. RV(certificate.summary.serial)
          has it in the form every module shows.
      type: str
      returned: success
    certificate_subject:
      description: Subject of the signature certificate, in certificate order (C(C=CN,...,CN=...)).
      type: str
      returned: success
    certificate_expire_time:
      description: End of validity of the signature certificate, UTC.
      type: str
      returned: success
    summary:
      description:
        - The signature certificate in the shape every module of the collection returns.
        - When the gateway holds the certificate given in O(certificate), every field is known; otherwise
          it is built from what the API reports (no C(sha256_fingerprint), no C(sans)).
      type: dict
      returned: success
      contains:
        serial:
          description: Serial number as C(openssl x509 -serial) prints it (upper-case hex, leading zero kept).
          type: str
          sample: E5A81B02429D9B39
        sha256_fingerprint:
          description: SHA-256 of the DER certificate, lower-case hex.
          type: str
          sample: 726f3893aa59fb44c74f0c5829be4a3a081ef13a2015f979408e520844ecfb99
        not_before:
          description: Start of validity, ISO 8601 UTC.
          type: str
          sample: "2026-11-22T07:41:39Z"
        not_after:
          description: End of validity, ISO 8601 UTC.
          type: str
          sample: "2027-02-20T07:41:39Z"
        subject:
          description: Subject, RFC 4514.
          type: str
          sample: CN=vpn.example.com,OU=vpn,O=certfleet,L=HaiDian,ST=Beijing,C=CN
        issuer:
          description: Issuer, RFC 4514.
          type: str
          sample: CN=certfleet GM CA,O=certfleet,L=HaiDian,ST=Beijing,C=CN
        sans:
          description: DNS names and IP addresses of the subject alternative names.
          type: list
          elements: str
        days_left:
          description: Whole days until the signature certificate expires.
          type: int
previous_summary:
  description:
    - The shared summary (as in RV(certificate.summary)) of the certificate served before this run; equal to it when
      nothing changed, C(null) when the certificate was created.
    - The P(certfleet.cloud.certificate_rotation#role) role reports a rotation with it.
  returned: when O(state=present)
  type: dict
diff:
  description:
    - "Before and after: C(name), and C(certificate), C(enc_certificate) and C(certificate_chain) each as a list of
      summaries in the shape of RV(certificate.summary) (see the description for which fields are known); the keys
      only as C(<redacted>) or C(<redacted: changed>)."
  returned: always
  type: dict
  contains:
    before:
      description: The certificate before the change.
      type: dict
      returned: always
    after:
      description: The certificate after the change.
      type: dict
      returned: always
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule
from ansible_collections.certfleet.cloud.plugins.module_utils.vpn import (
    ARGUMENT_SPEC, VpnGatewayCertificate, VpnGatewayCertificateApi,
)


def main():
    module = HuaweiCloudModule('vpn', argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run_manager(VpnGatewayCertificate, VpnGatewayCertificateApi, 'present')


if __name__ == '__main__':
    main()
