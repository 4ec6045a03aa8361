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
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.netcenter
  - certfleet.cloud.connection
attributes:
  check_mode:
    support: full
    description: Sends no write and reports the change and diff the real run would make.
  diff_mode:
    support: full
    description: Certificates appear as serial, expiry, DNS names and file digests; the key only as C(<redacted>).
options:
  state:
    description:
      - V(present) creates or updates the certificate, V(absent) deletes it.
    type: str
    choices: [ present, absent ]
    default: present
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
diff:
  description:
    - "Before and after, with the key only as C(<redacted>) or C(<redacted: changed>)."
  returned: when diff mode is on
  type: dict
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.module import (
    InputError, NetcenterModule, check_length,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import (
    CERTIFICATE_COLLECTION, certificate_item_path, find_certificate, md5_hex,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceManager, reconcile, same_value
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import ApiError, RetryPolicy, call_until_ready
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import (
    PrivateKey, check_chain_order, check_key_matches, check_not_expired, der_to_pem, format_time,
    load_certificates,
)

MAX_NAME_CHARS = 512
MAX_COMMENT_CHARS = 1024
# "Certificate is in deploying" / "in deleting deployment": refused for now, safe to repeat.
BUSY_CODES = frozenset(('36540026', '36540027'))


class BundleInput:
    """The certificate and key options, checked as the API checks them, in the form the API wants."""

    def __init__(self, params):
        certificates = load_certificates(params['certificate'], 'certificate')
        leaf, chain = certificates[0], certificates[1:]
        seen = {}
        for certificate in certificates:
            if certificate.sha256_fingerprint in seen:
                raise InputError('certificate', 'certificate #%d repeats certificate #%d; give each once'
                                 % (certificate.index + 1, seen[certificate.sha256_fingerprint] + 1))
            seen[certificate.sha256_fingerprint] = certificate.index
        if not chain:
            raise InputError('certificate', 'holds only the leaf; append its CA chain (the issuing '
                                            'intermediates, leaf first), which the API requires')
        check_chain_order(certificates, 'certificate')
        if not params['allow_expired']:
            check_not_expired(certificates, 'certificate')
        self.leaf = leaf
        self.crt_pem = der_to_pem('CERTIFICATE', leaf.der)
        self.ca_pem = ''.join(der_to_pem('CERTIFICATE', certificate.der) for certificate in chain)
        self.key_pem = None
        if params['private_key'] is not None:
            key = PrivateKey(params['private_key'], 'private_key')
            check_key_matches(key, leaf, 'private_key')
            self.key_pem = key.canonical_pem()

    @property
    def pem(self):
        return self.crt_pem + self.ca_pem

    def facts(self):
        """What the API will report about this bundle once stored."""
        facts = dict(serial=self.leaf.serial_hex, issuer=self.leaf.issuer,
                     not_before=format_time(self.leaf.not_before), not_after=format_time(self.leaf.not_after),
                     dns_names=self.leaf.subject_alternative_names or [self.leaf.common_name],
                     crt_md5=md5_hex(self.crt_pem), ca_md5=md5_hex(self.ca_pem))
        if self.key_pem:
            facts['key_md5'] = md5_hex(self.key_pem)
        return facts


class NetcenterCertificate(ResourceManager):
    resource_name = 'certificate'
    diff_fields = ('name', 'comment', 'serial', 'not_after', 'dns_names', 'crt_md5', 'ca_md5', 'private_key')
    secret_fields = ('private_key',)

    def __init__(self, module):
        super(NetcenterCertificate, self).__init__(module)
        self.client = module.client
        params = self.params
        if params['name'] is not None:
            if not params['name'].strip():
                raise InputError('name', 'is empty')
            check_length('name', params['name'], MAX_NAME_CHARS)
        if params['comment'] is not None:
            check_length('comment', params['comment'], MAX_COMMENT_CHARS)
        if params['busy_timeout'] < 0:
            raise InputError('busy_timeout', 'must be 0 or more')
        self.bundle = None
        if params['state'] == 'present':
            if params['certificate'] is None:
                raise InputError('certificate', 'is required with state=present (the API replaces the whole '
                                                'certificate on every update)')
            if params['private_key'] is None and params['csr_id'] is None:
                raise InputError('private_key', 'is required with state=present unless csr_id is set')
            self.bundle = BundleInput(params)

    def secret_is_set(self, resource, field):
        return bool(resource.get('key_md5'))

    def find(self):
        params = self.params
        found = find_certificate(self.client, certificate_id=params['id'], name=None if params['id'] else params['name'])
        if found is None and params['id'] and params['state'] == 'present':
            raise InputError('id', 'no certificate %s exists; omit id to create one by name' % params['id'])
        return found

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
        return body

    def create_payload(self):
        if not self.params['name']:
            raise InputError('name', 'is required to create a certificate')
        payload = dict(self.bundle.facts(), name=self.params['name'])
        if self.params['comment'] is not None:
            payload['comment'] = self.params['comment']
        if self.bundle.key_pem:
            payload['private_key'] = self.bundle.key_pem
        return payload

    def update_payload(self, current):
        params = self.params
        facts = self.bundle.facts()
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
        if 'crt_md5' in payload and self.bundle.key_pem:
            payload['private_key'] = self.bundle.key_pem
        return payload

    def predict(self, current, payload):
        predicted = super(NetcenterCertificate, self).predict(current, payload)
        predicted.pop('private_key', None)
        return predicted

    def create(self, payload):
        body = self._writable(None)

        def created_meanwhile():
            found = find_certificate(self.client, name=self.params['name'])
            return found if found and found.get('crt_md5') == payload['crt_md5'] else None

        result, headers = self.client.request('POST', CERTIFICATE_COLLECTION, body=body, recheck=created_meanwhile)
        created = dict(self.predict(None, payload))
        created['id'] = result.get('id') if result.get('id') else id_from_location(headers)
        if self.params['auto_renew'] is not None or self.params['is_need_alarm'] is not None:
            self._put(created, self._writable(created))
        return created

    def update(self, current, payload):
        self._put(current, self._writable(current))
        return self.predict(current, payload)

    def _put(self, current, body):
        for option, field in (('auto_renew', 'autoRenew'), ('is_need_alarm', 'isNeedAlarm')):
            if self.params[option] is not None:
                body[field] = 'true' if self.params[option] else 'false'
        self._when_idle(lambda: self.client.request('PUT', certificate_item_path(current['id']), body=body))

    def delete(self, current):
        try:
            self._when_idle(lambda: self.client.request('DELETE', certificate_item_path(current['id'])))
        except ApiError as exc:
            if exc.error_code not in NOT_FOUND_CODES:
                raise

    def _when_idle(self, call):
        return call_until_ready(call, lambda error: error.error_code in BUSY_CODES, self.params['busy_timeout'],
                                RetryPolicy(base_delay=1.0, max_delay=15.0), sleep=self.client.http.sleep)


NOT_FOUND_CODES = frozenset(('36540132', '36540000', '19638021'))


def id_from_location(headers):
    location = (headers or {}).get('Location') or (headers or {}).get('location') or ''
    certificate_id = location.rstrip('/').rsplit('/', 1)[-1]
    if not certificate_id.isdigit():
        raise ApiError('the API created the certificate but its Location header %r holds no ID' % location)
    return certificate_id


def main():
    module = NetcenterModule(
        argument_spec=dict(
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
        ),
        required_one_of=[('id', 'name')],
        supports_check_mode=True,
    )
    module.run(lambda m: reconcile(m, NetcenterCertificate(m), m.params['state']))


if __name__ == '__main__':
    main()
