# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud CCM private CA (PCA): private certificates and the CAs that issue them.

Used by ccm_private_certificate, ccm_private_certificate_info and ccm_private_ca_info: the API
(``PrivateCertificateApi``), the pure rules (``renewal_reason``, ``spec_differences``, ``to_retire``,
...) and the lifecycle of ccm_private_certificate (``PrivateCertificate``, run by
``manage_private_certificate``). CCM is global: paths carry no project id. Times in answers are milliseconds since the epoch. A certificate is
applied for (the service makes the key pair), shown, exported (certificate, chain and private key
as PEM), revoked or deleted; it cannot be changed, so a new spec means a new certificate.

Identity: the module marks the certificate it owns with the tag ``certfleet.name`` = its ``name``
and finds it again with the tag filter (``resource-instances/filter``), never by scanning the
account. A second tag, ``certfleet.spec``, holds a digest of what the API does not show back
(SANs, key usages, extended key usages, customized extension), so that a change of those is seen
without exporting the certificate.

A certificate cannot be changed, so its lifecycle is not ``state.reconcile``: each run decides
whether to renew (and why), issues the replacement, brings the files in step, then retires the
certificates it replaced. Like every manager it is built from explicit values (the options, the
client, check mode) and reports warnings and the exported private key (``no_log_values``) in its
result, for the module to warn and hide.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import datetime
import hashlib
import ipaddress
import json
import re

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.files import CHAIN, CURRENT, MISSING, STALE, PemFiles, read_text
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi
from ansible_collections.certfleet.cloud.plugins.module_utils.vpn import UUID
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import (
    PrivateKey, certificate_summary, format_time, load_certificates,
)

CERTIFICATES_PATH = '/v1/private-certificates'
CERTIFICATE_PATH = '/v1/private-certificates/{certificate_id}'
EXPORT_PATH = '/v1/private-certificates/{certificate_id}/export'
REVOKE_PATH = '/v1/private-certificates/{certificate_id}/revoke'
CREATE_TAGS_PATH = '/v1/private-certificates/{certificate_id}/tags/create'
DELETE_TAGS_PATH = '/v1/private-certificates/{certificate_id}/tags/delete'
TAG_FILTER_PATH = '/v1/private-certificates/resource-instances/filter'
AUTHORITIES_PATH = '/v1/private-certificate-authorities'
AUTHORITY_PATH = '/v1/private-certificate-authorities/{ca_id}'

NAME_TAG = 'certfleet.name'
SPEC_TAG = 'certfleet.spec'
ISSUED = 'ISSUED'
ACTIVE_CA = 'ACTIVED'
LIST_LIMIT = 100
TAG_FILTER_LIMIT = 50
DN_FIELDS = ('common_name', 'country', 'state', 'locality', 'organization', 'organizational_unit')
DN_SHORT_NAMES = (('common_name', 'CN'), ('organizational_unit', 'OU'), ('organization', 'O'),
                  ('locality', 'L'), ('state', 'ST'), ('country', 'C'))


VALIDITY_HOURS = {'MONTH': 31 * 24, 'DAY': 24, 'HOUR': 1}


def validity_end(start, validity_type, value):
    """When a certificate valid for ``value`` ``validity_type`` from ``start`` ends (YEAR: calendar years;
    MONTH: 31 days, as the API defines them)."""
    if validity_type == 'YEAR':
        try:
            return start.replace(year=start.year + value)
        except ValueError:  # 29 February
            return start.replace(year=start.year + value, day=28)
    return start + datetime.timedelta(hours=VALIDITY_HOURS[validity_type] * value)


def validity_window(validity, now):
    """``(start, end)`` of a certificate applied for at ``now`` with a ``validity`` body (``start_from`` in ms)."""
    start = from_millis(validity['start_from']) if validity.get('start_from') is not None else now
    return start, validity_end(start, validity['type'], validity['value'])


def to_millis(moment):
    return int(moment.timestamp() * 1000)


def from_millis(value):
    if value is None:
        return None
    return datetime.datetime.fromtimestamp(value / 1000.0, datetime.timezone.utc)


def rfc4514_value(value):
    """``value`` escaped as RFC 4514 (and ``cryptography``'s ``rfc4514_string``) escape an attribute value."""
    for special in ('\\', '"', '+', ',', ';', '<', '>'):
        value = value.replace(special, '\\' + special)
    value = value.replace('\0', '\\00')
    if value[:1] == '#' or (value[:1] == ' ' and len(value) > 1):
        value = '\\' + value
    if value[-1:] == ' ':
        value = value[:-1] + '\\ '
    return value


def dn_text(dn):
    """A CCM distinguished-name object as RFC 4514 text (``CN=...,O=...,C=...``), the summary's form.

    The order is that of a certificate whose subject runs C, ST, L, O, OU, CN (as the CAs and the
    certificates CCM issues are written), printed most specific first, as ``rfc4514_string`` prints it.
    """
    dn = dn or {}
    return ','.join('%s=%s' % (short, rfc4514_value(dn[field]))
                    for field, short in DN_SHORT_NAMES if dn.get(field)) or None


def summary_sans(sans):
    """Requested SANs (``{type, value}``) as the certificate summary lists them: the DNS names and IP addresses
    in the order asked (the summary shows no EMAIL or URI names)."""
    shown = []
    for san in sans or []:
        if san['type'] == 'DNS':
            shown.append(san['value'])
        elif san['type'] == 'IP':
            shown.append(str(ipaddress.ip_address(san['value'])))
    return shown


def reported_summary(certificate, now=None, authority=None, sans=None):
    """The shared summary from what show/list report: no fingerprint, and no SANs unless ``sans`` (what the
    caller knows it was issued with) are given, as only an export has them.

    ``authority``, the issuing CA as the CA show or list reports it, gives the issuer as the certificate
    names it (the CA's whole subject); without it, only the CA's common name is known.
    """
    serial = certificate.get('serial_number')
    try:
        serial = '%X' % int(serial, 16) if serial else None
        serial = ('0' + serial) if serial and len(serial) % 2 else serial
    except ValueError:
        pass
    issuer = ('CN=%s' % rfc4514_value(certificate['issuer_name'])) if certificate.get('issuer_name') else None
    if authority and authority.get('ca_id') == certificate.get('issuer_id'):
        issuer = dn_text(authority.get('distinguished_name')) or issuer
    return certificate_summary(
        serial=serial, not_before=from_millis(certificate.get('not_before')),
        not_after=from_millis(certificate.get('not_after')), subject=dn_text(certificate.get('distinguished_name')),
        issuer=issuer, sans=sans, now=now)


def spec_digest(spec):
    """The ``certfleet.spec`` tag value: a digest of the parts of a request the API does not show back.

    Order does not matter (SANs and usages are sets to a relying party); an omitted part and an
    empty one are the same.
    """
    sans = sorted((item['type'], item['value']) for item in spec.get('subject_alternative_names') or [])
    eku = sorted(key for key, flag in (spec.get('extended_key_usage') or {}).items() if flag)
    extension = spec.get('customized_extension') or {}
    canonical = dict(sans=sans, key_usages=sorted(spec.get('key_usages') or []), extended_key_usage=eku,
                     customized_extension=[extension.get('object_identifier'), extension.get('value')]
                     if any(extension.values()) else None)
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode('utf-8')).hexdigest()[:40]


def spec_differences(current, tags, spec, issuer):
    """The parts of ``spec`` (the apply body, with ``issuer`` as given) that ``current`` was not issued with.

    ``issuer`` matches the CA's ID or its name; DN fields not in ``spec`` are inherited from the
    CA and so not compared. ``enterprise_project_id`` is compared only when both sides have one: the
    API cannot move a certificate, so a new project means a new certificate, but a certificate whose
    answer shows none (an account without enterprise projects) must not be renewed on every run.
    """
    differences = []
    if issuer not in (current.get('issuer_id'), current.get('issuer_name')):
        differences.append('issuer')
    shown_dn = current.get('distinguished_name') or {}
    for field in DN_FIELDS:
        wanted = spec['distinguished_name'].get(field)
        if wanted is not None and wanted != shown_dn.get(field):
            differences.append('distinguished_name.' + field)
    for field in ('key_algorithm', 'signature_algorithm'):
        if spec[field] != current.get(field):
            differences.append(field)
    wanted_project, shown_project = spec.get('enterprise_project_id'), current.get('enterprise_project_id')
    if wanted_project is not None and shown_project is not None and wanted_project != shown_project:
        differences.append('enterprise_project_id')
    if tags.get(SPEC_TAG) != spec_digest(spec):
        differences.append('subject_alternative_names, key_usages, extended_key_usage or customized_extension')
    return differences


def renewal_reason(current, tags, spec, issuer, renew_before_days, now):
    """Why ``current`` must be replaced by a new certificate, or None when it serves as it is."""
    if current is None:
        return 'no certificate yet'
    if current.get('status') != ISSUED:
        return 'the certificate is %s' % current.get('status')
    not_after = from_millis(current.get('not_after'))
    left = not_after - now
    if left < datetime.timedelta(days=renew_before_days):
        return 'the certificate expires on %s, within renew_before_days (%d)' % (
            format_time(not_after), renew_before_days)
    differences = spec_differences(current, tags, spec, issuer)
    if differences:
        return 'the certificate was issued with another %s' % ', '.join(differences)
    return None


class Owned:
    """The certificates tagged with one ``name``: the current one (the newest ISSUED, else the newest)
    and those it replaced that still carry the tag (a run stopped between issuing and untagging)."""

    def __init__(self, certificates, tags):
        self.tags = tags                       # certificate id -> {key: value}
        ordered = sorted(certificates, key=lambda item: item.get('create_time') or 0, reverse=True)
        issued = [item for item in ordered if item.get('status') == ISSUED]
        self.current = (issued or ordered or [None])[0]
        self.replaced = [item for item in ordered if item is not self.current]

    @property
    def all(self):
        return ([self.current] if self.current else []) + self.replaced

    def tags_of(self, certificate):
        return self.tags.get(certificate.get('certificate_id'), {}) if certificate else {}


class PrivateCertificateApi(ResourceApi):
    resource_name = 'certificate'
    secret_fields = ('private_key',)

    def read(self, path, key=None):
        # Show answers are the resource itself, with the call's request_id beside its fields.
        found = super(PrivateCertificateApi, self).read(path, key)
        if found is not None:
            found.pop('request_id', None)
        return found

    def get(self, resource_id):
        return self.read(self.client.path(CERTIFICATE_PATH, certificate_id=resource_id))

    def list(self, name=None, status=None):
        """Every certificate matching the server-side filters (``name`` is a substring of the CN), all pages."""
        query = [('sort_key', 'create_time'), ('sort_dir', 'DESC')]
        query += [(key, value) for key, value in (('name', name), ('status', status)) if value]
        return list(self.client.list_by_offset(self.client.path(CERTIFICATES_PATH), 'certificates', query, LIST_LIMIT))

    def tagged(self, key, value):
        """``{certificate id: {tag key: value}}`` of the certificates whose tag ``key`` is ``value``."""
        found, offset = {}, 0
        while True:
            body = self.client.request('POST', self.client.path(TAG_FILTER_PATH), body={
                'tags': [{'key': key, 'values': [value]}], 'limit': TAG_FILTER_LIMIT, 'offset': offset},
                idempotent=True)
            page = body.get('resources') or []
            for resource in page:
                found[resource['resource_id']] = dict((tag['key'], tag.get('value'))
                                                      for tag in resource.get('tags') or [])
            offset += len(page)
            if not page or offset >= (body.get('total_count') or 0):
                return found

    def owned(self, name):
        """The certificates tagged ``certfleet.name`` = ``name`` (one tag filter, then one show each)."""
        tags = self.tagged(NAME_TAG, name)
        certificates = [found for found in (self.get(certificate_id) for certificate_id in sorted(tags))
                        if found is not None]
        return Owned(certificates, tags)

    def apply(self, payload, recheck=None):
        body = self.client.request('POST', self.client.path(CERTIFICATES_PATH), body=payload,
                                   recheck=self.answering_as('certificate_id', recheck))
        return body['certificate_id']

    def tag(self, certificate_id, tags):
        self.client.request('POST', self.client.path(CREATE_TAGS_PATH, certificate_id=certificate_id),
                            body={'tags': [{'key': key, 'value': value} for key, value in sorted(tags.items())]},
                            idempotent=True)

    def untag(self, certificate_id, tags):
        self.client.request('DELETE', self.client.path(DELETE_TAGS_PATH, certificate_id=certificate_id),
                            body={'tags': [{'key': key, 'value': value} for key, value in sorted(tags.items())]})

    def export(self, certificate_id):
        """``{certificate, certificate_chain, private_key}`` as PEM; the caller keeps the key secret."""
        return self.client.request('POST', self.client.path(EXPORT_PATH, certificate_id=certificate_id),
                                   body={'type': 'OTHER', 'is_compressed': 'false'}, idempotent=True)

    def revoke(self, certificate_id, reason):
        self.client.request('POST', self.client.path(REVOKE_PATH, certificate_id=certificate_id),
                            body={'reason': reason})

    def delete(self, current):
        try:
            self.client.request('DELETE', self.client.path(CERTIFICATE_PATH, certificate_id=current['certificate_id']))
        except ApiError as error:
            if not self.is_not_found(error):
                raise

    # Authorities ---------------------------------------------------------------------------------
    def authority(self, ca_id):
        return self.read(self.client.path(AUTHORITY_PATH, ca_id=ca_id))

    def authorities(self, name=None, status=None, ca_type=None):
        query = [(key, value) for key, value in (('name', name), ('status', status), ('type', ca_type)) if value]
        return list(self.client.list_by_offset(self.client.path(AUTHORITIES_PATH), 'certificate_authorities', query,
                                               LIST_LIMIT))


def to_retire(owned, renewing):
    """The owned certificates a run retires: every one when it issues a new certificate, else those the
    current one already replaced but that still carry the tag (a run stopped before retiring them)."""
    return owned.all if renewing else list(owned.replaced)


def check_export(exported, certificate, authority=None):
    """Refuse (``ApiError``) an export that is not ``certificate`` (as show reports it), issued by its CA
    (``authority`` as the CA show reports it, when known), with the private key of that certificate.

    Nothing is written from an export before this passes: a certificate of another CA, or a key that is
    not its own, would be put in place and reported as a change. Messages never quote the texts.
    """
    certificate_id = certificate.get('certificate_id')

    def refused(problem):
        return ApiError('the export of certificate %s %s; no file was written' % (certificate_id, problem))

    if not isinstance(exported, dict):
        raise refused('is not a JSON object')
    for field in ('certificate', 'certificate_chain', 'private_key'):
        if not isinstance(exported.get(field), str) or not exported[field].strip():
            raise refused('has no %s' % field)
    try:
        certificates = load_certificates(exported['certificate'], 'certificate')
        chain = load_certificates(exported['certificate_chain'], 'certificate_chain')
        key = PrivateKey(exported['private_key'], 'private_key')
    except InputError as error:
        raise refused('does not parse: %s' % error)
    if len(certificates) != 1:
        raise refused('holds %d certificates in certificate; expected the certificate alone' % len(certificates))
    leaf = certificates[0]
    try:
        serial = int(certificate.get('serial_number') or '', 16)
    except ValueError:
        raise refused('cannot be checked: the service shows no hexadecimal serial number for it (%r)'
                      % certificate.get('serial_number'))
    if leaf.x509.serial_number != serial:
        raise refused('holds certificate %s with serial %s, not serial %s'
                      % (leaf.subject, leaf.serial_openssl, certificate.get('serial_number')))
    issuer = chain[0]
    if not leaf.is_issued_by(issuer):
        raise refused('holds a certificate that the first certificate of its chain (%s) did not sign' % issuer.subject)
    authority = authority or {}
    names = set(name for name in ((authority.get('distinguished_name') or {}).get('common_name'),
                                  certificate.get('issuer_name')) if name)
    if not names and not authority.get('serial_number'):
        raise refused('cannot be checked: the service names no issuer for it')
    for name in sorted(names):
        if issuer.common_name != name:
            raise refused('is issued by %s, not by CA %s (%s)' % (issuer.subject, certificate.get('issuer_id'), name))
    if authority.get('serial_number'):
        try:
            ca_serial = int(authority['serial_number'], 16)
        except ValueError:
            ca_serial = None
        if issuer.x509.serial_number != ca_serial:
            raise refused('is issued by %s with serial %s, not by CA %s with serial %s'
                          % (issuer.subject, issuer.serial_openssl, authority.get('ca_id'), authority['serial_number']))
    if not key.matches(leaf):
        raise refused('holds a private key that does not belong to its certificate')
    return leaf


# Shorter than any real key in PEM (an Ed25519 one is 119 characters): never a no-log value, which would hide
# every occurrence of that text in the output.
MIN_SECRET_CHARS = 100


def secret_texts(text):
    """``[text]`` when it is a private key in PEM (one block that parses) of a key's length, else ``[]``: the
    no-log values of an export. Anything else would hide every occurrence of itself in the output."""
    try:
        PrivateKey(text, 'private_key')
    except InputError:
        return []
    return [text] if len(text.strip()) >= MIN_SECRET_CHARS else []


def holds_chain_of(files, authority):
    """Whether the chain file of ``files`` (``PemFiles``) holds the chain of ``authority`` (the CA as its show
    reports it), so that a certificate that CA issues leaves the file as it is: its first certificate has the
    CA's common name and serial, and each certificate was signed by the next. A plan's guess at what the real
    run finds by comparing the file with the export."""
    path = files.paths.get(CHAIN)
    text = read_text(path) if path and authority else None
    try:
        chain = load_certificates(text, 'chain_path') if text else []
        ca_serial = int(authority.get('serial_number') or '', 16) if chain else None
    except (InputError, ValueError):
        return False
    return bool(chain) and chain[0].common_name == (authority.get('distinguished_name') or {}).get('common_name') \
        and chain[0].x509.serial_number == ca_serial \
        and all(below.is_issued_by(above) for below, above in zip(chain, chain[1:]))


def revoked_on_retirement(certificate, revoke_replaced):
    """Whether retiring ``certificate`` revokes it: with ``revoke_replaced``, and only while it is ISSUED."""
    return bool(revoke_replaced) and certificate.get('status') == ISSUED


# ccm_private_certificate ---------------------------------------------------------------------------
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
# "0" (the default project) or a project's ID, as the apply body's description gives them.
ENTERPRISE_PROJECT = re.compile(r'^(0|[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12})$')
CREATE_RECHECK_SLACK = datetime.timedelta(minutes=2)

# What validate() settles for state present: the apply body less ``issuer_id`` (resolved only when a
# certificate is issued), and the issuer as given (an ID or a CA's common name).
Desired = collections.namedtuple('Desired', ['spec', 'issuer'])


def check_outlives(payload, authority, now):
    """A certificate applied for at ``now`` must not end after the CA that issues it."""
    dummy, end = validity_window(payload['validity'], now)
    if authority.get('not_after') and to_millis(end) > authority['not_after']:
        raise InputError('validity', 'would end on %s, after CA %s expires (%s)'
                         % (end.strftime('%Y-%m-%d'), authority['ca_id'],
                            from_millis(authority['not_after']).strftime('%Y-%m-%d')))


# What a plan shows for what only the issue decides: no value could be mistaken for these.
PREDICTED_SERIAL = '(assigned by CCM on issue)'
PREDICTED_FINGERPRINT = '(known once issued)'


def predicted_certificate(payload, authority, now):
    """The certificate an apply of ``payload`` at ``now`` would issue, as show would report it (check mode),
    marked ``predicted``: no ID and no serial, and times that are those of ``now`` on the service's clock."""
    start, end = validity_window(payload['validity'], now)
    inherited = dict((field, (authority.get('distinguished_name') or {}).get(field)) for field in DN_FIELDS)
    inherited.update(payload['distinguished_name'])
    return dict(predicted=True, status=ISSUED, issuer_id=authority['ca_id'],
                issuer_name=(authority.get('distinguished_name') or {}).get('common_name'),
                key_algorithm=payload['key_algorithm'], signature_algorithm=payload['signature_algorithm'],
                distinguished_name=inherited, not_before=to_millis(start),
                not_after=to_millis(end), enterprise_project_id=payload.get('enterprise_project_id', '0'))


class PrivateCertificate:
    """The certificate of ccm_private_certificate as its options (``ARGUMENT_SPEC``) describe it.

    ``params`` are the options with defaults filled in; ``client`` is the CCM client, or a function
    that builds it (called only once the options are valid, so that bad input fails before any
    credential or endpoint is looked at); ``apply_file_attributes`` is ``PemFiles``' ``apply_attributes``.
    """

    def __init__(self, params, client, check_mode=False, apply_file_attributes=None, api=None):
        self.params = params
        self._client = client
        self.check_mode = check_mode
        self.files = PemFiles(params, FILE_OPTIONS, apply_file_attributes)
        self._api = api
        # The CA of a certificate issued on this run, as looked up for it: checks its export, and names the
        # issuer in summaries drawn from what show reports.
        self.issuer_authority = None
        # What state present settles (``Desired``), the owned certificates, and the ID issued on this run: what
        # the summaries know of SANs that show does not report.
        self.desired = None
        self.owned = None
        self.issued_id = None
        self.warnings = []
        # Secrets that came back from the service: the module hides them from everything it prints.
        self.no_log_values = []

    @property
    def client(self):
        if callable(self._client):
            self._client = self._client()
        return self._client

    @property
    def api(self):
        if self._api is None:
            self._api = PrivateCertificateApi(self.client)
        return self._api

    # The service's rules, checked before any request ---------------------------------------------
    def validate(self):
        """Check the options; the desired state (``Desired``) with state present, else None."""
        params = self.params
        if not TAG_VALUE.match(params['name']):
            raise InputError('name', 'must be 1 to 255 letters, digits, spaces or _.:/=+-@ (it is a tag value)')
        if params['renew_before_days'] < 0:
            raise InputError('renew_before_days', 'must be 0 or more')
        self.files.validate()
        if params['state'] != 'present':
            return None
        if not params['issuer'].strip():
            raise InputError('issuer', 'is empty; give the ID or the common name of a CA')
        project = params['enterprise_project_id']
        if project == 'all':
            raise InputError('enterprise_project_id', '"all" selects every project in a query; give "0" (the default '
                                                      'project) or the ID of the project to issue into')
        if project is not None and not ENTERPRISE_PROJECT.match(project):
            raise InputError('enterprise_project_id', '%r is not "0" (the default project) or an enterprise project '
                                                      'ID (lower-case letters and digits, 8-4-4-4-12)' % project)
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
        return Desired(self.spec(), params['issuer'].strip())

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
        if params['enterprise_project_id'] is not None:
            spec['enterprise_project_id'] = params['enterprise_project_id']
        return spec

    # Lifecycle -----------------------------------------------------------------------------------
    def run(self):
        """Bring the certificate to the ``state`` option; the module's result (with ``warnings`` and
        ``no_log_values`` when there are any)."""
        desired = self.validate()
        owned = self.api.owned(self.params['name'])
        self.desired, self.owned = desired, owned
        result = dict(changed=False, certificate=None, files=[], replaced=[], revoked=[], deleted=[], reason=None)
        state = self.params['state']
        if state == 'absent':
            self.absent(owned, result)
        elif state == 'revoked':
            self.revoke(owned, result)
        else:
            self.present(owned, desired, result)
        if self.warnings:
            result['warnings'] = list(self.warnings)
        if self.no_log_values:
            result['no_log_values'] = list(self.no_log_values)
        return result

    def absent(self, owned, result):
        for certificate in owned.all:
            if not self.check_mode:
                self.api.delete(certificate)
            result['deleted'].append(certificate['certificate_id'])
        result['changed'] = bool(result['deleted'])
        result['diff'] = dict(before=self.view(owned.current), after={})

    def revoke(self, owned, result):
        current = owned.current
        if current is None:
            self.warnings.append('no certificate is tagged %s=%s; nothing to revoke' % (NAME_TAG, self.params['name']))
            result['diff'] = dict(before={}, after={})
            return
        after = current
        if current.get('status') == ISSUED:
            if not self.check_mode:
                self.api.revoke(current['certificate_id'], self.params['revocation_reason'])
                after = self.api.get(current['certificate_id']) or dict(current, status='REVOKED')
            else:
                after = dict(current, status='REVOKED')
            result['revoked'].append(current['certificate_id'])
            result['changed'] = True
        result['certificate'] = self.returned(after)
        result['diff'] = dict(before=self.view(current), after=self.view(after))

    def present(self, owned, desired, result):
        current = owned.current
        reason = self.renewal(owned, desired)
        result['reason'] = reason
        if reason:
            # Read before "before" is drawn, in check mode as in a real run, so that both name the issuer alike.
            self.issuer_authority = self.authority(desired.issuer)
        # Drawn before anything is written: once the files hold a new certificate, the current one is known
        # only from what show reports, and a real run's "before" would differ from its plan's.
        before = self.view(current)
        new = self.issue(owned, desired) if reason else current
        exported, file_states = self.sync_files(new, bool(reason), result)
        attributes_changed = self.files.set_attributes()
        exposed = self.files.key_warning(self.check_mode)
        if exposed:
            self.warnings.append(exposed)
        self.retire_replaced(to_retire(owned, bool(reason)), result)
        result['changed'] = bool(reason or result['files'] or attributes_changed or result['replaced'])
        result['certificate'] = self.returned(new, exported)
        result['diff'] = dict(before=dict(before, files=file_states),
                              after=dict(self.view(new, exported), files=dict((path, CURRENT)
                                                                              for path in file_states)))

    def renewal(self, owned, desired):
        """Why a new certificate replaces the owned ones on this run, or None when the current one serves."""
        current = owned.current
        return renewal_reason(current, owned.tags_of(current), desired.spec, desired.issuer,
                              self.params['renew_before_days'], self.client.service_now())

    def issue(self, owned, desired):
        """The new certificate, applied for and tagged, from ``issuer_authority``; in check mode, the one that
        would be issued."""
        authority = self.issuer_authority
        payload = dict(desired.spec, issuer_id=authority['ca_id'])
        check_outlives(payload, authority, self.client.service_now())
        if self.check_mode:
            return predicted_certificate(payload, authority, self.client.service_now())
        self.issued_id = self.apply_and_tag(payload, owned)
        return self.api.get(self.issued_id) or {}

    def sync_files(self, certificate, issued, result):
        """Bring the files in step with ``certificate`` (``issued`` on this run: every file is out of date);
        sets ``result['files']`` and returns ``(the export or None, the state of each file before)``.

        The certificate is exported only when a file needs writing.
        """
        if issued:
            states = dict((path, MISSING if state == MISSING else STALE)
                          for path, state in self.files.states(None, None).items())
        else:
            states = self.files.states(certificate.get('serial_number'), certificate.get('issuer_name'))
        outdated = sorted(path for path, state in states.items() if state != CURRENT)
        if self.check_mode:
            if issued and holds_chain_of(self.files, self.issuer_authority):
                # As the real run finds once it has the export: the chain of the same CA is not rewritten.
                states[self.files.paths[CHAIN]] = CURRENT
                outdated.remove(self.files.paths[CHAIN])
            result['files'] = outdated
            return None, states
        if not outdated:
            return None, states
        exported = self.export(certificate)
        result['files'] = self.files.write(self.files.contents(exported))
        # A file that already held what the new certificate needs (the same chain) was not stale.
        kept = [path for path, state in states.items() if state == STALE and path not in result['files']]
        states.update((path, CURRENT) for path in kept)
        return exported, states

    def retire_replaced(self, retiring, result):
        for old in retiring:
            self.retire(old, result)

    def retire(self, old, result):
        """Revoke (when asked) and untag a certificate that a newer one replaces; revoke first, so a failure
        between the two leaves it still found and retired on the next run."""
        certificate_id = old['certificate_id']
        revoking = revoked_on_retirement(old, self.params['revoke_replaced'])
        if not self.check_mode:
            if revoking:
                self.api.revoke(certificate_id, self.params['revocation_reason'])
            self.api.untag(certificate_id, {NAME_TAG: self.params['name']})
        if revoking:
            result['revoked'].append(certificate_id)
        result['replaced'].append(certificate_id)

    def authority(self, issuer):
        """The issuing CA: by ID, or the one ACTIVED CA of that common name."""
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

    def apply_and_tag(self, payload, owned):
        """Apply, then tag; a lost apply answer is found again, never applied twice. Returns the new ID."""
        known = set(item['certificate_id'] for item in owned.all)
        issued_after = to_millis(self.client.service_now() - CREATE_RECHECK_SLACK)

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

    def export(self, certificate):
        """The export of ``certificate``, checked (``check_export``); its key is handed over as a no-log value."""
        exported = self.api.export(certificate['certificate_id'])
        authority = self.issuer_authority
        if authority is None or authority.get('ca_id') != certificate.get('issuer_id'):
            # One read more, only when a file is written: the CA's serial tells it from another CA of that name.
            authority = self.api.authority(certificate['issuer_id']) if certificate.get('issuer_id') else None
        check_export(exported, certificate, authority)
        self.no_log_values.extend(text for text in secret_texts(exported['private_key'])
                                  if text not in self.no_log_values)
        return exported

    # What is shown -------------------------------------------------------------------------------
    def known_sans(self, certificate):
        """The SANs ``certificate`` was issued with, as the summary lists them, when this run knows them without an
        export: the one issued (or predicted) on this run, or one tagged with the digest of the same spec (the
        same set of SANs). None when they are not known."""
        if self.desired is None:
            return None
        issued_now = certificate.get('predicted') or (
            self.issued_id is not None and certificate.get('certificate_id') == self.issued_id)
        if issued_now or (self.owned is not None
                          and self.owned.tags_of(certificate).get(SPEC_TAG) == spec_digest(self.desired.spec)):
            return summary_sans(self.desired.spec.get('subject_alternative_names'))
        return None

    def summary(self, certificate, exported=None):
        """The shared summary of ``certificate``: from its export, else the copy on disk, else what show reports
        completed with what this run knows (the issuing CA's subject, the SANs); a predicted certificate's
        serial and fingerprint say that CCM decides them."""
        now = self.client.service_now()
        if (exported or {}).get('certificate'):
            return load_certificates(exported['certificate'], 'certificate')[0].summary(now=now)
        if certificate.get('predicted'):
            return dict(reported_summary(certificate, now, self.issuer_authority, self.known_sans(certificate)),
                        serial=PREDICTED_SERIAL, sha256_fingerprint=PREDICTED_FINGERPRINT)
        on_disk = self.files.current_certificate(certificate.get('serial_number'), certificate.get('issuer_name'))
        if on_disk is not None:
            return on_disk.summary(now=now)
        return reported_summary(certificate, now, self.issuer_authority, self.known_sans(certificate))

    def returned(self, certificate, exported=None):
        if not certificate:
            return None
        return dict(certificate, summary=self.summary(certificate, exported))

    def view(self, certificate, exported=None):
        if not certificate:
            return {}
        view = dict(certificate=self.summary(certificate, exported), status=certificate.get('status'),
                    subject=dn_text(certificate.get('distinguished_name')),
                    key_algorithm=certificate.get('key_algorithm'),
                    signature_algorithm=certificate.get('signature_algorithm'),
                    enterprise_project_id=certificate.get('enterprise_project_id'))
        if certificate.get('predicted'):
            view['predicted'] = True
        return view


def manage_private_certificate(params, client, check_mode=False, apply_file_attributes=None):
    """The whole of ccm_private_certificate; returns its result (see ``PrivateCertificate``)."""
    return PrivateCertificate(params, client, check_mode, apply_file_attributes).run()


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
    private_key_mode=dict(type='raw', default='0600', no_log=False),
    enterprise_project_id=dict(type='str'),
)
# The options state present needs (the module's ``required_if``).
REQUIRED_IF = [('state', 'present', ('issuer', 'distinguished_name', 'validity'))]
