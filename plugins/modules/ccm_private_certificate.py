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
    (compared with what the API shows), or SANs, key usages, extended key usages, customized extension
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
    description: File for the private key (PKCS#8 PEM). Mode 0600 unless O(mode) says otherwise.
    type: path
notes:
  - CCM is a global service; O(project_id) is not used, and O(endpoint) is the CCM endpoint
    (default C(https://ccm.<region>.myhuaweicloud.com)).
  - "API calls per run: unchanged, 2 reads (the tag filter and one show); issuing, also the CA lookup (1 read
    by ID, a list by name), the apply, the tags, one show, the export when files are given, and a tag removal
    (and revoke) per replaced certificate; a missing file, one export."
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
    certificate_path: /etc/pki/api/cert.pem
    chain_path: /etc/pki/api/chain.pem
    private_key_path: /etc/pki/api/key.pem
    owner: root
    group: nginx
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
    - In check mode, when a certificate would be issued, the predicted one (no ID, serial or fingerprint).
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
    summary:
      description:
        - The certificate in the shape every module of the collection returns. Read from the PEM when it was
          exported on this run or is current on disk (fingerprint and SANs known); otherwise from what the API
          shows (C(sha256_fingerprint) V(null), C(sans) empty, C(issuer) only the CA's common name).
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
  description: The certificate summary and the state of each file (missing, stale, current), before and after.
  returned: always
  type: dict
'''

import datetime
import ipaddress
import re

from ansible_collections.certfleet.cloud.plugins.module_utils.ccm import (
    ACTIVE_CA, DN_FIELDS, ISSUED, NAME_TAG, SPEC_TAG, PrivateCertificateApi, dn_text, from_millis, renewal_reason,
    reported_summary, spec_digest, to_millis, validity_window,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.files import CURRENT, STALE, PemFiles
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule
from ansible_collections.certfleet.cloud.plugins.module_utils.vpn import UUID
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import load_certificates

FILE_OPTIONS = dict(certificate='certificate_path', chain='chain_path', fullchain='fullchain_path',
                    private_key='private_key_path')
DN_LIMITS = dict(common_name=(1, 64), country=(2, 2), state=(1, 128), locality=(1, 128), organization=(1, 64),
                 organizational_unit=(1, 64))
SAN_LIMITS = dict(DNS=253, IP=39, EMAIL=256, URI=253)
MAX_SANS = 20
MAX_YEARS = 20
VALIDITY_LIMITS = dict(YEAR=MAX_YEARS, MONTH=MAX_YEARS * 12, DAY=MAX_YEARS * 365, HOUR=MAX_YEARS * 365 * 24)
START_FROM_SLACK = datetime.timedelta(minutes=5)
OID = re.compile(r'^[0-2](\.(0|[1-9][0-9]*))+$')
TAG_VALUE = re.compile(r'^[\w .:/=+\-@]{1,255}$', re.UNICODE)
CREATE_RECHECK_SLACK = datetime.timedelta(minutes=2)


class PrivateCertificate:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.files = PemFiles(module.ansible, FILE_OPTIONS)
        self._api = None

    @property
    def api(self):
        # Built on first use, so that bad input fails before any credential or endpoint is looked at.
        if self._api is None:
            self._api = PrivateCertificateApi(self.module.client)
        return self._api

    # The service's rules, checked before any request ---------------------------------------------
    def validate(self):
        params = self.params
        if not TAG_VALUE.match(params['name']):
            raise InputError('name', 'must be 1 to 255 letters, digits, spaces or _.:/=+-@ (it is a tag value)')
        if params['renew_before_days'] < 0:
            raise InputError('renew_before_days', 'must be 0 or more')
        self.files.validate()
        if params['state'] != 'present':
            return
        if not params['issuer'].strip():
            raise InputError('issuer', 'is empty; give the ID or the common name of a CA')
        self._validate_dn(params['distinguished_name'])
        self._validate_validity(params['validity'])
        sans = params['subject_alternative_names'] or []
        if len(sans) > MAX_SANS:
            raise InputError('subject_alternative_names', 'has %d names; at most %d' % (len(sans), MAX_SANS))
        for index, san in enumerate(sans):
            field = 'subject_alternative_names[%d].value' % index
            if len(san['value']) > SAN_LIMITS[san['type']]:
                raise InputError(field, 'is %d characters; %s names are at most %d'
                                 % (len(san['value']), san['type'], SAN_LIMITS[san['type']]))
            if san['type'] == 'IP':
                try:
                    ipaddress.ip_address(san['value'])
                except ValueError:
                    raise InputError(field, '%r is not an IPv4 or IPv6 address' % san['value'])
        extension = params['customized_extension']
        if extension and any(value is not None for value in extension.values()):
            oid, value = extension.get('object_identifier'), extension.get('value')
            if oid is None or not 1 <= len(oid) <= 64 or not OID.match(oid):
                raise InputError('customized_extension.object_identifier',
                                 'must be a dotted OID (1.3.6.1.4.1.2011.4.99) of 1 to 64 characters')
            if value is None or not 1 <= len(value) <= 64:
                raise InputError('customized_extension.value', 'must be 1 to 64 characters')

    @staticmethod
    def _validate_dn(dn):
        for field, (shortest, longest) in DN_LIMITS.items():
            value = dn.get(field)
            if value is not None and not shortest <= len(value) <= longest:
                raise InputError('distinguished_name.' + field, 'is %d characters; must be %d to %d'
                                 % (len(value), shortest, longest))
        if dn.get('country') is not None and not re.match(r'^[A-Za-z]{2}$', dn['country']):
            raise InputError('distinguished_name.country', '%r is not two letters ([A-Za-z]{2})' % dn['country'])

    def _validate_validity(self, validity):
        if validity['value'] < 1:
            raise InputError('validity.value', 'must be at least 1')
        if validity['value'] > VALIDITY_LIMITS[validity['type']]:
            raise InputError('validity.value', '%d %s is more than the %d years a private certificate may last'
                             % (validity['value'], validity['type'], MAX_YEARS))
        now = datetime.datetime.now(datetime.timezone.utc)
        if validity.get('start_from') is not None and validity['start_from'] < to_millis(now - START_FROM_SLACK):
            raise InputError('validity.start_from', 'is earlier than now minus 5 minutes')
        start, end = validity_window(validity, now)
        if end - start <= datetime.timedelta(days=self.params['renew_before_days']):
            raise InputError('renew_before_days', '(%d) must be shorter than the validity (%d %s), or every run '
                                                  'would renew' % (self.params['renew_before_days'],
                                                                   validity['value'], validity['type']))

    def spec(self):
        """The apply body, less ``issuer_id`` (resolved only when a certificate is issued)."""
        params = self.params
        spec = dict(key_algorithm=params['key_algorithm'], signature_algorithm=params['signature_algorithm'],
                    distinguished_name=dict((field, value) for field, value in params['distinguished_name'].items()
                                            if value is not None),
                    validity=dict((key, value) for key, value in params['validity'].items() if value is not None))
        if params['key_usages']:
            spec['key_usages'] = params['key_usages']
        if params['subject_alternative_names']:
            spec['subject_alternative_names'] = [dict(type=san['type'], value=san['value'])
                                                 for san in params['subject_alternative_names']]
        if params['extended_key_usage'] and any(params['extended_key_usage'].values()):
            spec['extended_key_usage'] = params['extended_key_usage']
        extension = params['customized_extension']
        if extension and any(value is not None for value in extension.values()):
            spec['customized_extension'] = extension
        return spec

    # Lifecycle -----------------------------------------------------------------------------------
    def run(self):
        self.validate()
        owned = self.api.owned(self.params['name'])
        result = dict(changed=False, certificate=None, files=[], replaced=[], revoked=[], deleted=[], reason=None)
        state = self.params['state']
        if state == 'absent':
            return self.absent(owned, result)
        if state == 'revoked':
            return self.revoke(owned, result)
        return self.present(owned, result)

    def absent(self, owned, result):
        for certificate in owned.all:
            if not self.module.check_mode:
                self.api.delete(certificate)
            result['deleted'].append(certificate['certificate_id'])
        result['changed'] = bool(result['deleted'])
        result['diff'] = dict(before=self.view(owned.current), after={})
        return result

    def revoke(self, owned, result):
        current = owned.current
        if current is None:
            self.module.ansible.warn('no certificate is tagged %s=%s; nothing to revoke' % (NAME_TAG, self.params['name']))
            result['diff'] = dict(before={}, after={})
            return result
        after = current
        if current.get('status') == ISSUED:
            if not self.module.check_mode:
                self.api.revoke(current['certificate_id'], self.params['revocation_reason'])
                after = self.api.get(current['certificate_id']) or dict(current, status='REVOKED')
            else:
                after = dict(current, status='REVOKED')
            result['revoked'].append(current['certificate_id'])
            result['changed'] = True
        result['certificate'] = self.returned(after)
        result['diff'] = dict(before=self.view(current), after=self.view(after))
        return result

    def present(self, owned, result):
        client = self.module.client
        check_mode = self.module.check_mode
        current = owned.current
        spec = self.spec()
        reason = renewal_reason(current, owned.tags_of(current), spec, self.params['issuer'].strip(),
                                self.params['renew_before_days'], client.service_now())
        result['reason'] = reason
        exported = None
        if reason:
            authority = self.authority()
            payload = dict(spec, issuer_id=authority['ca_id'])
            self._check_outlives(payload, authority, client.service_now())
            if check_mode:
                new = self.predicted(payload, authority, client.service_now())
            else:
                new = self.api.get(self.issue(payload, owned)) or {}
                if self.files:
                    exported = self.exported(new['certificate_id'])
            retiring = owned.all
            file_states = dict((path, 'missing' if state == 'missing' else 'stale')
                               for path, state in self.files.states(None, None).items())
        else:
            new = current
            retiring = owned.replaced
            file_states = self.files.states(current.get('serial_number'), current.get('issuer_name'))
            if not check_mode and any(state != CURRENT for state in file_states.values()):
                exported = self.exported(current['certificate_id'])
        if check_mode:
            result['files'] = sorted(path for path, state in file_states.items() if state != CURRENT)
        elif exported is not None:
            result['files'] = self.files.write(self.files.contents(exported))
            # A file that already held what the new certificate needs (the same chain) was not stale.
            file_states.update((path, CURRENT) for path, state in file_states.items()
                               if state == STALE and path not in result['files'])
        attributes_changed = self.files.set_attributes()
        for old in retiring:
            self.retire(old, result)
        result['changed'] = bool(reason or result['files'] or attributes_changed or result['replaced'])
        result['certificate'] = self.returned(new, exported)
        result['diff'] = dict(before=dict(self.view(current), files=file_states),
                              after=dict(self.view(new, exported), files=dict((path, CURRENT)
                                                                              for path in file_states)))
        return result

    def retire(self, old, result):
        """Revoke (when asked) and untag a certificate that a newer one replaces; revoke first, so a failure
        between the two leaves it still found and retired on the next run."""
        certificate_id = old['certificate_id']
        if not self.module.check_mode:
            if self.params['revoke_replaced'] and old.get('status') == ISSUED:
                self.api.revoke(certificate_id, self.params['revocation_reason'])
            self.api.untag(certificate_id, {NAME_TAG: self.params['name']})
        if self.params['revoke_replaced'] and old.get('status') == ISSUED:
            result['revoked'].append(certificate_id)
        result['replaced'].append(certificate_id)

    def authority(self):
        """The issuing CA: by ID, or the one ACTIVED CA of that common name."""
        issuer = self.params['issuer'].strip()
        if UUID.match(issuer):
            authority = self.api.authority(issuer)
            if authority is None:
                raise InputError('issuer', 'no CA %s exists' % issuer)
            candidates = [authority]
        else:
            candidates = [item for item in self.api.authorities(name=issuer)
                          if (item.get('distinguished_name') or {}).get('common_name') == issuer]
            if not candidates:
                raise InputError('issuer', 'no CA is named %r' % issuer)
        active = [item for item in candidates if item.get('status') == ACTIVE_CA]
        if not active:
            raise InputError('issuer', 'CA %s is %s; only an ACTIVED CA issues certificates' % (
                ', '.join('%s (%s)' % (item['ca_id'], item.get('status')) for item in candidates),
                'not active' if len(candidates) > 1 else candidates[0].get('status')))
        if len(active) > 1:
            raise InputError('issuer', '%d active CAs are named %r (ids: %s); give the ID'
                             % (len(active), issuer, ', '.join(sorted(item['ca_id'] for item in active))))
        return active[0]

    @staticmethod
    def _check_outlives(payload, authority, now):
        dummy, end = validity_window(payload['validity'], now)
        if authority.get('not_after') and to_millis(end) > authority['not_after']:
            raise InputError('validity', 'would end on %s, after CA %s expires (%s)'
                             % (end.strftime('%Y-%m-%d'), authority['ca_id'],
                                from_millis(authority['not_after']).strftime('%Y-%m-%d')))

    def issue(self, payload, owned):
        """Apply, then tag; a lost apply answer is found again, never applied twice."""
        known = set(item['certificate_id'] for item in owned.all)
        issued_after = to_millis(self.module.client.service_now() - CREATE_RECHECK_SLACK)

        def issued_meanwhile():
            candidates = [item for item in self.api.list(name=payload['distinguished_name']['common_name'],
                                                         status=ISSUED)
                          if item['certificate_id'] not in known and item.get('issuer_id') == payload['issuer_id']
                          and (item.get('create_time') or 0) >= issued_after
                          and all((item.get('distinguished_name') or {}).get(field) == value
                                  for field, value in payload['distinguished_name'].items())
                          and item.get('key_algorithm') == payload['key_algorithm']]
            return candidates[0]['certificate_id'] if len(candidates) == 1 else None

        certificate_id = self.api.apply(payload, recheck=issued_meanwhile)
        try:
            self.api.tag(certificate_id, {NAME_TAG: self.params['name'], SPEC_TAG: spec_digest(payload)})
        except ApiError as error:
            # Untagged, it would never be found again: take it back rather than leave an orphan.
            try:
                self.api.delete({'certificate_id': certificate_id})
            except ApiError:
                raise ApiError('certificate %s was issued but neither tagged (%s) nor deleted; delete it, then rerun'
                               % (certificate_id, error.message), status=error.status, error_code=error.error_code)
            raise ApiError('certificate %s was issued but could not be tagged (%s), so it was deleted again; rerun'
                           % (certificate_id, error.message), status=error.status, error_code=error.error_code)
        return certificate_id

    def exported(self, certificate_id):
        exported = self.api.export(certificate_id)
        # Never echoed: Ansible removes no-log values from everything it returns or logs.
        if exported.get('private_key'):
            self.module.ansible.no_log_values.add(exported['private_key'])
        return exported

    def predicted(self, payload, authority, now):
        start, end = validity_window(payload['validity'], now)
        inherited = dict((field, (authority.get('distinguished_name') or {}).get(field)) for field in DN_FIELDS)
        inherited.update(payload['distinguished_name'])
        return dict(status=ISSUED, issuer_id=authority['ca_id'],
                    issuer_name=(authority.get('distinguished_name') or {}).get('common_name'),
                    key_algorithm=payload['key_algorithm'], signature_algorithm=payload['signature_algorithm'],
                    distinguished_name=inherited, not_before=to_millis(start),
                    not_after=to_millis(end))

    # What is shown -------------------------------------------------------------------------------
    def summary(self, certificate, exported=None):
        now = self.module.client.service_now()
        if (exported or {}).get('certificate'):
            return load_certificates(exported['certificate'], 'certificate')[0].summary(now=now)
        on_disk = self.files.current_certificate(certificate.get('serial_number'), certificate.get('issuer_name'))
        if on_disk is not None:
            return on_disk.summary(now=now)
        return reported_summary(certificate, now=now)

    def returned(self, certificate, exported=None):
        if not certificate:
            return None
        return dict(certificate, summary=self.summary(certificate, exported))

    def view(self, certificate, exported=None):
        if not certificate:
            return {}
        return dict(certificate=self.summary(certificate, exported), status=certificate.get('status'),
                    subject=dn_text(certificate.get('distinguished_name')))


ARGUMENT_SPEC = dict(
    name=dict(type='str', required=True),
    issuer=dict(type='str'),
    distinguished_name=dict(type='dict', options=dict(
        common_name=dict(type='str', required=True),
        country=dict(type='str'),
        state=dict(type='str'),
        locality=dict(type='str'),
        organization=dict(type='str'),
        organizational_unit=dict(type='str'),
    )),
    key_algorithm=dict(type='str', default='RSA2048', choices=['RSA2048', 'RSA4096', 'EC256', 'EC384']),
    signature_algorithm=dict(type='str', default='SHA256', choices=['SHA256', 'SHA384', 'SHA512']),
    validity=dict(type='dict', options=dict(
        type=dict(type='str', required=True, choices=['YEAR', 'MONTH', 'DAY', 'HOUR']),
        value=dict(type='int', required=True),
        start_from=dict(type='int'),
    )),
    key_usages=dict(type='list', elements='str', choices=[
        'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign',
        'cRLSign', 'encipherOnly', 'decipherOnly']),
    subject_alternative_names=dict(type='list', elements='dict', options=dict(
        type=dict(type='str', required=True, choices=['DNS', 'IP', 'EMAIL', 'URI']),
        value=dict(type='str', required=True),
    )),
    extended_key_usage=dict(type='dict', options=dict(
        server_auth=dict(type='bool', default=False),
        client_auth=dict(type='bool', default=False),
        code_signing=dict(type='bool', default=False),
        email_protection=dict(type='bool', default=False),
        time_stamping=dict(type='bool', default=False),
    )),
    customized_extension=dict(type='dict', options=dict(
        object_identifier=dict(type='str'),
        value=dict(type='str'),
    )),
    state=dict(type='str', default='present', choices=['present', 'revoked', 'absent']),
    revocation_reason=dict(type='str', default='UNSPECIFIED', choices=[
        'UNSPECIFIED', 'KEY_COMPROMISE', 'CERTIFICATE_AUTHORITY_COMPROMISE', 'AFFILIATION_CHANGED', 'SUPERSEDED',
        'CESSATION_OF_OPERATION', 'CERTIFICATE_HOLD', 'PRIVILEGE_WITHDRAWN', 'ATTRIBUTE_AUTHORITY_COMPROMISE']),
    renew_before_days=dict(type='int', default=30),
    revoke_replaced=dict(type='bool', default=False),
    certificate_path=dict(type='path'),
    chain_path=dict(type='path'),
    fullchain_path=dict(type='path'),
    private_key_path=dict(type='path'),
)


def main():
    module = HuaweiCloudModule('ccm', argument_spec=ARGUMENT_SPEC, project_scoped=False, supports_check_mode=True,
                               add_file_common_args=True,
                               required_if=[('state', 'present', ('issuer', 'distinguished_name', 'validity'))])
    module.run(lambda m: PrivateCertificate(m).run())


if __name__ == '__main__':
    main()
