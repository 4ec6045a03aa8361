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
      description: Serial number of the leaf, lower-case hex.
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
        - When the stored leaf is the one given in O(certificate) (its file digest matches), every field is
          known. Otherwise it is built from what the list API reports, which has no C(subject) and no
          C(sha256_fingerprint) (both V(null)).
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
previous_summary:
  description:
    - The shared summary (as in RV(certificate.summary)) of the certificate served before this run; equal to it when
      nothing changed, C(null) when the certificate was created.
    - The P(certfleet.cloud.certificate_rotation#role) role reports a rotation with it.
  returned: when O(state=present)
  type: dict
diff:
  description:
    - "Before and after, with the key only as C(<redacted>) or C(<redacted: changed>)."
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

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError, check_length
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterModule
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_certificates import (
    CERTIFICATE_RULES, NetcenterCertificateApi, md5_hex, reported_summary,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceManager, reconcile, same_value
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import CertificateBundle, check_not_gm, format_time

MAX_NAME_CHARS = 512
MAX_COMMENT_CHARS = 1024


def stored_facts(bundle):
    """What the API will report about ``bundle`` once stored (it keeps the leaf and the chain as two files)."""
    leaf = bundle.leaf
    facts = dict(serial=leaf.serial_hex, issuer=leaf.issuer, not_before=format_time(leaf.not_before),
                 not_after=format_time(leaf.not_after), dns_names=leaf.subject_alternative_names or [leaf.common_name],
                 crt_md5=md5_hex(bundle.leaf_pem), ca_md5=md5_hex(bundle.chain_pem))
    if bundle.key_pem:
        facts['key_md5'] = md5_hex(bundle.key_pem)
    return facts


class NetcenterCertificate(ResourceManager):
    returns_previous_summary = True
    diff_fields = ('name', 'comment', 'serial', 'not_after', 'dns_names', 'crt_md5', 'ca_md5', 'private_key')
    secret_fields = NetcenterCertificateApi.secret_fields
    # The desired certificate and what the API will report of it; None with state=absent.
    bundle = facts = None

    def validate(self):
        params = self.params
        if params['name'] is not None:
            if not params['name'].strip():
                raise InputError('name', 'is empty')
            check_length('name', params['name'], MAX_NAME_CHARS)
        if params['comment'] is not None:
            check_length('comment', params['comment'], MAX_COMMENT_CHARS)
        if params['busy_timeout'] < 0:
            raise InputError('busy_timeout', 'must be 0 or more')
        if params['state'] == 'present':
            if params['certificate'] is None:
                raise InputError('certificate', 'is required with state=present (the API replaces the whole '
                                                'certificate on every update)')
            if params['private_key'] is None and params['csr_id'] is None:
                raise InputError('private_key', 'is required with state=present unless csr_id is set')
            self.bundle = CertificateBundle.from_params(params, 'certificate', 'private_key', **CERTIFICATE_RULES)
            check_not_gm(self.bundle, 'Wangsu CDN')
            self.facts = stored_facts(self.bundle)

    def secret_is_set(self, resource, field):
        return bool(resource.get('key_md5'))

    def is_created(self, candidate, payload):
        return candidate.get('crt_md5') == payload['crt_md5']

    def summary(self, resource):
        if self.bundle is not None and resource.get('crt_md5') == self.facts['crt_md5']:
            # The stored leaf is byte for byte ours: its full summary is known.
            return self.bundle.leaf.summary()
        return reported_summary(resource)

    def _writable(self, current):
        params = self.params
        body = {'name': params['name'] if params['name'] is not None else current['name'],
                'certificate': self.bundle.pem}
        if self.bundle.key_pem:
            body['privateKey'] = self.bundle.key_pem
        if params['csr_id'] is not None:
            body['csrId'] = params['csr_id']
        comment = params['comment'] if params['comment'] is not None else (current or {}).get('comment')
        if comment is not None:
            body['comment'] = comment
        for option, field in (('auto_renew', 'autoRenew'), ('is_need_alarm', 'isNeedAlarm')):
            if params[option] is not None and current is not None:
                body[field] = 'true' if params[option] else 'false'
        return body

    def create_payload(self):
        if not self.params['name']:
            raise InputError('name', 'is required to create a certificate')
        payload = dict(self.facts, name=self.params['name'])
        if self.params['comment'] is not None:
            payload['comment'] = self.params['comment']
        if self.bundle.key_pem:
            payload['private_key'] = self.bundle.key_pem
        return payload

    def update_payload(self, current):
        params = self.params
        facts = self.facts
        payload = {}
        if params['name'] is not None and params['name'] != current.get('name'):
            payload['name'] = params['name']
        if params['comment'] is not None and not same_value(current.get('comment'), params['comment']):
            payload['comment'] = params['comment']
        stored = ('serial', 'crt_md5', 'ca_md5')
        if any(str(current.get(field) or '').lower() != facts[field] for field in stored):
            payload.update(facts)
        if 'key_md5' in facts and (current.get('key_md5') or '').lower() != facts['key_md5']:
            payload.update(facts)
        if 'crt_md5' in payload:
            self._check_covers_related_domains(current)
            if self.bundle.key_pem:
                payload['private_key'] = self.bundle.key_pem
        return payload

    def _check_covers_related_domains(self, current):
        """The API refuses a certificate that does not cover every accelerated domain using the old one."""
        domains = [domain['domain_name'] for domain in current.get('related_domains') or [] if domain.get('domain_name')]
        uncovered = self.bundle.uncovered(domains)
        if uncovered:
            raise InputError('certificate', 'does not cover %s, accelerated domain%s that use%s certificate %s (%s); '
                                            'the API refuses the change. Add %s to the certificate, or move those '
                                            'domains to another certificate first'
                             % (', '.join(uncovered), '' if len(uncovered) == 1 else 's',
                                's' if len(uncovered) == 1 else '', current['id'], current.get('name'),
                                'it' if len(uncovered) == 1 else 'them'))

    def predict(self, current, payload):
        predicted = super(NetcenterCertificate, self).predict(current, payload)
        predicted.pop('private_key', None)
        return predicted

    def create(self, payload):
        created = dict(self.predict(None, payload))
        created['id'] = self.api.create(self._writable(None), recheck=lambda: self.find_created(payload))
        if self.params['auto_renew'] is not None or self.params['is_need_alarm'] is not None:
            # The add call takes no such flags; an edit right after sets them.
            super(NetcenterCertificate, self).update(created, self._writable(created))
        return created

    def update(self, current, payload):
        super(NetcenterCertificate, self).update(current, self._writable(current))
        return self.predict(current, payload)


ARGUMENT_SPEC = dict(
    state=dict(type='str', default='present', choices=['present', 'absent']),
    id=dict(type='str'),
    name=dict(type='str'),
    certificate=dict(type='str'),
    private_key=dict(type='str', no_log=True),
    csr_id=dict(type='int'),
    comment=dict(type='str'),
    auto_renew=dict(type='bool'),
    is_need_alarm=dict(type='bool'),
    allow_expired=dict(type='bool', default=False),
    busy_timeout=dict(type='int', default=300),
)


def main():
    module = NetcenterModule(
        argument_spec=ARGUMENT_SPEC,
        required_one_of=[('id', 'name')],
        supports_check_mode=True,
    )
    module.run(lambda m: reconcile(m, NetcenterCertificate(m, NetcenterCertificateApi(m.client)), m.params['state']))


if __name__ == '__main__':
    main()
