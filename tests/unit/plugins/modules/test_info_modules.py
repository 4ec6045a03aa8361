# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The _info modules against the emulator: filters, the shared summary, PEM left out on request."""

from __future__ import annotations

from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterClient
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import load_certificates
from ansible_collections.certfleet.cloud.plugins.modules import elb_certificate_info, netcenter_certificate_info


def test_elb_info_returns_summaries_and_can_leave_pem_out(emulator, pki, fake_module):
    emulator.admin('POST', 'seed', {'elb': {'certificates': [
        {'name': 'web', 'certificate': pki['www.example.com.fullchain.pem'], 'private_key': pki['www.example.com.key']},
        {'name': 'ca', 'type': 'client', 'certificate': pki['client-ca.pem']}]}})
    client = HuaweiCloudClient(emulator.params(), 'elb')
    leaf = load_certificates(pki['www.example.com.pem'], 'c')[0]
    with_pem = elb_certificate_info.list_certificates(fake_module(elb_certificate_info.ARGUMENT_SPEC, client=client,
                                                                  name=['web']))
    without = elb_certificate_info.list_certificates(fake_module(elb_certificate_info.ARGUMENT_SPEC, client=client,
                                                                 include_pem=False))
    (web,) = with_pem['certificates']
    assert web['certificate'] == pki['www.example.com.fullchain.pem']
    assert web['summary']['sha256_fingerprint'] == leaf.sha256_fingerprint
    assert web['summary']['serial'] == leaf.serial_openssl
    assert [item['name'] for item in without['certificates']] == ['web', 'ca']
    assert all('certificate' not in item and 'BEGIN' not in repr(item) for item in without['certificates'])
    assert without['certificates'][1]['summary']['subject'] == 'CN=certfleet client CA'


def test_netcenter_info_summary_is_read_from_the_stored_pem(emulator, pki, fake_module):
    emulator.admin('POST', 'seed', {'netcenter': {'certificates': [
        {'name': 'www', 'certificate': pki['www.example.com.fullchain.pem'], 'private_key': pki['www.example.com.key']}]}})
    options = emulator.options
    client = NetcenterClient(dict(endpoint=emulator.url, access_key=options.netcenter_access_key,
                                  secret_key=options.netcenter_secret_key, timeout=5, max_retries=0))
    result = netcenter_certificate_info.list_certificates(
        fake_module(netcenter_certificate_info.ARGUMENT_SPEC, client=client, expires_within_days=100))
    (www,) = result['certificates']
    leaf = load_certificates(pki['www.example.com.pem'], 'c')[0]
    summary = www['summary']
    assert summary['serial'] == leaf.serial_openssl
    assert summary['issuer'] == leaf.issuer and summary['sans'] == ['www.example.com']
    assert summary['not_after'] == www['not_after'] and summary['days_left'] == www['expires_in_days']
    assert summary['subject'] == leaf.subject and summary['sha256_fingerprint'] == leaf.sha256_fingerprint
