# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""VPN v5 GM gateway certificates: create, show, update, list, and the gateways they belong to.

Paths and fields are those of huaweicloudsdkvpn's v5 client and models and of the seed page
(update). One certificate per gateway, only on a ``GM`` flavor gateway, no delete. The API never
returns PEM or keys: only serials (decimal), subjects and issuer (``C=CN,ST=...,CN=...``), the
signature algorithm, expiry times (``+08:00``) and a status that is ``BINDING`` for
``settle_reads`` requests about it (each stands for time passing) before it is ``BOUND`` (or
``FAULT``, after ``{"vpn": {"settle_to": "FAULT"}}``), the statuses of the reference.

Error codes are those of the reference's common table ("Error Codes", vpn_api_0067): ``VPN.0001``
(400, ``invalid request: ...``, naming the field), ``VPN.0002`` (500, ``server error: ...``),
``VPN.0004`` (404, ``resource not found``); its 403 ``VPN.0003`` (``Authentication failed``, a
fine-grained permission) is not emulated. A path of another project is the API Gateway's 403
``APIGW.0302``, as for every Huawei service here (it was the undocumented ``VPN.0006``). Which code
a given refusal carries is not documented per call: a gateway that is not GM and a second
certificate on one gateway answer ``VPN.0001``.
A change while the previous one is being applied is the table's busy refusal, 400 ``VPN.0030``
(``The system is busy, please try later.``).
"""

from __future__ import annotations

import datetime
import re
import uuid

from . import gm, pem
from .base import ServiceError, status_phrase
from .huawei import HuaweiService

PROJECT = r'(?P<project_id>[^/]+)'
VGW = r'(?P<vgw_id>[^/]+)'
# The Chinese reference page allows CJK ideographs too (\u4e00-\u9fa5); the English one does not say so.
NAME = re.compile(u'^[A-Za-z0-9_.\u4e00-\u9fa5-]{3,63}$')
CST = datetime.timezone(datetime.timedelta(hours=8))
PEM_LIMITS = dict(certificate=4096, private_key=4096, enc_certificate=4096, enc_private_key=4096,
                  certificate_chain=8192)
PAIRS = (('certificate', 'private_key'), ('enc_certificate', 'enc_private_key'))
# The reference's statuses: BOUND (applied), BINDING (being applied), FAULT (could not be applied).
SETTLED = 'BOUND'
FAILED = 'FAULT'
APPLYING_CREATE = APPLYING_UPDATE = 'BINDING'
BUSY_STATUS, BUSY_CODE = 400, 'VPN.0030'


def invalid(field, reason):
    return ServiceError(400, 'VPN.0001', 'invalid request: parameter %s: %s' % (field, reason))


def not_found(what):
    return ServiceError(404, 'VPN.0004', 'resource not found: %s' % what)


def cst_text(moment, milliseconds=False):
    text = moment.astimezone(CST).isoformat(timespec='milliseconds' if milliseconds else 'seconds')
    return text


class VpnService(HuaweiService):
    name = 'vpn'

    def reset(self):
        self.gateways = {}       # id -> gateway
        self.certificates = {}   # id -> record (PEMs kept for later checks, never shown)
        self.settle_reads = 1
        self.settle_to = SETTLED

    def routes(self):
        base = r'/v5/%s/vpn-gateways' % PROJECT
        return [
            self.route('GET', base, self.list_gateways),
            self.route('GET', base + '/' + VGW, self.show_gateway),
            self.route('POST', base + '/' + VGW + '/certificate', self.create),
            self.route('GET', base + '/' + VGW + '/certificate', self.show),
            self.route('PUT', base + '/' + VGW + r'/certificate/(?P<certificate_id>[^/]+)', self.update),
            self.route('GET', r'/v5/%s/vpn-gateway-certificates' % PROJECT, self.list),
        ]

    def bad_request(self, message, request_id):
        return self.error(400, 'VPN.0001', 'invalid request: %s' % message, request_id)

    def fault_body(self, status, request_id):
        body = super().fault_body(status, request_id)
        if status >= 500:
            # The service's own failure, as the table words it; throttling stays the API gateway's.
            body.update(error_code='VPN.0002', error_msg='server error: %s' % status_phrase(status))
        return body

    # Gateways ------------------------------------------------------------------------------------
    def _gateway(self, vgw_id):
        gateway = self.gateways.get(vgw_id)
        if gateway is None:
            raise not_found('VPN gateway %s' % vgw_id)
        return gateway

    def list_gateways(self, request):
        # vgw_id is the SDK's filter; enterprise_project_id (repeatable) the reference's.
        wanted = request.query_value('vgw_id')
        projects = request.query_values('enterprise_project_id')
        gateways = [dict(g) for g in self.gateways.values()
                    if wanted in (None, g['id']) and (not projects or g['enterprise_project_id'] in projects)]
        return self.call(request, lambda: (200, {'vpn_gateways': gateways}))

    def show_gateway(self, request):
        return self.call(request, lambda: (200, {'vpn_gateway': dict(self._gateway(request.match.group('vgw_id')))}))

    # Certificates --------------------------------------------------------------------------------
    def _tick(self, record):
        """Every request about a pending certificate stands for time passing: it settles after ``settle_reads``."""
        if record['status'] == APPLYING_UPDATE:
            if record['_pending_reads'] <= 0:
                record['status'] = self.settle_to
            record['_pending_reads'] -= 1

    def _view(self, record, read=True):
        """What the API shows of a record; a read is a tick."""
        if read:
            self._tick(record)
        return dict((key, value) for key, value in record.items() if not key.startswith('_'))

    def _body(self, request):
        try:
            body = request.json()
        except ValueError:
            raise invalid('body', 'not JSON')
        if not isinstance(body, dict) or not isinstance(body.get('certificate'), dict):
            raise invalid('certificate', 'the request body must be {"certificate": {...}}')
        return body['certificate']

    @staticmethod
    def _check_name(option):
        if 'name' in option and (not isinstance(option['name'], str) or not NAME.match(option['name'])):
            raise invalid('name', '3 to 63 characters of letters, digits, "_", "-" and "."')

    def _validated(self, option, record=None):
        """The checks the service makes; returns the PEM fields to store (merged with ``record``'s)."""
        self._check_name(option)
        for field, limit in PEM_LIMITS.items():
            value = option.get(field)
            if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= limit):
                raise invalid(field, 'must be 1 to %d characters' % limit)
        stored = dict((field, (record or {}).get('_' + field)) for field in PEM_LIMITS)
        for cert_field, key_field in PAIRS:
            if (option.get(cert_field) is None) != (option.get(key_field) is None):
                raise invalid(key_field if option.get(cert_field) else cert_field,
                              'a certificate and its private key are given together')
        stored.update(dict((field, option[field]) for field in PEM_LIMITS if option.get(field) is not None))
        if record is None and any(stored[field] is None for field in PEM_LIMITS):
            missing = [field for field in PEM_LIMITS if stored[field] is None]
            raise invalid(missing[0], 'is required')
        now = self.emulator.now()
        try:
            chain = pem.certificates(stored['certificate_chain'])
        except pem.BadPem:
            raise invalid('certificate_chain', 'is not a PEM certificate chain')
        chain_pems = pem.split_certificates(stored['certificate_chain'])
        for cert_field, key_field in PAIRS:
            try:
                certificate = gm.load(stored[cert_field])
            except gm.GmError:
                raise invalid(cert_field, 'is not a PEM certificate')
            if not gm.is_sm2_certificate(certificate):
                raise invalid(cert_field, 'is not an SM2 certificate signed with SM3')
            if gm.is_ca(certificate):
                raise invalid(cert_field, 'is a CA certificate; a GM non-CA certificate is required')
            if pem.not_after(certificate) < now:
                raise invalid(cert_field, 'has expired')
            try:
                matches = gm.key_matches(stored[key_field], stored[cert_field])
            except gm.GmError:
                raise invalid(key_field, 'is not a PEM private key')
            if not matches:
                raise invalid(key_field, 'does not match %s' % cert_field)
            if not chain_pems or not gm.signed_by(certificate, chain_pems[0]):
                raise invalid(cert_field, 'is not issued by the CA certificate chain')
        if any(not gm.is_ca(authority) or not gm.is_sm2_certificate(authority) for authority in chain):
            raise invalid('certificate_chain', 'holds a certificate that is not a GM CA certificate')
        for child, parent in zip(chain_pems, chain_pems[1:]):
            if not gm.signed_by(gm.load(child), parent):
                raise invalid('certificate_chain', 'the chain is not in order')
        sign, enc = gm.load(stored['certificate']), gm.load(stored['enc_certificate'])
        ca = chain[0]
        facts = dict(
            issuer=gm.dn_text(sign.issuer), signature_algorithm='SM3WITHSM2',
            certificate_serial_number=str(sign.serial_number), certificate_subject=gm.dn_text(sign.subject),
            certificate_expire_time=cst_text(pem.not_after(sign)),
            certificate_chain_serial_number=str(ca.serial_number), certificate_chain_subject=gm.dn_text(ca.subject),
            certificate_chain_expire_time=cst_text(pem.not_after(ca)),
            enc_certificate_serial_number=str(enc.serial_number), enc_certificate_subject=gm.dn_text(enc.subject),
            enc_certificate_expire_time=cst_text(pem.not_after(enc)))
        facts.update(dict(('_' + field, value) for field, value in stored.items()))
        return facts

    def create(self, request):
        def action():
            gateway = self._gateway(request.match.group('vgw_id'))
            if gateway.get('flavor') != 'GM':
                raise invalid('vgw_id', 'VPN gateway %s is of flavor %s; only GM gateways take a certificate'
                              % (gateway['id'], gateway.get('flavor')))
            if gateway.get('certificate_id'):
                raise invalid('vgw_id', 'VPN gateway %s already has certificate %s'
                              % (gateway['id'], gateway['certificate_id']))
            option = self._body(request)
            # Optional on create: the service names it itself (the reference's example: cert-a45b).
            name = option['name'] if 'name' in option else 'cert-%s' % uuid.uuid4().hex[:4]
            record = self._new_record(gateway, name, self._validated(option))
            return 201, {'certificate': self._config(record)}
        return self.call(request, action)

    def _new_record(self, gateway, name, facts, status=APPLYING_CREATE):
        stamp = cst_text(self.emulator.now(), milliseconds=True)
        record = dict(id=str(uuid.uuid4()), name=name, project_id=self.options.project_id, vgw_id=gateway['id'],
                      status=status, created_at=stamp, updated_at=stamp, _pending_reads=self.settle_reads)
        record.update(facts)
        self.certificates[record['id']] = record
        gateway['certificate_id'] = record['id']
        return record

    def _config(self, record):
        shown = self._view(record, read=False)
        for field in ('status', 'project_id', 'updated_at'):
            shown.pop(field, None)
        return shown

    def _of_gateway(self, vgw_id):
        gateway = self._gateway(vgw_id)
        record = self.certificates.get(gateway.get('certificate_id'))
        if record is None:
            raise not_found('VPN gateway %s has no certificate' % vgw_id)
        return record

    def show(self, request):
        return self.call(request, lambda: (200, {'certificate': self._view(
            self._of_gateway(request.match.group('vgw_id')))}))

    def update(self, request):
        def action():
            record = self._of_gateway(request.match.group('vgw_id'))
            if record['id'] != request.match.group('certificate_id'):
                raise not_found('certificate %s' % request.match.group('certificate_id'))
            self._tick(record)
            if record['status'] == APPLYING_UPDATE:
                raise ServiceError(BUSY_STATUS, BUSY_CODE, 'The system is busy, please try later. (certificate %s '
                                                           'is %s)' % (record['id'], record['status']))
            option = self._body(request)
            self._check_name(option)
            if any(option.get(field) is not None for field in PEM_LIMITS):
                record.update(self._validated(option, record))
            if 'name' in option:
                record['name'] = option['name']
            record['status'] = APPLYING_UPDATE
            record['_pending_reads'] = self.settle_reads
            record['updated_at'] = cst_text(self.emulator.now(), milliseconds=True)
            return 200, {'certificate': self._config(record)}
        return self.call(request, action)

    @staticmethod
    def _integer(request, name, default):
        value = request.query_value(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise invalid(name, 'must be an integer')

    def list(self, request):
        def action():
            limit = self._integer(request, 'limit', 200)
            days = self._integer(request, 'pre_expire_days', None)
            if not 1 <= limit <= 200:
                raise invalid('limit', 'must be 1 to 200')
            records = list(self.certificates.values())
            if days is not None:
                horizon = self.emulator.now() + datetime.timedelta(days=days)
                records = [r for r in records if min(datetime.datetime.fromisoformat(r[field]) for field in (
                    'certificate_expire_time', 'enc_certificate_expire_time', 'certificate_chain_expire_time'))
                    <= horizon]
            marker = request.query_value('marker')
            if marker is not None:
                ids = [r['id'] for r in records]
                if marker not in ids:
                    raise invalid('marker', '%s is not a certificate id' % marker)
                records = records[ids.index(marker) + 1:]
            return 200, {'vpn_gateway_certificates': [self._view(r) for r in records[:limit]]}
        return self.call(request, action)

    # Admin seeding -------------------------------------------------------------------------------
    def seed(self, data):
        """``{"gateways": [{id, name, flavor, enterprise_project_id}], "certificates": [{vgw_id, name, certificate, ...}],
        "settle_reads": N, "settle_to": "BOUND" or "FAULT", "settle": true}`` (``settle`` makes every pending
        certificate BOUND now)."""
        for template in data.get('gateways', []):
            gateway = dict(id=template.get('id') or str(uuid.uuid4()), name=template['name'],
                           flavor=template.get('flavor', 'GM'), status='ACTIVE', certificate_id=None,
                           attachment_type='vpc', ip_version='ipv4', network_type='public',
                           enterprise_project_id=template.get('enterprise_project_id', '0'))
            self.gateways[gateway['id']] = gateway
        for template in data.get('certificates', []):
            gateway = self._gateway(template['vgw_id'])
            option = dict((field, template[field]) for field in PEM_LIMITS if field in template)
            try:
                facts = self._validated(option)
            except ServiceError as exc:
                raise ValueError('seed certificate %r: %s' % (template.get('name'), exc.message))
            self._new_record(gateway, template['name'], facts, status=SETTLED)
        if 'settle_reads' in data:
            self.settle_reads = int(data['settle_reads'])
        if 'settle_to' in data:
            if data['settle_to'] not in (SETTLED, FAILED):
                raise ValueError('settle_to: %s or %s' % (SETTLED, FAILED))
            self.settle_to = data['settle_to']
        if data.get('settle'):
            for record in self.certificates.values():
                record['status'] = SETTLED
                record['_pending_reads'] = 0
        return {'gateways': sorted(self.gateways), 'certificates': sorted(self.certificates)}
