# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A GM gateway's diff shows its three certificates as the shared summaries (serials as openssl prints
them, never the API's decimal), in full where the run knows the PEM, for no extra call."""

from __future__ import annotations

import json
import subprocess

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.module_utils.vpn import (
    ARGUMENT_SPEC, VpnGatewayCertificate, VpnGatewayCertificateApi, reported_summary,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import load_certificates

GATEWAY_ID = '0b9c7f2e-7f4c-4a5e-9d6e-1c2b3a4d5e6f'
PARTS = (('certificate', 'gm-sign.pem'), ('enc_certificate', 'gm-enc.pem'), ('certificate_chain', 'gm-ca.pem'))


@pytest.fixture
def gateway(emulator, pki):
    emulator.admin('POST', 'seed', {'vpn': {
        'gateways': [{'id': GATEWAY_ID, 'name': 'gm-gateway', 'flavor': 'GM'}],
        'certificates': [dict(gm_options(pki), vgw_id=GATEWAY_ID, name='vpn-cert')]}})
    emulator.admin('DELETE', 'requests')
    return emulator


def gm_options(pki):
    return dict(certificate=pki['gm-sign.pem'], private_key=pki['gm-sign.key'], enc_certificate=pki['gm-enc.pem'],
                enc_private_key=pki['gm-enc.key'], certificate_chain=pki['gm-ca.pem'])


def run(emulator, **params):
    params.update(gateway=GATEWAY_ID, wait=False)
    manager = VpnGatewayCertificate(with_defaults(ARGUMENT_SPEC, params),
                                    VpnGatewayCertificateApi(HuaweiCloudClient(emulator.params(), 'vpn')))
    return reconcile(manager)


def openssl_serial_of(pem):
    printed = subprocess.run(['openssl', 'x509', '-noout', '-serial'], input=pem, capture_output=True, text=True,
                             check=True).stdout
    return printed.strip().split('=', 1)[1]


def test_an_unchanged_gateway_shows_all_three_in_full_for_one_read(gateway, pki):
    result = run(gateway, name='vpn-cert', **gm_options(pki))
    assert len(gateway.requests()) == 1 and result['changed'] is False
    before = result['diff']['before']
    assert before == result['diff']['after']
    for field, pem_name in PARTS:
        assert before[field] == [load_certificates(pki[pem_name], 'c')[0].summary()]
    assert (before['private_key'], before['enc_private_key']) == ('<redacted>', '<redacted>')
    assert result['certificate']['summary'] == result['previous_summary'] == before['certificate'][0]
    assert 'BEGIN' not in json.dumps(result)


def test_a_rename_alone_shows_what_the_api_reports_in_the_shared_forms(gateway, pki):
    result = run(gateway, name='vpn-cert-2')
    current = result['diff']['before']
    assert (current['name'], result['diff']['after']['name']) == ('vpn-cert', 'vpn-cert-2')
    for field, pem_name in PARTS:
        (summary,) = current[field]
        leaf = load_certificates(pki[pem_name], 'c')[0]
        assert summary['serial'] == openssl_serial_of(pki[pem_name]) == leaf.serial_openssl
        assert summary['subject'] == leaf.subject and summary['not_after'] == leaf.summary()['not_after']
        assert summary['sha256_fingerprint'] is None
        assert str(leaf.x509.serial_number) not in json.dumps(result['diff'])
    assert current['certificate'][0]['issuer'] == load_certificates(pki['gm-sign.pem'], 'c')[0].issuer


@pytest.mark.parametrize('serial, printed', [('255', 'FF'), ('4095', '0FFF'), (4095, '0FFF'), (None, None), ('', None),
                                             ('0A1B', '0A1B')])
def test_reported_serials_print_as_openssl_does(serial, printed):
    assert reported_summary({'enc_certificate_serial_number': serial}, 'enc_certificate')['serial'] == printed
