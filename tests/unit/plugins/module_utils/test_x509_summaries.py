# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One certificate, one summary, whichever service serves it: ELB, the Wangsu CDN and a GM VPN gateway
show the same fields in the same forms (the serial as ``openssl x509 -serial`` prints it), in their
_info results, their module results and their diffs."""

from __future__ import annotations

import json
import subprocess
import types

from ansible_collections.certfleet.cloud.plugins.module_utils import elb, netcenter_certificates, vpn
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterClient
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import load_certificates
from ansible_collections.certfleet.cloud.plugins.modules import (
    elb_certificate_info, netcenter_certificate_info, vpn_gateway_certificate_info,
)

GATEWAY_ID = '0b9c7f2e-7f4c-4a5e-9d6e-1c2b3a4d5e6f'


def info_module(info, client, **params):
    return types.SimpleNamespace(params=with_defaults(info.ARGUMENT_SPEC, params), client=client, check_mode=False)


def netcenter_client(emulator):
    options = emulator.options
    return NetcenterClient(dict(endpoint=emulator.url, access_key=options.netcenter_access_key,
                                secret_key=options.netcenter_secret_key, timeout=5, max_retries=0))


def openssl_facts(pem):
    """The serial and SHA-256 fingerprint as openssl prints them, in the summary's forms."""
    printed = subprocess.run(['openssl', 'x509', '-noout', '-serial', '-fingerprint', '-sha256'], input=pem,
                             capture_output=True, text=True, check=True).stdout.splitlines()
    return printed[0].split('=', 1)[1], printed[1].split('=', 1)[1].replace(':', '').lower()


def test_one_certificate_on_elb_and_the_cdn_reads_the_same(emulator, pki):
    bundle, key = pki['www.example.com.fullchain.pem'], pki['www.example.com.key']
    emulator.admin('POST', 'seed', {'elb': {'certificates': [{'name': 'www', 'certificate': bundle, 'private_key': key}]},
                                    'netcenter': {'certificates': [{'name': 'www', 'certificate': bundle,
                                                                    'private_key': key}]}})
    elb_client = HuaweiCloudClient(emulator.params(), 'elb')
    elb_listed = elb_certificate_info.list_certificates(info_module(elb_certificate_info, elb_client, name=['www']))
    cdn_listed = netcenter_certificate_info.list_certificates(
        info_module(netcenter_certificate_info, netcenter_client(emulator), name=['www']))
    rotated = dict(name='www', certificate=pki['www.example.com-rotated.fullchain.pem'],
                   private_key=pki['www.example.com-rotated.key'])
    elb_run = reconcile(elb.ElbCertificate(with_defaults(elb.ARGUMENT_SPEC, rotated), elb.ElbCertificateApi(elb_client),
                                           check_mode=True))
    cdn_run = reconcile(netcenter_certificates.NetcenterCertificate(
        with_defaults(netcenter_certificates.ARGUMENT_SPEC, rotated),
        netcenter_certificates.NetcenterCertificateApi(netcenter_client(emulator)), check_mode=True))

    summary = elb_listed['certificates'][0]['summary']
    assert (summary['serial'], summary['sha256_fingerprint']) == openssl_facts(pki['www.example.com.pem'])
    assert summary['subject'] == 'CN=www.example.com' and summary['sans'] == ['www.example.com']
    assert cdn_listed['certificates'][0]['summary'] == summary
    assert cdn_run['previous_summary'] == elb_run['previous_summary'] == summary
    assert cdn_run['diff']['before']['certificate'] == elb_run['diff']['before']['certificate']
    assert cdn_run['diff']['after']['certificate'] == elb_run['diff']['after']['certificate']
    assert cdn_run['certificate']['summary'] == elb_run['certificate']['summary']
    assert cdn_run['certificate']['summary']['serial'] == openssl_facts(pki['www.example.com-rotated.pem'])[0]


def test_one_gm_certificate_on_elb_and_a_vpn_gateway_reads_the_same(emulator, pki):
    gm = dict(certificate=pki['gm-sign.pem'], private_key=pki['gm-sign.key'], enc_certificate=pki['gm-enc.pem'],
              enc_private_key=pki['gm-enc.key'])
    emulator.admin('POST', 'seed', {
        'elb': {'certificates': [dict(gm, name='gm', type='server_sm')]},
        'vpn': {'gateways': [{'id': GATEWAY_ID, 'name': 'gm-gateway', 'flavor': 'GM'}],
                'certificates': [dict(gm, vgw_id=GATEWAY_ID, name='vpn-cert', certificate_chain=pki['gm-ca.pem'])]}})
    vpn_client = HuaweiCloudClient(emulator.params(), 'vpn')
    elb_listed = elb_certificate_info.list_certificates(
        info_module(elb_certificate_info, HuaweiCloudClient(emulator.params(), 'elb'), name=['gm']))
    vpn_listed = vpn_gateway_certificate_info.list_certificates(info_module(vpn_gateway_certificate_info, vpn_client))
    rotation = dict(gm, gateway=GATEWAY_ID, name='vpn-cert', certificate=pki['gm-sign-rotated.pem'],
                    private_key=pki['gm-sign-rotated.key'], certificate_chain=pki['gm-ca.pem'], wait=False)
    vpn_run = reconcile(vpn.VpnGatewayCertificate(with_defaults(vpn.ARGUMENT_SPEC, rotation),
                                                  vpn.VpnGatewayCertificateApi(vpn_client), check_mode=True))

    summary = elb_listed['certificates'][0]['summary']
    assert (summary['serial'], summary['sha256_fingerprint']) == openssl_facts(pki['gm-sign.pem'])
    # The VPN API shows no PEM: its own fields give every part of the summary but the fingerprint,
    # the SANs and the start of validity, in the same forms.
    reported = vpn_listed['certificates'][0]['summary']
    assert reported == dict(summary, sha256_fingerprint=None, sans=[], not_before=None)
    # The module knows the certificate it is given: the full summary, as ELB shows it.
    rotated_leaf = load_certificates(pki['gm-sign-rotated.pem'], 'c')[0]
    assert vpn_run['certificate']['summary'] == rotated_leaf.summary()
    assert vpn_run['diff']['after']['certificate'] == [rotated_leaf.summary()]
    assert vpn_run['diff']['before']['certificate'] == [reported]
    # The encryption pair and the chain are the ones given: known, so in full on both sides.
    enc_summary = load_certificates(pki['gm-enc.pem'], 'c')[0].summary()
    assert vpn_run['diff']['before']['enc_certificate'] == vpn_run['diff']['after']['enc_certificate'] == [enc_summary]
    decimal = vpn_listed['certificates'][0]['certificate_serial_number']
    assert decimal not in json.dumps(vpn_run['diff']) and decimal not in json.dumps(vpn_run['certificate']['summary'])
