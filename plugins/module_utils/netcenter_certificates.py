# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Wangsu / ChinaNetCenter certificate API: paths, calls, what "not found" and "busy" look like.

Used by netcenter_certificate, netcenter_certificate_info and certificate_deploy: the API
(``NetcenterCertificateApi``) and the rules of a certificate (``NetcenterCertificate``, the manager). The list call returns every
certificate of the account in one answer (no filter, no paging), so a lookup by id or name is
one list call. The list shows no PEM; the content call (one GET per certificate) does, and is made
only for the certificates a run shows whose PEM is not already known.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import datetime
import hashlib

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, InputError, check_length
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi, ResourceManager, same_value
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import (
    CertificateBundle, certificate_summary, check_not_gm, format_time, leaf_summary, served_certificates_pem,
)

CERTIFICATE_COLLECTION = '/api/certificate'
CERTIFICATE_LIST = '/api/ssl/certificate'
# The list reports validity in China Standard Time, without a zone.
CST = datetime.timezone(datetime.timedelta(hours=8))
# "Certificate is in deploying" / "in deleting deployment": refused for now, safe to repeat.
BUSY_CODES = frozenset(('36540026', '36540027'))
NOT_FOUND_CODES = frozenset(('36540132', '36540000', '19638021'))
# "The new certificate does not cover domains that use the old one": the message is the domain list.
UNCOVERED_DOMAINS_CODE = '36542024'
# What the certificate API accepts (x509.CertificateBundle's rules): the leaf and its CA chain.
CERTIFICATE_RULES = dict(require_chain=True)


def certificate_item_path(certificate_id):
    return '%s/%s' % (CERTIFICATE_COLLECTION, quote(str(certificate_id), safe=''))


def certificate_content_path(certificate_id):
    return certificate_item_path(certificate_id) + '/content'


def md5_hex(text):
    """The digest the API reports for a stored file (``crt-md5``, ``ca-md5``, ``key-md5``)."""
    return hashlib.md5(text.encode('utf-8')).hexdigest() if text else ''


def cst_to_utc(value):
    try:
        moment = datetime.datetime.strptime(value, '%Y-%m-%d %H:%M:%S').replace(tzinfo=CST)
    except (TypeError, ValueError):
        return value
    return format_time(moment)


def _names(value, key):
    """The list API nests names either as plain strings or as ``{key: name}`` objects."""
    if isinstance(value, dict):
        value = value.get(key, [])
    if not isinstance(value, list):
        value = [value] if value else []
    return [item.get(key) if isinstance(item, dict) else item for item in value]


def normalize_certificate(item):
    """A list entry with snake-case keys and UTC times; the API's own names are hyphenated."""
    domains = item.get('related-domains') or []
    if isinstance(domains, dict):
        domains = domains.get('related-domain') or []
    return dict(
        id=str(item.get('certificate-id')),
        name=item.get('name'),
        comment=item.get('comment'),
        serial=(item.get('certificate-serial') or '').lower(),
        issuer=item.get('certificate-issuer'),
        not_before=cst_to_utc(item.get('certificate-validity-from')),
        not_after=cst_to_utc(item.get('certificate-validity-to')),
        dns_names=_names(item.get('dns-names'), 'dns-name'),
        related_domains=[dict(domain_id=str(domain.get('domain-id')), domain_name=domain.get('domain-name'))
                         for domain in domains if isinstance(domain, dict)],
        share_ssl=item.get('share-ssl'),
        crt_md5=(item.get('crt-md5') or '').lower(),
        ca_md5=(item.get('ca-md5') or '').lower(),
        key_md5=(item.get('key-md5') or '').lower(),
    )


def reported_summary(certificate, now=None):
    """The shared summary from what the list reports: it shows no subject and no fingerprint."""
    serial = certificate.get('serial') or ''
    return certificate_summary(
        serial=(('0' if len(serial) % 2 else '') + serial).upper() or None,
        not_before=certificate.get('not_before'), not_after=certificate.get('not_after'),
        issuer=certificate.get('issuer'), sans=certificate.get('dns_names'), now=now)


def read_stored_pem(api, certificate, warnings):
    """The PEM the service stores for a listed ``certificate`` (one GET), or None with a warning added:
    a summary is worth a warning, not a failed run."""
    try:
        pem = api.stored_pem(certificate['id'])
    except ApiError as error:
        pem, reason = None, str(error)
    else:
        reason = 'the answer holds no certificate PEM'
    if pem is None:
        warnings.append('the PEM of certificate %s (%s) could not be read: %s; its summary is what the list reports '
                        '(no subject, no fingerprint)' % (certificate['id'], certificate.get('name'), reason))
    return pem


def stored_summary(certificate, pem, now=None):
    """The shared summary from the stored PEM when it was read, else from what the list reports."""
    return leaf_summary(pem, now=now) or reported_summary(certificate, now=now)


def id_from_location(headers):
    location = (headers or {}).get('Location') or (headers or {}).get('location') or ''
    certificate_id = location.rstrip('/').rsplit('/', 1)[-1]
    if not certificate_id.isdigit():
        raise ApiError('the API created the certificate but its Location header %r holds no ID' % location)
    return certificate_id


class NetcenterCertificateApi(ResourceApi):
    resource_name = 'certificate'
    secret_fields = ('private_key',)

    def list(self):
        """Every certificate of the account (one call)."""
        body = self.client.request('GET', CERTIFICATE_LIST)
        return [normalize_certificate(item) for item in body.get('ssl-certificates') or []]

    def get(self, resource_id):
        return next((item for item in self.list() if item['id'] == str(resource_id)), None)

    def stored_pem(self, certificate_id):
        """The certificate and chain the service stores, canonical PEM, leaf first; None when it shows none.

        Only the CERTIFICATE blocks of the answer leave this method: a private key the answer may hold
        (as the older encrypted content call does, ``ssl-key``) is neither kept nor returned.
        """
        try:
            answer = self.client.request('GET', certificate_content_path(certificate_id))
        except ApiError as error:
            if error.error_code == 'MalformedResponse' or '-----BEGIN' in (error.message or ''):
                # The transport quotes the start of a body it cannot decode (or an error body without a
                # message); this body may hold the key.
                raise ApiError('the service answered the content of certificate %s with a body that cannot be used'
                               % certificate_id, status=error.status, error_code=error.error_code,
                               request_id=error.request_id)
            raise
        data = answer.get('data')
        return served_certificates_pem(data.get('certificate') if isinstance(data, dict) else None)

    def create(self, payload, recheck=None):
        """The new certificate's id (the API answers 202 with a Location header)."""
        answer = self.client.request('POST', CERTIFICATE_COLLECTION, body=payload, recheck=recheck)
        return str(answer['id']) if answer.get('id') else id_from_location(answer.headers)

    def update(self, current, payload):
        self.client.request('PUT', certificate_item_path(current['id']), body=payload)

    def delete(self, current):
        self.client.request('DELETE', certificate_item_path(current['id']))

    def is_not_found(self, error):
        return error.error_code in NOT_FOUND_CODES

    def is_busy(self, error):
        return error.error_code in BUSY_CODES


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


# What validate() settles: the certificate and what the API will report of it (both None with state=absent).
Desired = collections.namedtuple('Desired', ['bundle', 'facts'])


class NetcenterCertificate(ResourceManager):
    """A CDN certificate as its options describe it (the options of netcenter_certificate, ``ARGUMENT_SPEC``)."""

    returns_previous_summary = True
    # ``certificate`` is the stored PEM (leaf, then chain), known or read once per run; it is shown as
    # summaries, like ELB's, never as PEM, and not returned.
    diff_fields = ('name', 'comment', 'certificate', 'private_key')
    pem_fields = ('certificate',)
    secret_fields = NetcenterCertificateApi.secret_fields

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
            bundle = CertificateBundle.from_params(params, 'certificate', 'private_key', **CERTIFICATE_RULES)
            check_not_gm(bundle, 'Wangsu CDN')
            return Desired(bundle, stored_facts(bundle))
        return Desired(None, None)

    def secret_is_set(self, resource, field):
        return bool(resource.get('key_md5'))

    def is_created(self, candidate, payload, desired):
        return candidate.get('crt_md5') == payload['crt_md5']

    def summary(self, resource, desired=None):
        summary = leaf_summary(resource.get('certificate'))
        if summary is not None:
            return summary
        if desired is not None and desired.bundle is not None and resource.get('crt_md5') == desired.facts['crt_md5']:
            # The stored leaf is byte for byte ours: its full summary is known.
            return desired.bundle.leaf.summary()
        return reported_summary(resource)

    def view(self, resource, sent=None):
        view = super(NetcenterCertificate, self).view(resource, sent)
        if resource and 'certificate' not in view:
            # The PEM could not be read: what the list reports, in the same shape.
            view['certificate'] = [reported_summary(resource)]
        return view

    def returned(self, resource, desired=None):
        shown = super(NetcenterCertificate, self).returned(resource, desired)
        if shown is not None:
            shown.pop('certificate', None)
        return shown

    def find(self, desired):
        current = super(NetcenterCertificate, self).find(desired)
        if current is not None and desired.bundle is None:
            # A deletion: the diff shows what is deleted, which can only be read before the DELETE.
            self._read_stored_pem(current)
        return current

    def _read_stored_pem(self, current):
        pem = read_stored_pem(self.api, current, self.warnings)
        if pem is not None:
            current['certificate'] = pem

    def _known_stored_pem(self, current, desired):
        """Put the PEM the service stores into ``current`` (the diff's before, ``previous_summary``).

        Free when its stored files are the ones this bundle makes (their digests match); otherwise one
        GET, made here because it must come before the write replaces the PEM, and after the checks
        that may still refuse the change (a refused rotation costs no read).
        """
        facts = desired.facts
        if all((current.get(field) or '').lower() == facts[field] for field in ('crt_md5', 'ca_md5')):
            current['certificate'] = desired.bundle.pem
        else:
            self._read_stored_pem(current)

    def _writable(self, current, desired):
        params = self.params
        bundle = desired.bundle
        body = {'name': params['name'] if params['name'] is not None else current['name'],
                'certificate': bundle.pem}
        if bundle.key_pem:
            body['privateKey'] = bundle.key_pem
        if params['csr_id'] is not None:
            body['csrId'] = params['csr_id']
        comment = params['comment'] if params['comment'] is not None else (current or {}).get('comment')
        if comment is not None:
            body['comment'] = comment
        for option, field in (('auto_renew', 'autoRenew'), ('is_need_alarm', 'isNeedAlarm')):
            if params[option] is not None and current is not None:
                body[field] = 'true' if params[option] else 'false'
        return body

    def create_payload(self, desired):
        if not self.params['name']:
            raise InputError('name', 'is required to create a certificate')
        payload = dict(desired.facts, name=self.params['name'], certificate=desired.bundle.pem)
        if self.params['comment'] is not None:
            payload['comment'] = self.params['comment']
        if desired.bundle.key_pem:
            payload['private_key'] = desired.bundle.key_pem
        return payload

    def update_payload(self, current, desired):
        params = self.params
        facts = desired.facts
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
            self._check_covers_related_domains(current, desired.bundle)
            payload['certificate'] = desired.bundle.pem
            if desired.bundle.key_pem:
                payload['private_key'] = desired.bundle.key_pem
        self._known_stored_pem(current, desired)
        return payload

    def _check_covers_related_domains(self, current, bundle):
        """The API refuses a certificate that does not cover every accelerated domain using the old one."""
        domains = [domain['domain_name'] for domain in current.get('related_domains') or [] if domain.get('domain_name')]
        uncovered = bundle.uncovered(domains)
        if uncovered:
            raise InputError('certificate', 'does not cover %s, accelerated domain%s that use%s certificate %s (%s); '
                                            'the API refuses the change. Add %s to the certificate, or move those '
                                            'domains to another certificate first'
                             % (', '.join(uncovered), '' if len(uncovered) == 1 else 's',
                                's' if len(uncovered) == 1 else '', current['id'], current.get('name'),
                                'it' if len(uncovered) == 1 else 'them'))

    def predict(self, current, payload, desired):
        predicted = super(NetcenterCertificate, self).predict(current, payload, desired)
        predicted.pop('private_key', None)
        return predicted

    def create(self, payload, desired):
        created = dict(self.predict(None, payload, desired))
        created['id'] = self.api.create(self._writable(None, desired), recheck=lambda: self.find_created(payload, desired))
        if self.params['auto_renew'] is not None or self.params['is_need_alarm'] is not None:
            # The add call takes no such flags; an edit right after sets them.
            super(NetcenterCertificate, self).update(created, self._writable(created, desired), desired)
        return created

    def update(self, current, payload, desired):
        super(NetcenterCertificate, self).update(current, self._writable(current, desired), desired)
        return self.predict(current, payload, desired)


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
