# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud VPN v5: GM gateway certificates and the gateways they belong to.

Used by vpn_gateway_certificate, vpn_gateway_certificate_info, certificate_check and certificate_deploy:
the API (``VpnGatewayCertificateApi``), the GM certificate rules (``GmCertificate``) and the manager
(``VpnGatewayCertificate``). One certificate per gateway,
no delete. The API never returns PEM or keys: serials (decimal), subjects (``C=CN,...,CN=...``),
the issuer, expiry times and a status. Times are converted here to UTC (``...Z``) like every
time the collection returns; summaries show serials as ``openssl x509 -serial`` prints them and
subjects in RFC 4514, as every module's do.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import datetime
import re
import time

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.sm2 import SM2_WITH_SM3_OID
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi, ResourceManager
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import RetryPolicy, wait_for
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import (
    CertificateBundle, certificate_summary, format_time, leaf_summary, openssl_serial, same_dn,
)

GATEWAYS_PATH = '/v5/{project_id}/vpn-gateways'
GATEWAY_PATH = '/v5/{project_id}/vpn-gateways/{vgw_id}'
CERTIFICATE_PATH = '/v5/{project_id}/vpn-gateways/{vgw_id}/certificate'
CERTIFICATE_ITEM_PATH = '/v5/{project_id}/vpn-gateways/{vgw_id}/certificate/{certificate_id}'
CERTIFICATES_PATH = '/v5/{project_id}/vpn-gateway-certificates'
PAGE_LIMIT = 200
# The certificate's statuses (the reference's VpnGatewayCertificate): BOUND once the gateway applied it,
# BINDING while it applies it, FAULT when it could not.
SETTLED_STATUS = 'BOUND'
FAILED_STATUS = 'FAULT'
# The reference's busy refusals (Error Codes, vpn_api_0067): 400 VPN.0030 "The system is busy, please try later."
# and VPN.0031 "Repeated operation.", both "try again later".
BUSY_CODES = frozenset(('VPN.0030', 'VPN.0031'))
GM_FLAVOR = 'GM'
UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
TIME_FIELDS = ('certificate_expire_time', 'certificate_chain_expire_time', 'enc_certificate_expire_time',
               'created_at', 'updated_at')
EXPIRY_FIELDS = ('certificate_expire_time', 'enc_certificate_expire_time', 'certificate_chain_expire_time')
MAX_CERTIFICATE_CHARS = 4096
MAX_KEY_CHARS = 4096
MAX_CHAIN_CHARS = 8192
PEM_OPTIONS = ('certificate', 'private_key', 'enc_certificate', 'enc_private_key', 'certificate_chain')
# The gateway's three certificates: each is an option, a diff field and the prefix of the API's fields about it.
CERTIFICATE_FIELDS = ('certificate', 'enc_certificate', 'certificate_chain')
# How the status is polled after a write: soon at first (a gateway often applies a certificate within a
# second or two), then backing off to the busy waits' ceiling for one that takes minutes.
SETTLE_POLICY = RetryPolicy(base_delay=0.25, max_delay=15.0)
# Key usages a certificate must allow, where it has a key usage extension.
SIGN_USAGES = ('digital_signature',)
ENC_USAGES = ('key_encipherment', 'data_encipherment', 'key_agreement')


class GmCertificate:
    """What a GM gateway takes: the signature pair, the encryption pair and their CA chain.

    Checked as the gateway would (SM2 signed with SM3, key usages, both issued by the chain's
    first certificate); vpn_gateway_certificate and certificate_check share it. ``params`` holds
    the five ``PEM_OPTIONS``.
    """

    def __init__(self, params, allow_expired=False):
        self.chain = CertificateBundle(params['certificate_chain'], 'certificate_chain', max_chars=MAX_CHAIN_CHARS,
                                       allow_expired=allow_expired)
        self.sign = CertificateBundle(params['certificate'], 'certificate', params['private_key'], 'private_key',
                                      max_certificates=1, max_chars=MAX_CERTIFICATE_CHARS, max_key_chars=MAX_KEY_CHARS,
                                      allow_expired=allow_expired)
        self.enc = CertificateBundle(params['enc_certificate'], 'enc_certificate', params['enc_private_key'],
                                     'enc_private_key', max_certificates=1, max_chars=MAX_CERTIFICATE_CHARS,
                                     max_key_chars=MAX_KEY_CHARS, allow_expired=allow_expired)
        for field, certificate in (('certificate', self.sign.leaf), ('enc_certificate', self.enc.leaf)):
            check_gm(field, certificate)
        for certificate in self.chain.certificates:
            check_gm('certificate_chain', certificate)
        if not self.sign.leaf.allows_key_usage(SIGN_USAGES):
            raise InputError('certificate', 'does not allow digitalSignature (key usage); is it the encryption '
                                            'certificate?')
        if not self.enc.leaf.allows_key_usage(ENC_USAGES):
            raise InputError('enc_certificate', 'allows none of keyEncipherment, dataEncipherment, keyAgreement '
                                                '(key usage); is it the signature certificate?')
        issuer = self.chain.leaf
        for field, certificate in (('certificate', self.sign.leaf), ('enc_certificate', self.enc.leaf)):
            if not certificate.is_issued_by(issuer):
                raise InputError(field, 'is not issued by the first certificate of certificate_chain (%s): its issuer '
                                        'is %s' % (issuer.subject, certificate.issuer))


def check_gm(field, certificate):
    if not certificate.is_sm2 or certificate.signature_algorithm_oid != SM2_WITH_SM3_OID:
        raise InputError(field, 'certificate %s is not an SM2 certificate signed with SM3; a GM gateway takes '
                                'only GM certificates' % certificate.subject)


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


def reported_summary(certificate, prefix='certificate', now=None):
    """The shared summary of one of the gateway's certificates (``prefix``: the signature certificate by
    default) from what the API reports: no fingerprint, no SANs, no start of validity, and an issuer
    only for the signature certificate."""
    serial = certificate.get(prefix + '_serial_number')
    serial = '' if serial is None else str(serial)
    return certificate_summary(
        serial=openssl_serial(int(serial)) if serial.isdigit() else (serial or None),
        not_after=certificate.get(prefix + '_expire_time'),
        subject=dn_to_rfc4514(certificate.get(prefix + '_subject')),
        issuer=dn_to_rfc4514(certificate.get('issuer')) if prefix == 'certificate' else None, now=now)


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
        return error.status == 400 and error.error_code in BUSY_CODES


NAME_PATTERN = re.compile(r'^[A-Za-z0-9_.-]{3,63}$')


def facts_of(certificate, prefix):
    """The API's fields about one certificate, predicted from the PEM."""
    return {prefix + '_serial_number': str(certificate.x509.serial_number),
            prefix + '_subject': certificate.subject_asn1_text,
            prefix + '_expire_time': format_time(certificate.not_after)}


def pair_fields(bundle, prefix):
    """A certificate and its key as the API names them (``enc_`` for the encryption pair)."""
    return {prefix + 'certificate': bundle.pem, prefix + 'private_key': bundle.key_pem}


def reports(current, certificate, prefix):
    """Whether the API's fields about one certificate describe ``certificate``."""
    return (str(current.get(prefix + '_serial_number') or '') == str(certificate.x509.serial_number)
            and same_dn(current.get(prefix + '_subject'), certificate.subject_pairs))


# What validate() settles: the three certificates (each a CertificateBundle), or None each when only
# the name is managed.
Desired = collections.namedtuple('Desired', ['sign', 'enc', 'chain'])


class VpnGatewayCertificate(ResourceManager):
    """A GM gateway's certificate as its options describe it (the options of vpn_gateway_certificate)."""

    returns_previous_summary = True
    # The three certificates are shown as summaries, like ELB's: from the PEM where this run knows the
    # gateway holds it (the desired one, matched by what the API reports), else from the API's fields.
    diff_fields = ('name', 'certificate', 'private_key', 'enc_certificate', 'enc_private_key', 'certificate_chain')
    pem_fields = CERTIFICATE_FIELDS
    secret_fields = VpnGatewayCertificateApi.secret_fields

    # Validation ---------------------------------------------------------------------------------
    def validate(self):
        params = self.params
        if params['name'] is not None and not NAME_PATTERN.match(params['name']):
            raise InputError('name', '%r is not 3 to 63 letters, digits, "_", "-" and "."' % params['name'])
        if not params['gateway'] or not params['gateway'].strip():
            raise InputError('gateway', 'is empty; give the ID or the name of a VPN gateway')
        for option in ('wait_timeout', 'busy_timeout'):
            if params[option] < 0:
                raise InputError(option, 'must be 0 or more')
        given = [option for option in PEM_OPTIONS if params[option] is not None]
        if not given:
            return Desired(None, None, None)
        if len(given) != len(PEM_OPTIONS):
            missing = [option for option in PEM_OPTIONS if params[option] is None]
            raise InputError(missing[0], 'is required with %s: a GM certificate is given whole (%s)'
                             % (given[0], ', '.join(PEM_OPTIONS)))
        gm = GmCertificate(params, allow_expired=params['allow_expired'])
        return Desired(gm.sign, gm.enc, gm.chain)

    # Finding -------------------------------------------------------------------------------------
    def find(self, desired):
        gateway = self.params['gateway'].strip()
        if UUID.match(gateway):
            self.api.vgw_id = gateway
        else:
            matches = [item for item in self.api.gateways() if item.get('name') == gateway]
            if len(matches) != 1:
                raise InputError('gateway', 'no VPN gateway is named %r' % gateway if not matches else
                                 '%d VPN gateways are named %r (ids: %s); give the ID'
                                 % (len(matches), gateway, ', '.join(sorted(item['id'] for item in matches))))
            self._check_flavor(matches[0])
            self.api.vgw_id = matches[0]['id']
        current = self.api.get()
        if current is not None:
            for field, bundle in zip(CERTIFICATE_FIELDS, (desired.sign, desired.enc, desired.chain)):
                if bundle is not None and self._holds(current, bundle, field):
                    current[field] = bundle.pem
        return current

    @staticmethod
    def _holds(current, bundle, field):
        """Whether the gateway holds ``bundle`` as its ``field``, as far as the API shows (the chain by its first certificate)."""
        if not reports(current, bundle.leaf, field):
            return False
        return field != 'certificate' or same_dn(current.get('issuer'), bundle.leaf.issuer_pairs)

    def _check_flavor(self, gateway):
        if gateway.get('flavor') != GM_FLAVOR:
            raise InputError('gateway', 'VPN gateway %s is of flavor %s; only %s gateways take a certificate'
                             % (gateway['id'], gateway.get('flavor'), GM_FLAVOR))

    def find_created(self, payload, desired):
        found = self.api.get()
        return found if found is not None and self.is_created(found, payload, desired) else None

    def is_created(self, candidate, payload, desired):
        return reports(candidate, desired.sign.leaf, 'certificate')

    # Comparing -----------------------------------------------------------------------------------
    def create_payload(self, desired):
        # A gateway given by ID was not read yet: a missing or non-GM gateway is named before the write.
        if self.api.vgw_id and UUID.match(self.params['gateway'].strip()):
            gateway = self.api.gateway(self.api.vgw_id)
            if gateway is None:
                raise InputError('gateway', 'no VPN gateway %s exists' % self.api.vgw_id)
            self._check_flavor(gateway)
        if self.params['name'] is None:
            raise InputError('name', 'is required to import the certificate of gateway %s' % self.api.vgw_id)
        sign, enc, chain = desired
        if sign is None:
            raise InputError('certificate', 'is required to import the certificate of gateway %s (with %s)'
                             % (self.api.vgw_id, ', '.join(PEM_OPTIONS[1:])))
        payload = dict(name=self.params['name'], certificate_chain=chain.pem)
        payload.update(pair_fields(sign, ''))
        payload.update(pair_fields(enc, 'enc_'))
        return payload

    def update_payload(self, current, desired):
        sign, enc, chain = desired
        payload = {}
        if self.params['name'] is not None and self.params['name'] != current.get('name'):
            payload['name'] = self.params['name']
        if sign is None:
            return payload
        if not self._holds(current, sign, 'certificate'):
            payload.update(pair_fields(sign, ''))
        if not self._holds(current, enc, 'enc_certificate'):
            payload.update(pair_fields(enc, 'enc_'))
        if not self._holds(current, chain, 'certificate_chain'):
            payload['certificate_chain'] = chain.pem
        return payload

    def predict(self, current, payload, desired):
        sign, enc, chain = desired
        predicted = dict(current or {})
        if 'name' in payload:
            predicted['name'] = payload['name']
        if 'certificate' in payload:
            predicted.update(facts_of(sign.leaf, 'certificate'), issuer=sign.leaf.issuer_asn1_text,
                             signature_algorithm='SM3WITHSM2')
        if 'enc_certificate' in payload:
            predicted.update(facts_of(enc.leaf, 'enc_certificate'))
        if 'certificate_chain' in payload:
            predicted.update(facts_of(chain.leaf, 'certificate_chain'))
        for field in CERTIFICATE_FIELDS:
            if field in payload:
                predicted[field] = payload[field]
        if 'vgw_id' not in predicted:
            predicted['vgw_id'] = self.api.vgw_id
        return predicted

    def secret_is_set(self, resource, field):
        # Both keys exist whenever a certificate does (the API never shows them).
        return bool(resource.get('id') or resource.get('certificate_serial_number'))

    def summary(self, resource, desired=None):
        summary = leaf_summary(resource.get('certificate'))
        if summary is not None:
            return summary
        if desired is not None and desired.sign is not None and reports(resource, desired.sign.leaf, 'certificate'):
            return desired.sign.leaf.summary()
        return reported_summary(resource)

    def view(self, resource, sent=None):
        view = super(VpnGatewayCertificate, self).view(resource, sent)
        for field in CERTIFICATE_FIELDS:
            if resource and field not in view and resource.get(field + '_serial_number'):
                view[field] = [reported_summary(resource, field)]
        return view

    def returned(self, resource, desired=None):
        shown = super(VpnGatewayCertificate, self).returned(resource, desired)
        if shown is not None:
            # PEM this run knew, kept for the summaries: the API returns none, and neither does the module.
            for field in CERTIFICATE_FIELDS:
                shown.pop(field, None)
        return shown

    # Writing -------------------------------------------------------------------------------------
    def create(self, payload, desired):
        return self._settled(super(VpnGatewayCertificate, self).create(payload, desired))

    def update(self, current, payload, desired):
        return self._settled(super(VpnGatewayCertificate, self).update(current, payload, desired))

    def _settled(self, written):
        if not self.params['wait']:
            return written

        def settled(found):
            # FAULT does not pass with time: say so now rather than wait out wait_timeout.
            if found is not None and found.get('status') == FAILED_STATUS:
                raise ApiError('certificate %s of gateway %s is %s: the gateway could not apply it'
                               % (written.get('id'), self.api.vgw_id, FAILED_STATUS), error_code=FAILED_STATUS)
            return found is not None and found.get('status') == SETTLED_STATUS
        return wait_for(self.api.get, settled,
                        self.params['wait_timeout'], SETTLE_POLICY, sleep=self.api.sleep, clock=time.monotonic,
                        describe=lambda found: 'certificate %s of gateway %s is still %s' % (
                            written.get('id'), self.api.vgw_id, (found or {}).get('status', 'missing')))


ARGUMENT_SPEC = dict(
    gateway=dict(type='str', required=True),
    name=dict(type='str'),
    certificate=dict(type='str'),
    private_key=dict(type='str', no_log=True),
    enc_certificate=dict(type='str'),
    enc_private_key=dict(type='str', no_log=True),
    certificate_chain=dict(type='str'),
    allow_expired=dict(type='bool', default=False),
    state=dict(type='str', default='present', choices=['present']),
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=300),
    busy_timeout=dict(type='int', default=300),
)
