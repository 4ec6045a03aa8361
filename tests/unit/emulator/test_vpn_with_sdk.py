# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official VPN v5 client (huaweicloudsdkvpn) against the emulator, unchanged: it is the oracle
for paths, bodies and answers the emulator must accept and give."""

from __future__ import annotations

import re

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkvpn.v5 import (
    CreateVgwCertificateRequest, CreateVpnGatewayCertificateRequestBody, CreateVpnGatewayCertificateRequestBodyContent,
    ListVgwsRequest, ListVpnGatewayCertificatesRequest, ShowVpnGatewayCertificateRequest, UpdateVgwCertificateRequest,
    UpdateVpnGatewayCertificateRequestBody, UpdateVpnGatewayCertificateRequestBodyContent, VpnClient,
)
from cryptography import x509


EP_ID = '5b0f0e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b'


def sdk_client(emulator):
    return emulator.huawei_sdk_client(VpnClient)


def seed_gateways(emulator):
    emulator.admin('POST', 'seed', {'vpn': {'gateways': [{'id': 'vgw-gm', 'name': 'gm-gateway', 'flavor': 'GM'},
                                                         {'id': 'vgw-basic', 'name': 'basic', 'flavor': 'Basic'}]}})


def content(pki, name='gm-cert', sign='gm-sign', enc='gm-enc', chain='gm-ca'):
    return CreateVpnGatewayCertificateRequestBodyContent(
        name=name, certificate=pki[sign + '.pem'], private_key=pki[sign + '.key'],
        enc_certificate=pki[enc + '.pem'], enc_private_key=pki[enc + '.key'], certificate_chain=pki[chain + '.pem'])


def create(client, pki, vgw_id='vgw-gm', **overrides):
    return client.create_vgw_certificate(CreateVgwCertificateRequest(
        vgw_id=vgw_id, body=CreateVpnGatewayCertificateRequestBody(certificate=content(pki, **overrides))))


def test_full_lifecycle_with_the_sdk(emulator, pki):
    seed_gateways(emulator)
    client = sdk_client(emulator)
    gateways = client.list_vgws(ListVgwsRequest()).vpn_gateways
    assert sorted((gateway.name, gateway.flavor) for gateway in gateways) == [('basic', 'Basic'), ('gm-gateway', 'GM')]

    created = create(client, pki).certificate
    sign = x509.load_pem_x509_certificate(pki['gm-sign.pem'].encode())
    assert created.name == 'gm-cert' and created.vgw_id == 'vgw-gm'
    assert created.certificate_serial_number == str(sign.serial_number)
    assert created.certificate_subject == 'C=CN,ST=Beijing,L=HaiDian,O=certfleet,OU=vpn,CN=vpn.example.com'
    assert created.issuer == 'C=CN,ST=Beijing,L=HaiDian,O=certfleet,CN=certfleet GM CA'
    assert created.signature_algorithm == 'SM3WITHSM2'
    assert str(created.certificate_expire_time).endswith('+08:00')

    shown = client.show_vpn_gateway_certificate(ShowVpnGatewayCertificateRequest(vgw_id='vgw-gm')).certificate
    assert shown.status == 'BINDING' and shown.id == created.id
    shown = client.show_vpn_gateway_certificate(ShowVpnGatewayCertificateRequest(vgw_id='vgw-gm')).certificate
    assert shown.status == 'BOUND'

    rotated = client.update_vgw_certificate(UpdateVgwCertificateRequest(
        vgw_id='vgw-gm', certificate_id=created.id, body=UpdateVpnGatewayCertificateRequestBody(
            certificate=UpdateVpnGatewayCertificateRequestBodyContent(
                name='gm-cert-2', certificate=pki['gm-sign-rotated.pem'],
                private_key=pki['gm-sign-rotated.key'])))).certificate
    assert rotated.name == 'gm-cert-2'
    assert rotated.certificate_serial_number != created.certificate_serial_number
    assert rotated.enc_certificate_serial_number == created.enc_certificate_serial_number

    listed = client.list_vpn_gateway_certificates(ListVpnGatewayCertificatesRequest(limit=10))
    assert [(item.id, item.status) for item in listed.vpn_gateway_certificates] == [(created.id, 'BINDING')]
    expiring = client.list_vpn_gateway_certificates(ListVpnGatewayCertificatesRequest(pre_expire_days=1))
    assert expiring.vpn_gateway_certificates == []

    methods = [(entry['method'], entry['status']) for entry in emulator.requests()]
    assert methods == [('GET', 200), ('POST', 201), ('GET', 200), ('GET', 200), ('PUT', 200), ('GET', 200),
                       ('GET', 200)]


# Codes and statuses of the reference's table (vpn_api_0067): 400 VPN.0001 "invalid request: xxx",
# 404 VPN.0004 "resource not found".
@pytest.mark.parametrize('overrides, status, code, field', [
    (dict(vgw_id='vgw-basic'), 400, 'VPN.0001', 'vgw_id'),
    (dict(vgw_id='vgw-missing'), 404, 'VPN.0004', None),
    (dict(name='x'), 400, 'VPN.0001', 'name'),
    (dict(sign='gm-enc', enc='gm-sign'), 200, None, None),
    (dict(chain='gm-other-ca'), 400, 'VPN.0001', 'certificate'),
    (dict(sign='gm-expired-sign'), 400, 'VPN.0001', 'certificate'),
])
def test_the_services_refusals(emulator, pki, overrides, status, code, field):
    seed_gateways(emulator)
    client = sdk_client(emulator)
    if status == 200:
        # Swapping the pairs still matches each key to its certificate: the service accepts it.
        assert create(client, pki, **overrides).certificate.id
        return
    with pytest.raises(exceptions.ClientRequestException) as caught:
        create(client, pki, **overrides)
    assert (caught.value.status_code, caught.value.error_code) == (status, code)
    if field:
        assert caught.value.error_msg.startswith('invalid request: parameter %s:' % field)
    else:
        assert caught.value.error_msg.startswith('resource not found')


def test_a_key_of_another_certificate_and_a_second_certificate_are_refused(emulator, pki):
    seed_gateways(emulator)
    client = sdk_client(emulator)
    body = content(pki)
    body.private_key = pki['gm-other.key']
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.create_vgw_certificate(CreateVgwCertificateRequest(
            vgw_id='vgw-gm', body=CreateVpnGatewayCertificateRequestBody(certificate=body)))
    assert 'private_key: does not match certificate' in caught.value.error_msg
    create(client, pki)
    with pytest.raises(exceptions.ClientRequestException) as caught:
        create(client, pki)
    # The reference has no code of its own for this; its generic invalid request.
    assert (caught.value.status_code, caught.value.error_code) == (400, 'VPN.0001')
    assert 'already has certificate' in caught.value.error_msg


def test_an_update_while_pending_is_refused_for_now(emulator, pki):
    seed_gateways(emulator)
    client = sdk_client(emulator)
    created = create(client, pki).certificate
    update = UpdateVgwCertificateRequest(vgw_id='vgw-gm', certificate_id=created.id,
                                         body=UpdateVpnGatewayCertificateRequestBody(
                                             certificate=UpdateVpnGatewayCertificateRequestBodyContent(name='renamed')))
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.update_vgw_certificate(update)
    # The reference's busy refusal (Error Codes, vpn_api_0067).
    assert (caught.value.status_code, caught.value.error_code) == (400, 'VPN.0030')
    assert caught.value.error_msg.startswith('The system is busy, please try later.')
    client.show_vpn_gateway_certificate(ShowVpnGatewayCertificateRequest(vgw_id='vgw-gm'))
    client.show_vpn_gateway_certificate(ShowVpnGatewayCertificateRequest(vgw_id='vgw-gm'))
    assert client.update_vgw_certificate(update).certificate.name == 'renamed'


def test_expiry_follows_the_emulated_clock(emulator, pki):
    seed_gateways(emulator)
    client = sdk_client(emulator)
    create(client, pki)
    assert client.list_vpn_gateway_certificates(ListVpnGatewayCertificatesRequest(pre_expire_days=10)) \
        .vpn_gateway_certificates == []
    # The GM certificates are valid for 90 days: 85 days on, they expire within 10.
    emulator.admin('POST', 'clock', {'advance_days': 85})
    expiring = client.list_vpn_gateway_certificates(ListVpnGatewayCertificatesRequest(pre_expire_days=10))
    assert len(expiring.vpn_gateway_certificates) == 1


def test_a_name_left_out_is_generated_as_the_reference_shows(emulator, pki):
    seed_gateways(emulator)
    client = sdk_client(emulator)
    body = content(pki)
    body.name = None
    created = client.create_vgw_certificate(CreateVgwCertificateRequest(
        vgw_id='vgw-gm', body=CreateVpnGatewayCertificateRequestBody(certificate=body))).certificate
    assert re.match(r'^cert-[0-9a-f]{4}$', created.name)


@pytest.mark.parametrize('overrides, field, reason', [
    # The signature and encryption certificates must be non-CA GM certificates, the chain GM CA ones.
    (dict(sign='gm-ca', sign_key='gm-sign'), 'certificate', 'is a CA certificate'),
    (dict(chain_extra='gm-sign'), 'certificate_chain', 'holds a certificate that is not a GM CA certificate'),
])
def test_ca_and_non_ca_certificates_in_their_places(emulator, pki, overrides, field, reason):
    seed_gateways(emulator)
    body = content(pki)
    if 'sign' in overrides:
        body.certificate = pki[overrides['sign'] + '.pem']
        body.private_key = pki[overrides['sign_key'] + '.key']
    if 'chain_extra' in overrides:
        body.certificate_chain = pki['gm-ca.pem'] + pki[overrides['chain_extra'] + '.pem']
    with pytest.raises(exceptions.ClientRequestException) as caught:
        sdk_client(emulator).create_vgw_certificate(CreateVgwCertificateRequest(
            vgw_id='vgw-gm', body=CreateVpnGatewayCertificateRequestBody(certificate=body)))
    assert (caught.value.status_code, caught.value.error_code) == (400, 'VPN.0001')
    assert caught.value.error_msg.startswith('invalid request: parameter %s: %s' % (field, reason))


def test_another_project_is_refused_by_the_gateway_as_for_every_service(emulator):
    seed_gateways(emulator)
    other = emulator.huawei_sdk_client(VpnClient, BasicCredentials(
        emulator.options.access_key, emulator.options.secret_key, 'f' * 32))
    with pytest.raises(exceptions.ClientRequestException) as caught:
        other.list_vgws(ListVgwsRequest())
    # Not the undocumented VPN.0006 it was.
    assert (caught.value.status_code, caught.value.error_code) == (403, 'APIGW.0302')


def test_a_failure_of_the_service_is_its_server_error(emulator):
    seed_gateways(emulator)
    emulator.admin('POST', 'faults', {'path': '/vpn-gateways$', 'status': 500, 'count': 1})
    with pytest.raises(exceptions.ServerResponseException) as caught:
        sdk_client(emulator).list_vgws(ListVgwsRequest())
    assert (caught.value.status_code, caught.value.error_code) == (500, 'VPN.0002')
    assert caught.value.error_msg.startswith('server error: ')


def test_the_gateway_list_filters_by_enterprise_project(emulator):
    emulator.admin('POST', 'seed', {'vpn': {'gateways': [
        {'id': 'vgw-a', 'name': 'a', 'enterprise_project_id': '0'},
        {'id': 'vgw-b', 'name': 'b', 'enterprise_project_id': EP_ID}]}})
    client = sdk_client(emulator)
    assert [g.id for g in client.list_vgws(ListVgwsRequest(enterprise_project_id=[EP_ID])).vpn_gateways] == ['vgw-b']
    assert len(client.list_vgws(ListVgwsRequest()).vpn_gateways) == 2


def test_a_query_parameter_that_is_not_a_number_is_named(emulator):
    with pytest.raises(exceptions.ClientRequestException) as caught:
        sdk_client(emulator).list_vpn_gateway_certificates(ListVpnGatewayCertificatesRequest(pre_expire_days='soon'))
    assert caught.value.error_code == 'VPN.0001' and 'parameter pre_expire_days:' in caught.value.error_msg
