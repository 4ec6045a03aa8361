# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""vpn_gateway_certificate's rules: comparing without PEM, sending only what changed, GM checks."""

from __future__ import annotations

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.module_utils.vpn import VpnGatewayCertificateApi, to_utc
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import load_certificates
from ansible_collections.certfleet.cloud.plugins.module_utils.vpn import (
    ARGUMENT_SPEC, VpnGatewayCertificate,
)

GATEWAY_ID = '0b9c7f2e-7f4c-4a5e-9d6e-1c2b3a4d5e6f'


class FakeVpnApi(VpnGatewayCertificateApi):
    def __init__(self, current=None, gateways=()):
        super().__init__(client=None)
        self.current = current
        self.listed_gateways = list(gateways)
        self.calls = []

    def gateways(self):
        self.calls.append(('gateways',))
        return list(self.listed_gateways)

    def gateway(self, vgw_id):
        self.calls.append(('gateway', vgw_id))
        return next((item for item in self.listed_gateways if item['id'] == vgw_id), None)

    def get(self, resource_id=None):
        self.calls.append(('get', self.vgw_id))
        return dict(self.current, status='BOUND') if self.current else None

    def create(self, payload, recheck=None):
        self.calls.append(('create', sorted(payload)))
        return dict(id='new', vgw_id=self.vgw_id)

    def update(self, current, payload):
        self.calls.append(('update', sorted(payload)))
        return dict(current, **payload)


def api_view(pki, sign='gm-sign', enc='gm-enc', chain='gm-ca', name='vpn-cert'):
    """What the API reports for a gateway holding these certificates (subjects in certificate order)."""
    def facts(pem_name, prefix):
        certificate = load_certificates(pki[pem_name + '.pem'], 'c')[0]
        return {prefix + '_serial_number': str(certificate.x509.serial_number),
                prefix + '_subject': certificate.subject_asn1_text,
                prefix + '_expire_time': to_utc(certificate.not_after.isoformat())}
    view = dict(id='cert-1', name=name, vgw_id=GATEWAY_ID, status='BOUND', signature_algorithm='SM3WITHSM2',
                issuer=load_certificates(pki[sign + '.pem'], 'c')[0].issuer_asn1_text)
    view.update(facts(sign, 'certificate'))
    view.update(facts(enc, 'enc_certificate'))
    view.update(facts(chain, 'certificate_chain'))
    return view


def desired(pki, sign='gm-sign', enc='gm-enc', chain='gm-ca', **overrides):
    params = dict(gateway=GATEWAY_ID, name='vpn-cert', certificate=pki[sign + '.pem'], private_key=pki[sign + '.key'],
                  enc_certificate=pki[enc + '.pem'], enc_private_key=pki[enc + '.key'],
                  certificate_chain=pki[chain + '.pem'], wait=False)
    params.update(overrides)
    return params


@pytest.fixture
def manager():
    def make(current=None, check_mode=False, gateways=(), **params):
        api = FakeVpnApi(current, gateways)
        return VpnGatewayCertificate(with_defaults(ARGUMENT_SPEC, params), api, check_mode), api
    return make


def writes(api):
    return [call for call in api.calls if call[0] in ('create', 'update')]


def test_the_same_certificates_are_no_change_even_with_reversed_subjects(pki, manager):
    current = api_view(pki)
    current['certificate_subject'] = ','.join(reversed(current['certificate_subject'].split(',')))
    vpn, api = manager(current, **desired(pki))
    result = reconcile(vpn, 'present')
    assert result['changed'] is False and api.calls == [('get', GATEWAY_ID)]
    assert result['certificate']['summary']['sha256_fingerprint'] is not None


@pytest.mark.parametrize('changed, sent', [
    (dict(sign='gm-sign-rotated'), ['certificate', 'private_key']),
    (dict(enc='gm-enc-rotated'), ['enc_certificate', 'enc_private_key']),
    (dict(sign='gm-sign-rotated', enc='gm-enc-rotated', name='vpn-cert-2'),
     ['certificate', 'enc_certificate', 'enc_private_key', 'name', 'private_key']),
])
def test_only_what_changed_is_sent(pki, manager, changed, sent):
    params = desired(pki, **dict((key, value) for key, value in changed.items() if key != 'name'))
    params['name'] = changed.get('name', 'vpn-cert')
    vpn, api = manager(api_view(pki), **params)
    result = reconcile(vpn, 'present')
    assert writes(api) == [('update', sent)]
    assert result['diff']['after']['private_key'] == ('<redacted: changed>' if 'private_key' in sent else '<redacted>')


def test_a_rename_alone_needs_no_pem(pki, manager):
    vpn, api = manager(api_view(pki), gateway=GATEWAY_ID, name='renamed', wait=False)
    reconcile(vpn, 'present')
    assert writes(api) == [('update', ['name'])]


def test_an_import_checks_the_gateway_and_sends_everything(pki, manager):
    vpn, api = manager(None, gateways=[dict(id=GATEWAY_ID, name='gw', flavor='GM')], **desired(pki))
    result = reconcile(vpn, 'present')
    assert writes(api) == [('create', ['certificate', 'certificate_chain', 'enc_certificate', 'enc_private_key',
                                       'name', 'private_key'])]
    assert result['diff']['before'] == {} and result['certificate']['vgw_id'] == GATEWAY_ID


@pytest.mark.parametrize('gateways, message', [
    ([], 'no VPN gateway %s exists' % GATEWAY_ID),
    ([dict(id=GATEWAY_ID, name='gw', flavor='Basic')], 'is of flavor Basic'),
])
def test_an_import_into_a_missing_or_non_gm_gateway_is_refused(pki, manager, gateways, message):
    vpn, api = manager(None, gateways=gateways, **desired(pki))
    with pytest.raises(InputError) as caught:
        reconcile(vpn, 'present')
    assert caught.value.field == 'gateway' and message in str(caught.value) and writes(api) == []


def test_a_gateway_name_is_resolved_and_must_be_unique(pki, manager):
    gateways = [dict(id='a' * 8 + '-0000-0000-0000-' + '0' * 12, name='gw', flavor='GM'),
                dict(id='b' * 8 + '-0000-0000-0000-' + '0' * 12, name='gw', flavor='GM')]
    vpn, api = manager(None, gateways=gateways, **desired(pki, gateway='gw'))
    with pytest.raises(InputError) as caught:
        reconcile(vpn, 'present')
    assert '2 VPN gateways are named' in str(caught.value)


@pytest.mark.parametrize('overrides, field, reason', [
    (dict(sign='rsa', enc='gm-enc'), 'certificate', 'is not an SM2 certificate'),
    (dict(private_key='gm-other'), 'private_key', 'does not match'),
    (dict(sign='gm-enc', enc='gm-sign'), 'certificate', 'does not allow digitalSignature'),
    (dict(chain='gm-other-ca'), 'certificate', 'is not issued by the first certificate of certificate_chain'),
    (dict(sign='gm-expired-sign'), 'certificate', 'expired on'),
])
def test_bad_gm_input_is_refused_before_any_call(pki, manager, overrides, field, reason):
    names = dict(sign='gm-sign', enc='gm-enc', chain='gm-ca')
    names.update(dict((key, value) for key, value in overrides.items() if key in names))
    params = desired(pki, **names)
    if 'private_key' in overrides:
        params['private_key'] = pki[overrides['private_key'] + '.key']
    vpn, api = manager(None, **params)
    with pytest.raises(InputError) as caught:
        reconcile(vpn, 'present')
    assert caught.value.field == field and reason in str(caught.value)
    assert api.calls == []


class PagedClient:
    """Answers the certificate list in pages of the API's limit, marker = the last id."""

    def __init__(self, count):
        self.items = [dict(id='c%04d' % index, certificate_expire_time='2027-01-01T08:00:00+08:00')
                      for index in range(count)]
        self.queries = []

    @staticmethod
    def path(template, **values):
        return template

    def request(self, method, path, query=None, body=None, recheck=None):
        query = dict(query or [])
        self.queries.append(query)
        ids = [item['id'] for item in self.items]
        start = ids.index(query['marker']) + 1 if 'marker' in query else 0
        return {'vpn_gateway_certificates': self.items[start:start + query['limit']]}


@pytest.mark.parametrize('count, calls', [(0, 1), (199, 1), (200, 2), (450, 3)])
def test_the_list_pages_through_everything(count, calls):
    client = PagedClient(count)
    listed = VpnGatewayCertificateApi(client).list()
    assert [item['id'] for item in listed] == [item['id'] for item in client.items]
    assert len(client.queries) == calls
    assert all(item['certificate_expire_time'] == '2027-01-01T00:00:00Z' for item in listed)
