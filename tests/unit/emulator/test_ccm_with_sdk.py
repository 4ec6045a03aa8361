# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official CCM v1 client (huaweicloudsdkccm) against the emulator, unchanged: it is the oracle
for paths, bodies and answers the emulator must accept and give."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from huaweicloudsdkccm.v1 import (
    BatchCreateCertTagsRequest, BatchOperateTagRequestBody, CcmClient, CertDistinguishedName, CreateCertificateRequest,
    CreateCertificateRequestBody, DeleteCertificateRequest, DomainTags, ExportCertificateRequest,
    ExportCertificateRequestBody, ExtendedKeyUsage, ListCertificateAuthorityRequest, ListCertificateRequest,
    ListCertResourceInstancesRequest, ListCertTagsRequest, ListResourceInstancesRequestBody, ResourceTag,
    RevokeCertificateRequest, RevokeCertificateRequestBody, ShowCertificateAuthorityRequest, ShowCertificateRequest,
    SubjectAlternativeName, Validity,
)
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.exceptions import exceptions

ROOT_ID = '2cb2878b-6cd1-460d-bd25-afe655159bdc'
SUB_ID = '5d0b7a5c-0c44-4c55-9a0e-1d2f3a4b5c6d'


def sdk_client(emulator):
    return emulator.huawei_sdk_client(
        CcmClient, GlobalCredentials(emulator.options.access_key, emulator.options.secret_key, 'd' * 32))


def seed(emulator):
    emulator.admin('POST', 'seed', {'ccm': {'authorities': [
        {'id': ROOT_ID, 'common_name': 'certfleet root CA', 'key_algorithm': 'EC256', 'signature_algorithm': 'SHA256'},
        {'id': SUB_ID, 'common_name': 'certfleet issuing CA', 'key_algorithm': 'RSA2048',
         'signature_algorithm': 'SHA256', 'issuer_id': ROOT_ID, 'organization': 'certfleet'},
    ]}})


def apply(client, **overrides):
    fields = dict(issuer_id=SUB_ID, key_algorithm='EC256', signature_algorithm='SHA384',
                  distinguished_name=CertDistinguishedName(common_name='www.example.com', country='NL'),
                  validity=Validity(type='DAY', value=90), key_usages=['digitalSignature', 'keyAgreement'],
                  subject_alternative_names=[SubjectAlternativeName(type='DNS', value='www.example.com'),
                                             SubjectAlternativeName(type='IP', value='192.0.2.7')],
                  extended_key_usage=ExtendedKeyUsage(server_auth=True, client_auth=True))
    fields.update(overrides)
    return client.create_certificate(CreateCertificateRequest(body=CreateCertificateRequestBody(**fields)))


def test_full_lifecycle_with_the_sdk(emulator, tmp_path):
    seed(emulator)
    client = sdk_client(emulator)
    authorities = client.list_certificate_authority(ListCertificateAuthorityRequest(limit=10, type='SUBORDINATE'))
    assert authorities.total == 1 and authorities.certificate_authorities[0].ca_id == SUB_ID
    assert client.show_certificate_authority(ShowCertificateAuthorityRequest(ca_id=SUB_ID)).status == 'ACTIVED'

    certificate_id = apply(client).certificate_id
    shown = client.show_certificate(ShowCertificateRequest(certificate_id=certificate_id))
    assert shown.status == 'ISSUED' and shown.issuer_id == SUB_ID and shown.issuer_name == 'certfleet issuing CA'
    # Omitted DN fields are inherited from the CA.
    assert shown.distinguished_name.organization == 'certfleet' and shown.distinguished_name.country == 'NL'
    assert shown.not_after - shown.not_before == 90 * 86400 * 1000

    exported = client.export_certificate(ExportCertificateRequest(
        certificate_id=certificate_id, body=ExportCertificateRequestBody(type='OTHER', is_compressed='false')))
    leaf = x509.load_pem_x509_certificate(exported.certificate.encode())
    assert '%X' % leaf.serial_number == shown.serial_number
    assert leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) == ['www.example.com']
    key = serialization.load_pem_private_key(exported.private_key.encode(), None)
    assert key.public_key().public_numbers() == leaf.public_key().public_numbers()
    (tmp_path / 'leaf.pem').write_text(exported.certificate)
    (tmp_path / 'chain.pem').write_text(exported.certificate_chain)
    verified = subprocess.run(['openssl', 'verify', '-CAfile', str(tmp_path / 'chain.pem'), str(tmp_path / 'leaf.pem')],
                              capture_output=True, text=True, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    client.batch_create_cert_tags(BatchCreateCertTagsRequest(certificate_id=certificate_id, body=BatchOperateTagRequestBody(
        tags=[ResourceTag(key='certfleet.name', value='web')])))
    assert [(tag.key, tag.value) for tag in client.list_cert_tags(ListCertTagsRequest(
        certificate_id=certificate_id)).tags] == [('certfleet.name', 'web')]
    found = client.list_cert_resource_instances(ListCertResourceInstancesRequest(body=ListResourceInstancesRequestBody(
        tags=[DomainTags(key='certfleet.name', values=['web'])], limit=10, offset=0)))
    assert found.total_count == 1 and found.resources[0].resource_id == certificate_id

    listed = client.list_certificate(ListCertificateRequest(name='www.example', status='ISSUED', limit=10))
    assert listed.total == 1 and listed.certificates[0].certificate_id == certificate_id

    client.revoke_certificate(RevokeCertificateRequest(certificate_id=certificate_id,
                                                       body=RevokeCertificateRequestBody(reason='SUPERSEDED')))
    assert client.show_certificate(ShowCertificateRequest(certificate_id=certificate_id)).status == 'REVOKED'
    with pytest.raises(exceptions.ClientRequestException) as refused:
        client.revoke_certificate(RevokeCertificateRequest(certificate_id=certificate_id,
                                                           body=RevokeCertificateRequestBody(reason='SUPERSEDED')))
    # Not in the reference's table: a stand-in (see cloudemu/ccm.py).
    assert refused.value.error_code == 'PCA.10010004'

    client.delete_certificate(DeleteCertificateRequest(certificate_id=certificate_id))
    with pytest.raises(exceptions.ClientRequestException) as missing:
        client.show_certificate(ShowCertificateRequest(certificate_id=certificate_id))
    assert missing.value.status_code == 404 and missing.value.error_code == 'PCA.00030102'
    assert missing.value.error_msg.startswith('CA or certificate is not found.')


# Codes and messages of the reference's "PCA Error Codes" table.
@pytest.mark.parametrize('overrides, field, code, message', [
    (dict(key_algorithm='RSA1024'), 'key_algorithm', 'PCA.00020102', 'Invalid key algorithm.'),
    (dict(signature_algorithm='MD5'), 'signature_algorithm', 'PCA.00020103', 'Invalid signature hash algorithm.'),
    (dict(distinguished_name=CertDistinguishedName(common_name='x' * 65)), 'distinguished_name.common_name',
     'PCA.00020101', 'Incorrect certificate distinguished name.'),
    (dict(distinguished_name=CertDistinguishedName(common_name='a', country='C1')), 'distinguished_name.country',
     'PCA.00020101', 'Incorrect certificate distinguished name.'),
    (dict(validity=Validity(type='YEAR', value=21)), 'validity.value', 'PCA.00020109', 'Invalid validity period'),
    (dict(validity=Validity(type='DAY', value=1, start_from=1000)), 'validity.start_from', 'PCA.00020109',
     'Invalid validity period'),
    (dict(subject_alternative_names=[SubjectAlternativeName(type='DNS', value='a')] * 21), 'subject_alternative_names',
     'PCA.00020001', 'Incorrect parameter.'),
    (dict(subject_alternative_names=[SubjectAlternativeName(type='IP', value='1' * 40)]),
     'subject_alternative_names[0].value', 'PCA.00020111', 'Invalid IP.'),
    (dict(subject_alternative_names=[SubjectAlternativeName(type='DNS', value='d' * 254)]),
     'subject_alternative_names[0].value', 'PCA.00020110', 'Incorrect domain name.'),
    (dict(subject_alternative_names=[SubjectAlternativeName(type='X400', value='a')]),
     'subject_alternative_names[0].type', 'PCA.00020112', 'Invalid alternative name type'),
    (dict(key_usages=['serverAuth']), 'key_usages', 'PCA.00020001', 'Incorrect parameter.'),
    (dict(issuer_id=SUB_ID.upper()), 'issuer_id', 'PCA.00020201', 'Invalid CA ID.'),
    (dict(enterprise_project_id='all'), 'enterprise_project_id', 'PCA.00020001', 'Incorrect parameter.'),
])
def test_apply_refuses_what_the_seed_forbids(emulator, overrides, field, code, message):
    seed(emulator)
    with pytest.raises(exceptions.ClientRequestException) as refused:
        apply(sdk_client(emulator), **overrides)
    assert refused.value.status_code == 400 and refused.value.error_code == code
    assert refused.value.error_msg.startswith(message) and '(%s: ' % field in refused.value.error_msg


def test_the_clock_ages_certificates(emulator):
    seed(emulator)
    client = sdk_client(emulator)
    certificate_id = apply(client, validity=Validity(type='DAY', value=10)).certificate_id
    emulator.admin('POST', 'clock', {'advance_days': 11})
    assert client.show_certificate(ShowCertificateRequest(certificate_id=certificate_id)).status == 'EXPIRED'
    assert client.list_certificate(ListCertificateRequest(status='EXPIRED')).total == 1
    later = client.show_certificate(ShowCertificateRequest(certificate_id=apply(client).certificate_id))
    now = datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000
    assert later.not_before > now + 10 * 86400 * 1000


EP_ID = '5b0f0e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b'


def test_an_enterprise_project_given_on_apply_is_shown(emulator):
    seed(emulator)
    client = sdk_client(emulator)
    in_project = apply(client, enterprise_project_id=EP_ID).certificate_id
    default = apply(client).certificate_id
    assert client.show_certificate(ShowCertificateRequest(certificate_id=in_project)).enterprise_project_id == EP_ID
    assert client.show_certificate(ShowCertificateRequest(certificate_id=default)).enterprise_project_id == '0'
    listed = client.list_certificate(ListCertificateRequest(limit=10)).certificates
    assert sorted((item.certificate_id, item.enterprise_project_id) for item in listed) == sorted(
        [(in_project, EP_ID), (default, '0')])


def test_a_revoke_without_a_body_is_refused_and_an_empty_one_is_unspecified(emulator):
    seed(emulator)
    client = sdk_client(emulator)
    certificate_id = apply(client).certificate_id
    with pytest.raises(exceptions.ClientRequestException) as refused:
        client.revoke_certificate(RevokeCertificateRequest(certificate_id=certificate_id))
    assert refused.value.error_code == 'PCA.00020001' and '(body: ' in refused.value.error_msg
    client.revoke_certificate(RevokeCertificateRequest(certificate_id=certificate_id,
                                                       body=RevokeCertificateRequestBody()))
    assert client.show_certificate(ShowCertificateRequest(certificate_id=certificate_id)).status == 'REVOKED'


def test_a_zero_limit_counts_without_listing(emulator):
    seed(emulator)
    client = sdk_client(emulator)
    apply(client)
    listed = client.list_certificate(ListCertificateRequest(limit=0))
    assert listed.total == 1 and listed.certificates == []
    authorities = client.list_certificate_authority(ListCertificateAuthorityRequest(limit=0, sort_key='type'))
    assert authorities.total == 2 and authorities.certificate_authorities == []


def test_the_tag_filter_takes_at_most_twenty_keys(emulator):
    body = ListResourceInstancesRequestBody(tags=[DomainTags(key='k%d' % index, values=['v']) for index in range(21)],
                                            limit=10, offset=0)
    with pytest.raises(exceptions.ClientRequestException) as refused:
        sdk_client(emulator).list_cert_resource_instances(ListCertResourceInstancesRequest(body=body))
    assert refused.value.error_code == 'PCA.00020001' and '(tags: ' in refused.value.error_msg


def test_a_disabled_ca_still_exports_and_revokes_a_pending_deletion_one_does_neither(emulator):
    seed(emulator)
    client = sdk_client(emulator)
    kept, lost = apply(client).certificate_id, apply(client).certificate_id
    emulator.state.services['ccm'].authorities[SUB_ID]['status'] = 'DISABLED'
    export = ExportCertificateRequestBody(type='OTHER', is_compressed='false')
    assert client.export_certificate(ExportCertificateRequest(certificate_id=kept, body=export)).certificate
    emulator.state.services['ccm'].authorities[SUB_ID]['status'] = 'DELETED'
    with pytest.raises(exceptions.ClientRequestException) as refused:
        client.export_certificate(ExportCertificateRequest(certificate_id=lost, body=export))
    assert refused.value.error_code == 'PCA.10010003'
    with pytest.raises(exceptions.ClientRequestException) as refused:
        client.revoke_certificate(RevokeCertificateRequest(certificate_id=lost, body=RevokeCertificateRequestBody()))
    assert refused.value.error_code == 'PCA.10010003'
