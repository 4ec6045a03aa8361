# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official huaweicloudsdkiam client against the emulator's IAM, and the official SDK's own
metadata accessor against its metadata service: unchanged clients, real HTTP."""

from __future__ import annotations

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkelb.v3 import ElbClient, ListCertificatesRequest
from huaweicloudsdkiam.v3 import (
    AgencyAuth, AgencyAuthIdentity, CreateTemporaryAccessKeyByAgencyRequest,
    CreateTemporaryAccessKeyByAgencyRequestBody, IamClient, IdentityAssumerole, KeystoneListProjectsRequest,
)

DOMAIN_ID = 'd' * 32


def iam(emulator):
    credentials = GlobalCredentials(emulator.options.access_key, emulator.options.secret_key, DOMAIN_ID)
    return emulator.huawei_sdk_client(IamClient, credentials)


def assume(emulator, agency_name='certfleet', domain_name='acme-prod', duration=900):
    role = IdentityAssumerole(agency_name=agency_name, domain_name=domain_name, duration_seconds=duration)
    body = CreateTemporaryAccessKeyByAgencyRequestBody(
        auth=AgencyAuth(identity=AgencyAuthIdentity(methods=['assume_role'], assume_role=role)))
    return iam(emulator).create_temporary_access_key_by_agency(CreateTemporaryAccessKeyByAgencyRequest(body=body))


def test_the_sdk_lists_the_project_of_a_region(emulator):
    answer = iam(emulator).keystone_list_projects(KeystoneListProjectsRequest(name=emulator.options.region))
    assert answer.status_code == 200
    assert [(project.name, project.id) for project in answer.projects] == [
        (emulator.options.region, emulator.options.project_id)]
    assert answer.projects[0].links._self.endswith('/v3/projects/' + emulator.options.project_id)


def test_the_sdk_assumes_an_agency_and_its_temporary_keys_work_until_they_expire(emulator):
    emulator.admin('POST', 'seed', {'iam': {'agencies': [{'domain_name': 'acme-prod', 'agency_name': 'certfleet'}]}})
    answer = assume(emulator)
    assert answer.status_code == 201
    credential = answer.credential
    assert len(credential.access) == 20 and len(credential.secret) == 40 and credential.securitytoken
    assert credential.expires_at.endswith('Z')
    temporary = BasicCredentials(credential.access, credential.secret, emulator.options.project_id) \
        .with_security_token(credential.securitytoken)
    elb = emulator.huawei_sdk_client(ElbClient, temporary)
    assert elb.list_certificates(ListCertificatesRequest()).certificates == []
    emulator.admin('POST', 'clock', {'advance_seconds': 901})
    with pytest.raises(ClientRequestException) as caught:
        elb.list_certificates(ListCertificatesRequest())
    assert caught.value.status_code == 401 and 'signature expired' in caught.value.error_msg


@pytest.mark.parametrize('kwargs, status', [
    (dict(duration=899), 400),
    (dict(duration=86401), 400),
    (dict(agency_name='not-delegated'), 403),
])
def test_the_documented_limits_of_an_agency_request(emulator, kwargs, status):
    emulator.admin('POST', 'seed', {'iam': {'agencies': [{'domain_name': 'acme-prod', 'agency_name': 'certfleet'}]}})
    with pytest.raises(ClientRequestException) as caught:
        assume(emulator, **kwargs)
    assert caught.value.status_code == status


def test_the_sdks_own_metadata_accessor_reads_the_agency_keys(emulator, monkeypatch):
    from huaweicloudsdkcore.auth.internal import MetadataAccessor
    monkeypatch.setattr(MetadataAccessor, '_METADATA_ENDPOINT', emulator.url)
    credential = MetadataAccessor().get_credential()
    assert credential.access and credential.secret and credential.security_token and credential.expire_at
    paths = [(entry['method'], entry['path']) for entry in emulator.requests()]
    assert paths == [('PUT', '/meta-data/latest/api/token'), ('GET', '/openstack/latest/securitykey')]


def test_the_metadata_service_wants_its_session_token(emulator):
    import requests
    assert requests.get(emulator.url + '/openstack/latest/securitykey', timeout=5).status_code == 401
    token = requests.put(emulator.url + '/meta-data/latest/api/token', timeout=5,
                         headers={'X-Metadata-Token-Ttl-Seconds': '60'})
    assert token.status_code == 200 and token.text
    answer = requests.get(emulator.url + '/openstack/latest/securitykey', timeout=5,
                          headers={'X-Metadata-Token': token.text})
    assert answer.status_code == 200 and set(answer.json()['credential']) == {'access', 'secret', 'securitytoken',
                                                                              'expires_at'}
