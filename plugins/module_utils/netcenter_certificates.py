# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Wangsu / ChinaNetCenter certificate API: paths, calls, what "not found" and "busy" look like.

Used by netcenter_certificate and netcenter_certificate_info. The list call returns every
certificate of the account in one answer (no filter, no paging), so a lookup by id or name is
one list call.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import hashlib

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import certificate_summary, format_time

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


def reported_summary(certificate):
    """The shared summary from what the list reports: it shows no subject and no fingerprint."""
    serial = certificate.get('serial') or ''
    return certificate_summary(
        serial=(('0' if len(serial) % 2 else '') + serial).upper() or None,
        not_before=certificate.get('not_before'), not_after=certificate.get('not_after'),
        issuer=certificate.get('issuer'), sans=certificate.get('dns_names'))


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
        body, dummy = self.client.request('GET', CERTIFICATE_LIST)
        return [normalize_certificate(item) for item in body.get('ssl-certificates') or []]

    def get(self, resource_id):
        return next((item for item in self.list() if item['id'] == str(resource_id)), None)

    def create(self, payload, recheck=None):
        """The new certificate's id (the API answers 202 with a Location header)."""
        result, headers = self.client.request('POST', CERTIFICATE_COLLECTION, body=payload, recheck=recheck)
        return str(result['id']) if result.get('id') else id_from_location(headers)

    def update(self, current, payload):
        self.client.request('PUT', certificate_item_path(current['id']), body=payload)

    def delete(self, current):
        self.client.request('DELETE', certificate_item_path(current['id']))

    def is_not_found(self, error):
        return error.error_code in NOT_FOUND_CODES

    def is_busy(self, error):
        return error.error_code in BUSY_CODES
