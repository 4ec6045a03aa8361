# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud CCM private CA (PCA): private certificates and the CAs that issue them.

Used by ccm_private_certificate, ccm_private_certificate_info and ccm_private_ca_info. CCM is global:
paths carry no project id. Times in answers are milliseconds since the epoch. A certificate is
applied for (the service makes the key pair), shown, exported (certificate, chain and private key
as PEM), revoked or deleted; it cannot be changed, so a new spec means a new certificate.

Identity: the module marks the certificate it owns with the tag ``certfleet.name`` = its ``name``
and finds it again with the tag filter (``resource-instances/filter``), never by scanning the
account. A second tag, ``certfleet.spec``, holds a digest of what the API does not show back
(SANs, key usages, extended key usages, customized extension), so that a change of those is seen
without exporting the certificate.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import hashlib
import json

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import certificate_summary, format_time

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


def dn_text(dn):
    """A CCM distinguished-name object as RFC 4514 text (``CN=...,O=...,C=...``), the summary's form."""
    dn = dn or {}
    return ','.join('%s=%s' % (short, dn[field].replace(',', '\\,'))
                    for field, short in DN_SHORT_NAMES if dn.get(field)) or None


def reported_summary(certificate, now=None):
    """The shared summary from what show/list report (no fingerprint, no SANs: only an export has those)."""
    serial = certificate.get('serial_number')
    try:
        serial = '%X' % int(serial, 16) if serial else None
        serial = ('0' + serial) if serial and len(serial) % 2 else serial
    except ValueError:
        pass
    return certificate_summary(
        serial=serial, not_before=from_millis(certificate.get('not_before')),
        not_after=from_millis(certificate.get('not_after')), subject=dn_text(certificate.get('distinguished_name')),
        issuer=('CN=%s' % certificate['issuer_name']) if certificate.get('issuer_name') else None, now=now)


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
    CA and so not compared.
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
        return self.tags.get(certificate['certificate_id'], {}) if certificate else {}


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
