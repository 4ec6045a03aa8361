#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: netcenter_certificate
short_description: Manage Wangsu (ChinaNetCenter) CDN certificates
version_added: 0.1.0
description:
  - Creates, updates (rotates, renames) and deletes a certificate of the Wangsu / ChinaNetCenter
    certificate management API. Domains that use the certificate serve the new one after an update.
  - The certificate and key are sent re-encoded from their DER bytes (64-character lines, no blank
    lines), the form the API requires, so any well-formed PEM works and the same input always
    produces the same bytes.
  - Idempotent without downloading anything secret. The certificate, chain and key are compared by the
    serial and the MD5 digests the API reports for its stored files against the digests of that
    re-encoded form. Re-indented, CRLF or re-wrapped input is no change.
  - Input is checked before any request, as the API would check it. The PEM must parse; the leaf comes
    first, followed by its CA chain in order; the key must match the leaf; the certificate must not
    have expired (unless O(allow_expired=true)); lengths are those of the API. A failure names the option.
  - An update or delete that the API refuses because the certificate is being deployed (codes 36540026
    and 36540027) is retried with backoff for up to O(busy_timeout) seconds.
  - A new certificate must cover every accelerated domain that uses the one it replaces (the API refuses
    it otherwise). This is checked before any write, in check mode too, and the error names the domains.
  - The diff and the summaries show the certificate as every module of the collection does (RV(certificate.summary)).
    The list API shows no PEM, so the module uses the PEM it is given when the service stores exactly that
    (the digests match), and otherwise reads the stored one with one C(GET /api/certificate/{id}/content),
    for the certificate it found only. Only the certificates of that answer are kept; a private key the
    answer may hold is dropped unread.
  - "Requests per run: an unchanged rerun, 1 (the list); a create, 2 (list, add; 3 with O(auto_renew) or
    O(is_need_alarm), which an edit sets); a new certificate or chain for an existing one, 3 (list, content,
    edit); a rename or a new comment only, 2 (list, edit); a deletion, 3 (list, content, delete); nothing to
    delete, 1. Check mode makes the same reads and no write."
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.netcenter
  - certfleet.cloud.connection
  - certfleet.cloud.attributes
  - certfleet.cloud.state
options:
  id:
    description:
      - ID of an existing certificate. When set, the certificate is found by ID and O(name) may rename it.
    type: str
  name:
    description:
      - Name of the certificate, unique per customer, 1 to 512 characters.
      - Without O(id), the certificate is found by this name; required to create one.
    type: str
  certificate:
    description:
      - The leaf certificate followed by its CA chain (intermediates, optionally the root), PEM.
      - Required with O(state=present). The API stores the leaf and the chain as separate files.
    type: str
  private_key:
    description:
      - Private key of the leaf certificate, PEM, unencrypted. Never logged, shown in a diff or returned.
      - Required with O(state=present) unless O(csr_id) names a CSR whose key the API should use.
    type: str
  csr_id:
    description:
      - ID of a certificate signing request made with the API; its private key is used when
        O(private_key) is not given.
    type: int
  comment:
    description:
      - Remark, at most 1024 characters. Left as it is when not set.
    type: str
  auto_renew:
    description:
      - Whether the service renews the certificate automatically.
      - The API does not report this setting, so it cannot be compared. It is sent with every update
        and right after a create, and never causes a change on its own.
    type: bool
  is_need_alarm:
    description:
      - Whether the service sends expiry alarms. Write-only, like O(auto_renew).
    type: bool
  allow_expired:
    description:
      - Upload the certificate even if it has expired. The API refuses expired certificates unless
        its own setting allows them.
    type: bool
    default: false
  busy_timeout:
    description:
      - How long, in seconds, an update or delete is retried while the API answers that the
        certificate is being deployed or undeployed.
    type: int
    default: 300
seealso:
  - module: certfleet.cloud.netcenter_certificate_info
'''

EXAMPLES = r'''
- name: Upload or rotate the CDN certificate of www (credentials from WANGSU_ACCESS_KEY/WANGSU_SECRET_KEY)
  certfleet.cloud.netcenter_certificate:
    name: www-example-com
    certificate: "{{ lookup('file', 'www.fullchain.pem') }}"
    private_key: "{{ lookup('file', 'www.key') }}"
    comment: managed by certfleet.cloud

- name: Rename a certificate found by id
  certfleet.cloud.netcenter_certificate:
    id: "123456"
    name: www-example-com-2027
    certificate: "{{ lookup('file', 'www.fullchain.pem') }}"
    private_key: "{{ lookup('file', 'www.key') }}"

- name: Use the older username / API key scheme
  certfleet.cloud.netcenter_certificate:
    username: "{{ wangsu_user }}"
    api_key: "{{ wangsu_api_key }}"
    name: www-example-com
    state: absent
'''

RETURN = r'''
certificate:
  description:
    - The certificate as the API reports it, keys renamed to snake case, after the change.
      V(null) when O(state=absent). Never contains the private key.
    - In check mode, and after a write, the fields this run sets are predicted from the input.
  returned: always
  type: dict
  sample:
    id: "123456"
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
  contains:
    id:
      description: Certificate ID.
      type: str
      returned: always
    serial:
      description:
        - Serial number of the leaf as the list reports it, lower-case hex. RV(certificate.summary.serial) has it
          in the form every module shows.
      type: str
      returned: always
    not_after:
      description: End of validity of the leaf, UTC (the API reports China Standard Time).
      type: str
      returned: always
    dns_names:
      description: DNS names the certificate covers.
      type: list
      elements: str
      returned: always
    related_domains:
      description: Accelerated domains that use the certificate.
      type: list
      elements: dict
      returned: when the API reports them
    crt_md5:
      description: MD5 of the stored leaf file.
      type: str
      returned: always
    ca_md5:
      description: MD5 of the stored chain file.
      type: str
      returned: always
    key_md5:
      description: MD5 of the stored key file (a digest, not the key).
      type: str
      returned: always
    summary:
      description:
        - The leaf certificate in the shape every module of the collection returns, so that one
          certificate served by ELB, the CDN and a VPN gateway can be compared.
        - From the PEM of the leaf, the one given in O(certificate) or the one read with the content call (see
          the description). Only when that read fails (a warning says so) is it built from what the list
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
previous_summary:
  description:
    - The shared summary (as in RV(certificate.summary)) of the certificate served before this run; equal to it when
      nothing changed, C(null) when the certificate was created.
    - The P(certfleet.cloud.certificate_rotation#role) role reports a rotation with it.
  returned: when O(state=present)
  type: dict
diff:
  description:
    - "Before and after: C(name), C(comment), C(certificate) as a list of summaries (the leaf, then its chain,
      each as RV(certificate.summary)), never PEM, and the key only as C(<redacted>) or C(<redacted: changed>)."
    - Returned whether or not diff mode is on, so a registered result always shows what changed.
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

from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterModule
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_certificates import (
    ARGUMENT_SPEC, NetcenterCertificate, NetcenterCertificateApi,
)


def main():
    module = NetcenterModule(argument_spec=ARGUMENT_SPEC, required_one_of=[('id', 'name')], supports_check_mode=True)
    module.run_manager(NetcenterCertificate, NetcenterCertificateApi)


if __name__ == '__main__':
    main()
