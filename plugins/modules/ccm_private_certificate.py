#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ccm_private_certificate
short_description: Issue, renew, export and revoke a private certificate from a Huawei Cloud CCM private CA
version_added: 0.1.0
description:
  - Makes sure a service has a valid certificate from a private CA of Huawei Cloud Certificate Manager (CCM,
    private CA), renews it before it runs out, and writes the certificate, chain and private key to the files
    the service reads.
  - "Identity: the certificate the module owns carries the tag C(certfleet.name=<name>), set when the module
    issues it, and is found through the tag filter (C(resource-instances/filter)), never by scanning the
    account. If several certificates carry the tag (a run that stopped between issuing a replacement and
    retiring the old one), the newest ISSUED one is the current one and the others are retired on this run.
    A certificate issued outside this module is never adopted."
  - "A new certificate is issued, and the old one retired (its tag removed, and revoked with
    O(revoke_replaced=true)), when there is none yet, when the current one is not ISSUED (revoked or
    expired), when it has fewer than O(renew_before_days) days left, or when the desired spec differs from
    what it was issued with: issuer, the distinguished-name fields given, key or signature algorithm
    (compared with what the API shows), O(enterprise_project_id) when given and the certificate shows one,
    or SANs, key usages, extended key usages, customized extension
    (compared through a digest the module keeps in the tag C(certfleet.spec), as the API never shows them
    back). O(validity) is not compared; a new value applies to the next certificate."
  - Days left are counted on the service's clock (the C(Date) of its answers), so that a controller whose
    clock is off does not renew too early or too late.
  - "Files: each of O(certificate_path), O(chain_path), O(fullchain_path) and O(private_key_path) is
    rewritten when it is missing or stale, and whenever a certificate is issued; the certificate is exported
    only then. Stale is judged locally: the certificate (or the first of the full chain) must have the
    current serial number, the chain must start with the issuing CA and have signed the certificate when
    that is on disk too, the key must match the certificate on disk (alone, it only has to parse). Files
    are written atomically and only when their content differs."
  - "An export is checked before any file is written: the certificate must parse, have the serial number of
    the certificate the module manages, and be signed by the first certificate of the exported chain, which
    must be the issuing CA (its common name, and the serial number the CA show reports); the private key
    must parse and belong to the certificate. Otherwise the module fails and writes nothing."
  - "File attributes: O(owner), O(group) and the other file options apply to every file, O(mode) to the
    certificate, chain and full-chain files only; the key gets O(private_key_mode). Attributes are set on
    the file a path leads to through symbolic links. A key file that ends up readable by its group or by
    others is reported in a warning."
  - "Each path must be a regular file (or a link to one) or not exist yet: a directory, FIFO, socket or
    device is refused, as are two options naming the same file (compared by real path and by inode),
    before any request. A file that cannot be written fails the run with its option and path; the
    certificate is kept, so a rerun once the path is fixed writes the files without issuing another."
  - Every option is checked against the API's limits before any request; a failure names the option.
  - The private key is never returned, logged or shown in a diff.
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes
  - ansible.builtin.files
options:
  name:
    description:
      - "The identity of the certificate for this module, kept in the tag C(certfleet.name). It stays the same
        through renewals and spec changes. Up to 255 letters, digits, spaces and C(_.:/=+-@)."
    type: str
    required: true
  issuer:
    description:
      - The issuing CA, by ID or by common name. By name it must name exactly one CA in status C(ACTIVED); several
        active CAs of that name are an error that lists their IDs.
      - Required with O(state=present).
    type: str
  distinguished_name:
    description:
      - The subject. Fields left out are inherited from the issuing CA by the service, and are then not compared.
      - Required with O(state=present).
    type: dict
    suboptions:
      common_name:
        description: Common name (CN), 1 to 64 characters.
        type: str
        required: true
      country:
        description: Two-letter country code (C(CN), C(NL)).
        type: str
      state:
        description: State or province, 1 to 128 characters.
        type: str
      locality:
        description: Locality, 1 to 128 characters.
        type: str
      organization:
        description: Organization, 1 to 64 characters.
        type: str
      organizational_unit:
        description: Organizational unit, 1 to 64 characters.
        type: str
  key_algorithm:
    description: The key pair the service generates.
    type: str
    choices: [RSA2048, RSA4096, EC256, EC384]
    default: RSA2048
  signature_algorithm:
    description: The hash of the CA's signature.
    type: str
    choices: [SHA256, SHA384, SHA512]
    default: SHA256
  validity:
    description:
      - How long a newly issued certificate is valid; at most 20 years, and not beyond the CA's own expiry.
      - Required with O(state=present).
    type: dict
    suboptions:
      type:
        description: C(YEAR) is a calendar year, C(MONTH) 31 days.
        type: str
        choices: [YEAR, MONTH, DAY, HOUR]
        required: true
      value:
        description: How many of O(validity.type); at least 1.
        type: int
        required: true
      start_from:
        description:
          - Start of validity, in milliseconds since the epoch; not earlier than now minus 5 minutes (checked
            locally before any request). For a one-off issue; the default is the moment of issue.
        type: int
  key_usages:
    description: Key usages (RFC 5280 4.2.1.3). Without them the certificate has no key usage extension.
    type: list
    elements: str
    choices: [digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement, keyCertSign,
              cRLSign, encipherOnly, decipherOnly]
  subject_alternative_names:
    description: Up to 20 alternative names. Their order does not matter for comparing.
    type: list
    elements: dict
    suboptions:
      type:
        description: Kind of name.
        type: str
        choices: [DNS, IP, EMAIL, URI]
        required: true
      value:
        description: "The name; at most 253 characters for DNS and URI, 39 for IP (an IPv4 or IPv6 address),
          256 for EMAIL."
        type: str
        required: true
  extended_key_usage:
    description: Extended key usages; those left out are off.
    type: dict
    suboptions:
      server_auth:
        description: TLS server authentication (1.3.6.1.5.5.7.3.1).
        type: bool
        default: false
      client_auth:
        description: TLS client authentication (1.3.6.1.5.5.7.3.2).
        type: bool
        default: false
      code_signing:
        description: Code signing (1.3.6.1.5.5.7.3.3).
        type: bool
        default: false
      email_protection:
        description: Email protection (1.3.6.1.5.5.7.3.4).
        type: bool
        default: false
      time_stamping:
        description: Time stamping (1.3.6.1.5.5.7.3.8).
        type: bool
        default: false
  customized_extension:
    description: One custom extension; both suboptions together.
    type: dict
    suboptions:
      object_identifier:
        description: Dotted OID such as C(1.3.6.1.4.1.2011.4.99), 1 to 64 characters.
        type: str
      value:
        description: Its content, 1 to 64 characters.
        type: str
  state:
    description:
      - V(present) issues and renews as described above.
      - V(revoked) revokes the current certificate (it keeps its tag, so a second run finds it revoked and
        does nothing).
      - V(absent) deletes every certificate tagged with O(name). Files are left alone.
    type: str
    choices: [present, revoked, absent]
    default: present
  revocation_reason:
    description: The reason sent with a revocation (O(state=revoked), and O(revoke_replaced=true)).
    type: str
    choices: [UNSPECIFIED, KEY_COMPROMISE, CERTIFICATE_AUTHORITY_COMPROMISE, AFFILIATION_CHANGED, SUPERSEDED,
              CESSATION_OF_OPERATION, CERTIFICATE_HOLD, PRIVILEGE_WITHDRAWN, ATTRIBUTE_AUTHORITY_COMPROMISE]
    default: UNSPECIFIED
  renew_before_days:
    description:
      - Issue a replacement when the current certificate has fewer days left than this. Must be shorter than
        O(validity), or every run would renew.
    type: int
    default: 30
  revoke_replaced:
    description:
      - Revoke the certificate a new one replaces, once the new one is issued and its files are written. With
        V(false) it stays valid until it expires (only its tag is removed).
    type: bool
    default: false
  certificate_path:
    description: File for the certificate (PEM).
    type: path
  chain_path:
    description: File for the CA chain (PEM, issuing CA first).
    type: path
  fullchain_path:
    description: File for the certificate followed by the CA chain.
    type: path
  private_key_path:
    description:
      - File for the private key (PKCS#8 PEM). Its mode is O(private_key_mode), not O(mode).
    type: path
  enterprise_project_id:
    description:
      - The enterprise project a newly issued certificate belongs to, sent with the apply call, so that IAM
        policies scoped to that project cover it. V("0") is the default project; otherwise the project's ID.
      - Left out, the service decides (its default project).
      - The API cannot move a certificate to another project, so a certificate that shows another project is
        replaced by a new one in this project. Only with O(state=present).
    type: str
  private_key_mode:
    description:
      - Mode of O(private_key_path), as O(mode) takes it (octal in quotes, such as V("0600"), or symbolic, such as
        V("u=rw,g=r")). O(mode) applies to the other files only, so a mode for certificates never opens the key.
      - A key file readable by its group or by others (V("0640"), V("0644")) is written as asked, with a warning.
      - V(null) leaves the mode of an existing key file as it is; a new one is written V(0600).
    type: raw
    default: "0600"
notes:
  - CCM is a global service; O(project_id) is not used, and O(endpoint) is the CCM endpoint
    (default C(https://ccm.<region>.myhuaweicloud.com)).
  - "API calls per run: unchanged, 2 reads (the tag filter and one show); issuing, also the CA lookup (1 read
    by ID, a list by name), the apply, the tags, one show, the export when files are given, and a tag removal
    (and revoke) per replaced certificate; a missing file, one export and one read of the issuing CA (to
    check the export)."
  - "Check mode makes the reads that decide the plan, as a real run makes them (the tag filter, one show per
    certificate found, and the CA when a certificate would be issued), and exports nothing. C(--check --diff) is
    the plan: the same C(before) as the real run, and as C(after) the certificate CCM would issue (see RV(diff))."
  - The service generates the key pair; a certificate from a CSR is not managed by this module.
seealso:
  - module: certfleet.cloud.ccm_private_certificate_info
  - module: certfleet.cloud.ccm_private_ca_info
  - name: Huawei Cloud CCM private certificate API
    description: Applying for a private certificate.
    link: https://support.huaweicloud.com/intl/en-us/api-ccm/CreateCertificate.html
'''

EXAMPLES = r'''
- name: Keep a certificate for the internal API, renewed 30 days before expiry
  certfleet.cloud.ccm_private_certificate:
    region: ap-southeast-3
    name: api-internal
    issuer: Example Issuing CA
    distinguished_name:
      common_name: api.internal.example.com
      organization: Example
    key_algorithm: EC256
    validity:
      type: DAY
      value: 90
    subject_alternative_names:
      - type: DNS
        value: api.internal.example.com
      - type: IP
        value: 10.0.0.12
    key_usages: [digitalSignature, keyAgreement]
    extended_key_usage:
      server_auth: true
    revoke_replaced: true
    enterprise_project_id: 0d4c2b1a-5e6f-4a7b-8c9d-0e1f2a3b4c5d  # the project its IAM policies cover
    certificate_path: /etc/pki/api/cert.pem
    chain_path: /etc/pki/api/chain.pem
    private_key_path: /etc/pki/api/key.pem
    owner: root
    group: nginx
    mode: "0644"              # the certificate and the chain
    private_key_mode: "0600"  # the key (the default)
  notify: Reload nginx

- name: Revoke it
  certfleet.cloud.ccm_private_certificate:
    name: api-internal
    state: revoked
    revocation_reason: KEY_COMPROMISE
'''

RETURN = r'''
certificate:
  description:
    - The current certificate as the API shows it (times in milliseconds since the epoch), with C(summary).
      Never a PEM or the key.
    - In check mode, when a certificate would be issued, the predicted one, marked C(predicted=true), with no ID
      and no C(serial_number); its C(summary) as described below.
    - V(null) with O(state=absent), or when there is none.
  returned: always
  type: dict
  sample:
    certificate_id: ae9a326a-b61e-4446-854d-cda30ffe31f5
    status: ISSUED
    issuer_id: 2cb2878b-6cd1-460d-bd25-afe655159bdc
    issuer_name: Example Issuing CA
    key_algorithm: EC256
    signature_algorithm: SHA256
    serial_number: 3A9F0C5E1B2D4F6A8C0E1F2A3B4C5D6E7F809102
    create_time: 1795430400000
    not_before: 1795430400000
    not_after: 1803206400000
    distinguished_name:
      common_name: api.internal.example.com
      country: CN
      organization: Example
    enterprise_project_id: "0"
    summary:
      serial: 3A9F0C5E1B2D4F6A8C0E1F2A3B4C5D6E7F809102
      sha256_fingerprint: 0f5e0c3a1d7b9e2f4a6c8e0b2d4f6a8c0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7
      not_before: "2026-11-23T00:00:00Z"
      not_after: "2027-02-21T00:00:00Z"
      subject: CN=api.internal.example.com,O=Example,C=CN
      issuer: CN=Example Issuing CA,O=Example,C=CN
      sans: [api.internal.example.com, 10.0.0.12]
      days_left: 89
  contains:
    certificate_id:
      description: Certificate ID.
      type: str
      returned: when there is a certificate (not for a predicted one)
    status:
      description: C(ISSUED), C(REVOKED) or C(EXPIRED).
      type: str
      returned: when there is a certificate
    enterprise_project_id:
      description: The enterprise project the certificate belongs to (V("0") is the default project).
      type: str
      returned: when there is a certificate and the API shows it
    predicted:
      description: V(true) for the certificate check mode predicts; absent otherwise.
      type: bool
      returned: in check mode, when a certificate would be issued
    summary:
      description:
        - The certificate in the shape every module of the collection returns. Read from the PEM when it was
          exported on this run or is current on disk (everything known).
        - Otherwise from what the API shows, which has no fingerprint (C(sha256_fingerprint) V(null)) and no SANs.
          C(sans) are then those requested when the certificate was issued on this run or carries the
          C(certfleet.spec) digest of the current request (the same set), else empty; C(issuer) is the CA's whole
          subject when the CA was read on this run (a certificate was issued), else only its common name.
        - For a predicted certificate, C(serial) is V("(assigned by CCM on issue\)") and C(sha256_fingerprint)
          V("(known once issued\)"); C(not_before) is now on the service's clock (or O(validity.start_from)) and
          C(not_after) that plus O(validity), so the real ones differ by the seconds until the issue; C(subject)
          (the fields not requested are the CA's), C(issuer) (the CA's subject as the CA show reports it), C(sans)
          (DNS names and IP addresses as requested, IPv6 compressed; EMAIL and URI names are never listed in a
          summary) are those of the certificate CCM would issue.
      type: dict
      returned: when there is a certificate
files:
  description: The files written on this run (in check mode, that would be written).
  returned: always
  type: list
  elements: str
  sample: [/etc/pki/api/cert.pem, /etc/pki/api/key.pem]
replaced:
  description: IDs of the certificates retired on this run (tag removed), oldest last.
  returned: always
  type: list
  elements: str
revoked:
  description: IDs of the certificates revoked on this run.
  returned: always
  type: list
  elements: str
deleted:
  description: IDs of the certificates deleted on this run (O(state=absent)).
  returned: always
  type: list
  elements: str
reason:
  description: Why a certificate was (or would be) issued; V(null) when none was.
  returned: always
  type: str
  sample: the certificate expires on 2027-02-21T00:00:00Z, within renew_before_days (30)
diff:
  description:
    - The certificate summary, its status, subject, key and signature algorithms and enterprise project, and the
      state of each file (missing, stale, current), before and after.
    - "C(before) is drawn before anything is written, in check mode as in a real run, so the plan's C(before) is
      the real run's. In check mode, a certificate that would be issued is the C(after), marked C(predicted: true);
      its summary is described under RV(certificate.summary). A chain file that already holds the chain of the
      issuing CA is predicted to stay as it is, as the real run finds once it has the export."
  returned: always
  type: dict
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.ccm import (
    ARGUMENT_SPEC, REQUIRED_IF, manage_private_certificate,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule


def file_attributes(ansible):
    """``PemFiles``' ``apply_attributes``: the file options (owner, group, ...) applied to one path with ``mode``
    in place of the ``mode`` option (``private_key_mode`` for the key); only AnsibleModule knows how."""

    def apply(path, mode):
        file_args = ansible.load_file_common_arguments(ansible.params, path=path)
        file_args['mode'] = mode
        return ansible.set_fs_attributes_if_different(file_args, False)
    return apply


def main():
    module = HuaweiCloudModule('ccm', argument_spec=ARGUMENT_SPEC, project_scoped=False, supports_check_mode=True,
                               add_file_common_args=True, required_if=REQUIRED_IF)
    # The client is built only once the options are valid: bad input fails before credentials are looked at.
    module.run(lambda m: manage_private_certificate(m.params, lambda: m.client, m.check_mode, file_attributes(m.ansible)))


if __name__ == '__main__':
    main()
