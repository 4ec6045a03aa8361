#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: elb_certificate
short_description: Manage Huawei Cloud ELB v3 certificates
version_added: 0.1.0
description:
  - Create, update (rotate, rename) and delete certificates of Huawei Cloud Elastic Load Balance
    (ELB v3) - server certificates, CA certificates (V(client)) and SM dual certificates (V(server_sm)).
  - The certificate is found by O(id), else by O(name) (and O(type) when given) through the
    API's server-side filters. A second identical run reads once and reports no change.
  - Certificates are compared by their DER encoding, so re-indented, CRLF or one-line PEM of the same
    certificate is no change. The private key is never compared as text and never returned;
    a key that belongs to an unchanged certificate is no change.
  - Input is validated before any request is sent. The PEM must parse, the key must match the certificate,
    the certificate must not have expired (unless O(allow_expired=true)), and lengths, enums and the domain
    grammar are those of the API. A failure names the option.
  - A V(server) or V(server_sm) certificate option holds the leaf first, then each issuer in order; every
    link is checked (issuer name and signature), so a chain out of order or from another CA is refused.
    A V(client) (CA) certificate may be a bundle of unrelated CAs.
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes
  - certfleet.cloud.state
options:
  id:
    description:
      - ID of an existing certificate. When set, the certificate is found by ID only and O(name) may rename it.
    type: str
  name:
    description:
      - Name of the certificate, 0 to 255 characters.
      - Without O(id), the certificate is found by this name (and O(type) when given); the name must not
        be empty then. Several matches are an error that lists their IDs; use O(id) then.
    type: str
  description:
    description:
      - Description, 0 to 255 characters.
    type: str
  type:
    description:
      - V(server) for a server certificate, V(client) for a CA certificate used to verify clients,
        V(server_sm) for an SM (GM) dual certificate.
      - Used to create and, when given, to narrow the lookup by name. The type of an existing
        certificate cannot be changed. When not given, a new certificate is created as V(server).
    type: str
    choices: [ server, client, server_sm ]
  certificate:
    description:
      - The certificate in PEM, leaf first followed by its chain (at most 11 certificates, 65536 characters).
      - Any PEM layout is accepted; it is sent re-encoded in canonical form (64-character lines).
      - Required to create a certificate.
    type: str
  private_key:
    description:
      - The private key of the certificate in PEM (unencrypted, at most 8192 characters).
      - Required with O(certificate) for V(server) and V(server_sm) certificates. It must match the
        certificate's public key; SM2 keys (V(server_sm)) are checked too, by deriving their public point.
      - Private-key text found in any other option is treated as a secret too, and refused.
    type: str
  domain:
    description:
      - Comma-separated domains the server certificate serves, at most 100 and 10000 characters in all.
        Each is a domain name whose labels are letters, digits and hyphens (not at either end of a label,
        at most 63 characters), optionally starting with C(*.) for a wildcard.
      - Only for V(server) certificates. An empty string clears it; the API refuses that (HTTP 409)
        while a listener uses the certificate.
    type: str
  enc_certificate:
    description:
      - The encryption certificate of an SM dual certificate, in PEM. Only for V(server_sm).
    type: str
  enc_private_key:
    description:
      - The private key of O(enc_certificate), in PEM. Only for V(server_sm).
    type: str
  scm_certificate_id:
    description:
      - ID of the matching certificate in Cloud Certificate Manager (CCM). Recorded only; the content
        must still be given in O(certificate) and O(private_key).
    type: str
  source:
    description:
      - V(scm) marks a certificate that comes from CCM; an empty string marks your own certificate.
    type: str
    choices: [ scm, '' ]
  protection_status:
    description:
      - V(consoleProtection) forbids changing the certificate from the console.
    type: str
    choices: [ nonProtection, consoleProtection ]
  protection_reason:
    description:
      - Why the certificate is protected. Only with O(protection_status=consoleProtection).
    type: str
  enterprise_project_id:
    description:
      - The enterprise project a new certificate belongs to, so that IAM policies scoped to that enterprise
        project apply to it. V(0) is the default enterprise project, where the service puts a certificate
        created without this option; any other value is the ID (a UUID) of an enterprise project.
      - Sent on create only. The API cannot move a certificate to another enterprise project (its update takes
        no such field), so a certificate found in another one than this option names is an error, and nothing is sent.
    type: str
  allow_expired:
    description:
      - Upload a certificate whose validity has already ended.
    type: bool
    default: false
notes:
  - Updating a certificate affects every listener that uses it, which is the point of a rotation.
seealso:
  - module: certfleet.cloud.elb_certificate_info
'''

EXAMPLES = r'''
- name: Upload or rotate a server certificate
  certfleet.cloud.elb_certificate:
    region: cn-north-4
    name: www-example-com
    certificate: "{{ lookup('file', 'www.example.com/fullchain.pem') }}"
    private_key: "{{ lookup('file', 'www.example.com/privkey.pem') }}"
    domain: "www.example.com,*.example.com"
    description: Managed by Ansible

- name: Set the connection once for every Huawei Cloud module
  module_defaults:
    group/certfleet.cloud.huaweicloud:
      region: cn-north-4
      project_id: "{{ hw_project_id }}"
  block:
    - name: Add a CA certificate used to verify client certificates
      certfleet.cloud.elb_certificate:
        name: partner-ca
        type: client
        certificate: "{{ lookup('file', 'partner-ca.pem') }}"

- name: Rename a certificate found by ID
  certfleet.cloud.elb_certificate:
    id: 233a325e5e3e4ce8beeb320aa714cc12
    name: www-example-com-2026

- name: Delete a certificate
  certfleet.cloud.elb_certificate:
    name: www-example-com
    state: absent
'''

RETURN = r'''
certificate:
  description:
    - The certificate as the API returns it after the change, without O(private_key) or
      O(enc_private_key). V(null) when O(state=absent).
    - In check mode, the predicted resource (fields the API computes are missing on create).
  returned: always
  type: dict
  sample:
    id: 233a325e5e3e4ce8beeb320aa714cc12
    name: www-example-com
    type: server
    description: Managed by Ansible
    domain: www.example.com
    certificate: "-----BEGIN CERTIFICATE-----\nMIIC4TCCAcmgAwIBAgICEREwDQYJKoZIhvcNAQELBQAw...\n-----END CERTIFICATE-----\n"
    common_name: www.example.com
    fingerprint: 869df7fcb441c2ef3fb9329437815972eeb1ef0e
    subject_alternative_names: [ www.example.com ]
    expire_time: "2045-11-17T13:25:47Z"
    created_at: "2019-03-31T22:23:51Z"
    updated_at: "2019-03-31T23:26:49Z"
    project_id: 99a3fff0d03c428eac3678da6a7d0f24
    admin_state_up: true
    protection_status: nonProtection
  contains:
    id:
      description: Certificate ID.
      type: str
      returned: success
    name:
      description: Certificate name.
      type: str
      returned: success
    type:
      description: V(server), V(client) or V(server_sm).
      type: str
      returned: success
    certificate:
      description: The certificate PEM (public data).
      type: str
      returned: success
    fingerprint:
      description: SHA-1 fingerprint of the leaf certificate, as computed by the service.
      type: str
      returned: success
    expire_time:
      description: End of the leaf certificate's validity, C(yyyy-MM-ddTHH:mm:ssZ) UTC.
      type: str
      returned: success
    enterprise_project_id:
      description: The enterprise project of the certificate; V(0) is the default one.
      type: str
      returned: success
      sample: "0"
    summary:
      description:
        - The leaf certificate in the shape every module of the collection returns, so that one
          certificate served by ELB, the CDN and a VPN gateway can be compared.
      type: dict
      returned: success
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
          description: Whole days until O(certificate) expires; negative once expired.
          type: int
previous_summary:
  description:
    - The shared summary (as in RV(certificate.summary)) of the certificate served before this run; equal to it when
      nothing changed, C(null) when the certificate was created.
    - The P(certfleet.cloud.certificate_rotation#role) role reports a rotation with it.
  returned: when O(state=present)
  type: dict
diff:
  description: Before and after, with certificate summaries and C(<redacted>) secrets.
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

from ansible_collections.certfleet.cloud.plugins.module_utils.elb import ARGUMENT_SPEC, ElbCertificate, ElbCertificateApi
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule


def main():
    module = HuaweiCloudModule('elb', argument_spec=ARGUMENT_SPEC, required_one_of=[('id', 'name')],
                               supports_check_mode=True)
    module.run_manager(ElbCertificate, ElbCertificateApi)


if __name__ == '__main__':
    main()
