# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud VPN v5: GM gateway certificates and the gateways they belong to.

Used by vpn_gateway_certificate and vpn_gateway_certificate_info. One certificate per gateway,
no delete. The API never returns PEM or keys: serials (decimal), subjects (``C=CN,...,CN=...``),
the issuer, expiry times and a status. Times are converted here to UTC (``...Z``) like every
time the collection returns.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import certificate_summary, format_time, openssl_serial

GATEWAYS_PATH = '/v5/{project_id}/vpn-gateways'
GATEWAY_PATH = '/v5/{project_id}/vpn-gateways/{vgw_id}'
CERTIFICATE_PATH = '/v5/{project_id}/vpn-gateways/{vgw_id}/certificate'
CERTIFICATE_ITEM_PATH = '/v5/{project_id}/vpn-gateways/{vgw_id}/certificate/{certificate_id}'
CERTIFICATES_PATH = '/v5/{project_id}/vpn-gateway-certificates'
PAGE_LIMIT = 200
SETTLED_STATUS = 'ACTIVE'
GM_FLAVOR = 'GM'
UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
TIME_FIELDS = ('certificate_expire_time', 'certificate_chain_expire_time', 'enc_certificate_expire_time',
               'created_at', 'updated_at')
EXPIRY_FIELDS = ('certificate_expire_time', 'enc_certificate_expire_time', 'certificate_chain_expire_time')


def to_utc(value):
    """An ISO 8601 time with any offset (``2024-02-20T15:41:39+08:00``) as UTC ``...Z``; others unchanged."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.datetime.strptime(re.sub(r'\.\d+', '', value).replace('Z', '+00:00'),
                                            '%Y-%m-%dT%H:%M:%S%z')
    except ValueError:
        return value
    return format_time(moment)


def normalize(certificate):
    shown = dict(certificate)
    for field in TIME_FIELDS:
        if field in shown:
            shown[field] = to_utc(shown[field])
    return shown


def earliest_expiry(certificate):
    """The earliest of the signature, encryption and chain expiry times (they all stop the gateway)."""
    times = [certificate.get(field) for field in EXPIRY_FIELDS if certificate.get(field)]
    return min(times) if times else None


def dn_to_rfc4514(text):
    """``C=CN,ST=x,CN=y`` (certificate order) as RFC 4514 (``CN=y,ST=x,C=CN``), the collection's summary form."""
    parts = re.split(r'(?<!\\),', text or '')
    return ','.join(reversed([part.strip() for part in parts if part.strip()])) or None


def reported_summary(certificate):
    """The shared summary of the signature certificate from what the API reports (no fingerprint, no SANs)."""
    serial = certificate.get('certificate_serial_number')
    return certificate_summary(
        serial=openssl_serial(int(serial)) if serial and serial.isdigit() else serial,
        not_after=certificate.get('certificate_expire_time'),
        subject=dn_to_rfc4514(certificate.get('certificate_subject')),
        issuer=dn_to_rfc4514(certificate.get('issuer')))


class VpnGatewayCertificateApi(ResourceApi):
    """The certificate of one gateway (``vgw_id``, set once the gateway is known)."""

    resource_name = 'certificate'
    secret_fields = ('private_key', 'enc_private_key')
    vgw_id = None

    def gateways(self):
        body = self.client.request('GET', self.client.path(GATEWAYS_PATH))
        return body.get('vpn_gateways') or []

    def gateway(self, vgw_id):
        return self.read(self.client.path(GATEWAY_PATH, vgw_id=vgw_id), 'vpn_gateway')

    def list(self, **filters):
        """Every GM gateway certificate of the project, all pages."""
        items, marker = [], None
        while True:
            query = [('limit', PAGE_LIMIT)] + ([('marker', marker)] if marker else [])
            page = self.client.request('GET', self.client.path(CERTIFICATES_PATH), query).get(
                'vpn_gateway_certificates') or []
            items.extend(normalize(item) for item in page)
            if len(page) < PAGE_LIMIT or page[-1].get('id') in (None, marker):
                return items
            marker = page[-1]['id']

    def get(self, resource_id=None):
        """The certificate of gateway ``resource_id`` (default: ``vgw_id``), None when it has none."""
        found = self.read(self.client.path(CERTIFICATE_PATH, vgw_id=resource_id or self.vgw_id), 'certificate')
        return None if found is None else normalize(found)

    def create(self, payload, recheck=None):
        body = self.client.request('POST', self.client.path(CERTIFICATE_PATH, vgw_id=self.vgw_id),
                                   body={'certificate': payload}, recheck=self.answering_as('certificate', recheck))
        return normalize(body['certificate'])

    def update(self, current, payload):
        path = self.client.path(CERTIFICATE_ITEM_PATH, vgw_id=self.vgw_id, certificate_id=current['id'])
        return normalize(self.client.request('PUT', path, body={'certificate': payload})['certificate'])

    def delete(self, current):
        raise ApiError('the VPN API cannot delete a gateway certificate')

    def is_busy(self, error):
        # A change refused while the previous one is still being applied.
        return error.status == 409 and error.error_code == 'VPN.0005'
