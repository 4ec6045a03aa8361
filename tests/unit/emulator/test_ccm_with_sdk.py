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
    assert refused.value.error_code == 'PCA.10010004'

    client.delete_certificate(DeleteCertificateRequest(certificate_id=certificate_id))
    with pytest.raises(exceptions.ClientRequestException) as missing:
        client.show_certificate(ShowCertificateRequest(certificate_id=certificate_id))
    assert missing.value.status_code == 404 and missing.value.error_code == 'PCA.10010002'


@pytest.mark.parametrize('overrides, field', [
    (dict(key_algorithm='RSA1024'), 'key_algorithm'),
    (dict(distinguished_name=CertDistinguishedName(common_name='x' * 65)), 'distinguished_name.common_name'),
    (dict(distinguished_name=CertDistinguishedName(common_name='a', country='C1')), 'distinguished_name.country'),
    (dict(validity=Validity(type='YEAR', value=21)), 'validity.value'),
    (dict(validity=Validity(type='DAY', value=1, start_from=1000)), 'validity.start_from'),
    (dict(subject_alternative_names=[SubjectAlternativeName(type='DNS', value='a')] * 21), 'subject_alternative_names'),
    (dict(subject_alternative_names=[SubjectAlternativeName(type='IP', value='1' * 40)]),
     'subject_alternative_names[0].value'),
    (dict(key_usages=['serverAuth']), 'key_usages'),
])
def test_apply_refuses_what_the_seed_forbids(emulator, overrides, field):
    seed(emulator)
    with pytest.raises(exceptions.ClientRequestException) as refused:
        apply(sdk_client(emulator), **overrides)
    assert refused.value.status_code == 400 and refused.value.error_code == 'PCA.10010001'
    assert field in refused.value.error_msg


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
