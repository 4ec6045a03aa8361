# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Huawei Cloud credential chain: options and variables, the SDK's credentials file, KooCLI
profiles, the ECS metadata service and assumed agencies, each against the emulator."""

from __future__ import annotations

import datetime
import json
import os
import threading

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils import credentials as chain
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, ConfigurationError
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient
from ansible_collections.certfleet.cloud.plugins.module_utils.deploy import provider_params

LIST = '/v3/{project_id}/elb/certificates'


def no_keys(emulator, **overrides):
    """The emulator's connection options without any credential."""
    return emulator.params(access_key=None, secret_key=None, **overrides)


def list_certificates(client):
    return client.request('GET', client.path(LIST))


def write_private(path, text, mode=0o600):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(str(path), mode)
    return path


def sdk_file(emulator, path, section='basic', **extra):
    lines = ['[%s]' % section, 'ak = %s' % emulator.options.access_key, 'sk = %s' % emulator.options.secret_key]
    lines.extend('%s = %s' % item for item in extra.items())
    return write_private(path, '\n'.join(lines) + '\n')


def koocli_file(path, profiles, current='default', **top):
    return write_private(path, json.dumps(dict(dict(current=current, profiles=profiles), **top)))


def koocli_profile(emulator, name='default', **extra):
    return dict(dict(name=name, mode='AKSK', accessKeyId=emulator.options.access_key,
                     secretAccessKey=emulator.options.secret_key, region=emulator.options.region), **extra)


# Options and variables ----------------------------------------------------------------------------

def test_the_sdk_variables_are_read_as_the_options(emulator, monkeypatch):
    monkeypatch.setenv('HUAWEICLOUD_SDK_AK', emulator.options.access_key)
    monkeypatch.setenv('HUAWEICLOUD_SDK_SK', emulator.options.secret_key)
    monkeypatch.setenv('HUAWEICLOUD_SDK_PROJECT_ID', emulator.options.project_id)
    params = provider_params('huaweicloud', dict(endpoint=emulator.url, region=emulator.options.region))
    assert params['access_key'] == emulator.options.access_key and params['project_id'] == emulator.options.project_id
    client = HuaweiCloudClient(params, 'elb')
    assert list_certificates(client).get('certificates') == []
    assert client.credential_source.description == 'options'


def test_options_win_over_a_profile_file(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    write_private(tmp_path / '.huaweicloud' / 'credentials', '[basic]\nak = NOTTHISONE\nsk = nor-this\n')
    client = HuaweiCloudClient(emulator.params(), 'elb')
    assert list_certificates(client).get('certificates') == []


# The SDK's credentials file ------------------------------------------------------------------------

def test_the_sdk_credentials_file_in_home_is_used_when_no_key_is_given(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    sdk_file(emulator, tmp_path / '.huaweicloud' / 'credentials', project_id=emulator.options.project_id)
    client = HuaweiCloudClient(no_keys(emulator, project_id=None, iam_endpoint=None), 'elb')
    assert list_certificates(client).get('certificates') == []
    assert client.credential_source.description == '[basic] of %s' % (tmp_path / '.huaweicloud' / 'credentials')
    # The project came from the file: no IAM lookup.
    assert '/v3/projects' not in [entry['path'] for entry in emulator.requests()]
    assert emulator.options.secret_key in client.secrets()


def test_a_global_service_prefers_the_global_section(emulator, tmp_path, monkeypatch):
    path = tmp_path / 'creds.ini'
    write_private(path, '[basic]\nak = WRONGAK\nsk = wrong\n[global]\nak = %s\nsk = %s\ndomain_id = d0m41n\n'
                  % (emulator.options.access_key, emulator.options.secret_key))
    monkeypatch.setenv('HUAWEICLOUD_SDK_CREDENTIALS_FILE', str(path))
    client = HuaweiCloudClient(no_keys(emulator), 'ccm', project_scoped=False)
    assert client.credential_source.description.startswith('[global] of ')
    assert client.domain_id == 'd0m41n'
    client.request('GET', '/v1/private-certificates')
    assert emulator.requests()[-1]['status'] == 200


def test_a_named_credentials_file_that_is_missing_is_an_error(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv('HUAWEICLOUD_SDK_CREDENTIALS_FILE', str(tmp_path / 'absent'))
    with pytest.raises(ConfigurationError) as caught:
        HuaweiCloudClient(no_keys(emulator), 'elb')
    assert 'HUAWEICLOUD_SDK_CREDENTIALS_FILE names' in str(caught.value) and 'does not exist' in str(caught.value)


@pytest.mark.parametrize('mode', [0o644, 0o640, 0o604, 0o660])
def test_a_credentials_file_others_can_read_is_refused_as_ssh_refuses_a_key(emulator, tmp_path, monkeypatch, mode):
    monkeypatch.setenv('HOME', str(tmp_path))
    path = sdk_file(emulator, tmp_path / '.huaweicloud' / 'credentials')
    os.chmod(str(path), mode)
    with pytest.raises(ConfigurationError) as caught:
        HuaweiCloudClient(no_keys(emulator), 'elb')
    assert ('permissions %04o for %s are too open' % (mode, path)) in str(caught.value)
    assert 'chmod 600' in str(caught.value) and emulator.options.secret_key not in str(caught.value)
    assert emulator.requests() == []


def test_a_file_without_keys_names_what_is_missing(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    write_private(tmp_path / '.huaweicloud' / 'credentials', '[basic]\nak = ONLYAK\n')
    with pytest.raises(ConfigurationError) as caught:
        HuaweiCloudClient(no_keys(emulator), 'elb')
    assert 'needs both ak and sk' in str(caught.value)


# KooCLI profiles ---------------------------------------------------------------------------------------

def test_the_current_koocli_profile_is_used_and_fills_region_and_project(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    koocli_file(tmp_path / '.hcloud' / 'config.json', [
        koocli_profile(emulator, 'other', accessKeyId='OTHERAK'),
        koocli_profile(emulator, 'default', projectId=emulator.options.project_id)])
    client = HuaweiCloudClient(no_keys(emulator, region=None, project_id=None), 'elb')
    assert client.region == emulator.options.region and client.project_id == emulator.options.project_id
    assert list_certificates(client).get('certificates') == []
    assert client.credential_source.description.startswith("KooCLI profile 'default' of ")


def test_the_profile_option_picks_a_koocli_profile_by_name(emulator, tmp_path, monkeypatch):
    path = koocli_file(tmp_path / 'config.json', [koocli_profile(emulator, 'default', accessKeyId='WRONGAK'),
                                                  koocli_profile(emulator, 'deploy')])
    monkeypatch.setenv('HW_SHARED_CONFIG_FILE', str(path))
    client = HuaweiCloudClient(no_keys(emulator, profile='deploy'), 'elb')
    assert list_certificates(client).get('certificates') == []
    with pytest.raises(ConfigurationError) as caught:
        HuaweiCloudClient(no_keys(emulator, profile='nosuch'), 'elb')
    assert "profile 'nosuch' is not in the KooCLI configuration" in str(caught.value)
    assert '(profiles: default, deploy)' in str(caught.value)


@pytest.mark.parametrize('profile_extra, top', [
    (dict(accessKeyId='QUVTMjU2OkdDTTpxd2VydHl1aW9wYXNkZmdoamts=='), {}),
    ({}, dict(cliAuthEncrypt=True)),
])
def test_an_encrypted_koocli_profile_is_named_and_not_used(emulator, tmp_path, monkeypatch, profile_extra, top):
    path = koocli_file(tmp_path / 'config.json', [koocli_profile(emulator, **profile_extra)], **top)
    monkeypatch.setenv('HW_SHARED_CONFIG_FILE', str(path))
    with pytest.raises(ConfigurationError) as caught:
        HuaweiCloudClient(no_keys(emulator), 'elb')
    assert "KooCLI profile 'default'" in str(caught.value) and 'is encrypted' in str(caught.value)
    assert '--cli-auth-encrypt=false' in str(caught.value)


def test_a_koocli_profile_in_another_mode_is_refused(emulator, tmp_path, monkeypatch):
    path = koocli_file(tmp_path / 'config.json', [koocli_profile(emulator, mode='SSO')])
    monkeypatch.setenv('HW_SHARED_CONFIG_FILE', str(path))
    with pytest.raises(ConfigurationError) as caught:
        HuaweiCloudClient(no_keys(emulator), 'elb')
    assert 'is in SSO mode; only AKSK profiles' in str(caught.value)


# The ECS metadata service -------------------------------------------------------------------------

def test_with_nothing_else_the_metadata_service_gives_temporary_keys(emulator):
    client = HuaweiCloudClient(no_keys(emulator, metadata_endpoint=emulator.url), 'elb')
    assert list_certificates(client).get('certificates') == []
    paths = [(entry['method'], entry['path']) for entry in emulator.requests()]
    assert paths[:2] == [('PUT', '/meta-data/latest/api/token'), ('GET', '/openstack/latest/securitykey')]
    current = client.credential_source.current()
    assert current.security_token and current.expires_at is not None
    assert current.secret_key in client.secrets() and current.security_token in client.secrets()


def test_temporary_keys_are_fetched_again_before_they_expire(emulator):
    emulator.admin('POST', 'seed', {'metadata': {'duration_seconds': 900}})
    client = HuaweiCloudClient(no_keys(emulator, metadata_endpoint=emulator.url), 'elb')
    list_certificates(client)
    first = client.credential_source.current().access_key
    # 13 of 15 minutes later (emulated): within the refresh margin, so new keys are fetched first. The
    # client reads the emulated time from the Date of an answer, as it reads a real service's.
    emulator.admin('POST', 'clock', {'advance_seconds': 13 * 60})
    list_certificates(client)
    assert client.credential_source.current(client.service_now()).access_key != first
    list_certificates(client)
    assert [entry['path'] for entry in emulator.requests()].count('/openstack/latest/securitykey') == 2
    assert all(entry['status'] == 200 for entry in emulator.requests())


def test_the_emulator_refuses_expired_temporary_keys(emulator):
    client = HuaweiCloudClient(no_keys(emulator, metadata_endpoint=emulator.url), 'elb')
    keys = client.credential_source.current()
    emulator.admin('POST', 'clock', {'advance_seconds': 3601})
    stale = HuaweiCloudClient(emulator.params(access_key=keys.access_key, secret_key=keys.secret_key,
                                              security_token=keys.security_token), 'elb')
    with pytest.raises(ApiError) as caught:
        list_certificates(stale)
    assert caught.value.status == 401 and 'signature expired' in caught.value.message


def test_an_ecs_without_agency_is_named(emulator):
    emulator.admin('POST', 'seed', {'metadata': {'agency': False}})
    client = HuaweiCloudClient(no_keys(emulator, metadata_endpoint=emulator.url), 'elb')
    with pytest.raises(ApiError) as caught:
        list_certificates(client)
    assert caught.value.status == 404
    assert 'gave no credentials (is an agency attached to this ECS?)' in caught.value.message


def test_with_no_source_at_all_the_error_lists_every_source_quickly(emulator):
    client = HuaweiCloudClient(no_keys(emulator, metadata_endpoint=os.environ['HW_METADATA_ENDPOINT']), 'elb')
    started = datetime.datetime.now()
    with pytest.raises(ConfigurationError) as caught:
        list_certificates(client)
    assert (datetime.datetime.now() - started).total_seconds() < 10
    message = str(caught.value)
    for source in ('access_key/secret_key', 'HUAWEICLOUD_SDK_AK', '.huaweicloud', '.hcloud', 'ECS metadata service'):
        assert source in message
    assert emulator.requests() == []


# Agencies ----------------------------------------------------------------------------------------------

def test_an_agency_is_assumed_with_the_given_keys_and_its_keys_sign_the_requests(emulator):
    emulator.admin('POST', 'seed', {'iam': {'agencies': [{'domain_name': 'acme-prod', 'agency_name': 'certfleet'}]}})
    client = HuaweiCloudClient(emulator.params(agency_name='certfleet', agency_domain_name='acme-prod',
                                               agency_duration=900), 'elb')
    assert list_certificates(client).get('certificates') == []
    assumed = [entry for entry in emulator.requests() if entry['path'] == '/v3.0/OS-CREDENTIAL/securitytokens']
    assert len(assumed) == 1 and assumed[0]['status'] == 201
    current = client.credential_source.current()
    assert current.access_key != emulator.options.access_key and current.security_token
    assert 'agency certfleet of account acme-prod' in client.credential_source.description


def test_an_agency_the_user_may_not_assume_is_named_in_the_error(emulator):
    client = HuaweiCloudClient(emulator.params(agency_name='nope', agency_domain_name='acme-prod'), 'elb')
    with pytest.raises(ApiError) as caught:
        list_certificates(client)
    assert caught.value.status == 403
    assert caught.value.message.startswith('assuming agency nope of account acme-prod (agency_name, agency_domain_name) '
                                           'failed')


def test_threads_of_one_account_assume_the_agency_once(emulator):
    emulator.admin('POST', 'seed', {'iam': {'agencies': [{'domain_name': 'acme-prod', 'agency_name': 'certfleet'}]}})
    first = HuaweiCloudClient(emulator.params(agency_name='certfleet', agency_domain_name='acme-prod'), 'elb')
    clients = [first] + [HuaweiCloudClient(emulator.params(agency_name='certfleet', agency_domain_name='acme-prod'),
                                           'elb', credentials=first.credential_source) for dummy in range(7)]
    threads = [threading.Thread(target=list_certificates, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paths = [entry['path'] for entry in emulator.requests()]
    assert paths.count('/v3.0/OS-CREDENTIAL/securitytokens') == 1
    assert paths.count('/v3/%s/elb/certificates' % emulator.options.project_id) == 8


def test_the_official_sdk_accepts_the_emulators_temporary_keys(emulator):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkelb.v3 import ElbClient, ListCertificatesRequest

    keys = HuaweiCloudClient(no_keys(emulator, metadata_endpoint=emulator.url), 'elb').credential_source.current()
    credentials = BasicCredentials(keys.access_key, keys.secret_key, emulator.options.project_id) \
        .with_security_token(keys.security_token)
    answer = emulator.huawei_sdk_client(ElbClient, credentials).list_certificates(ListCertificatesRequest())
    assert answer.certificates == []


def test_refresh_margin_is_a_quarter_of_a_short_lifetime():
    class Counting(chain.CredentialSource):
        fetched = 0

        def fetch(self, now):
            Counting.fetched += 1
            return chain.Credentials('AK', 'SK', 'T', now + datetime.timedelta(minutes=8))

    source = Counting()
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    source.current(start)
    source.current(start + datetime.timedelta(minutes=5, seconds=59))
    assert Counting.fetched == 1
    source.current(start + datetime.timedelta(minutes=6))
    assert Counting.fetched == 2


@pytest.mark.parametrize('text, expected', [
    ('2025-01-08T02:56:19.587000Z', datetime.datetime(2025, 1, 8, 2, 56, 19, tzinfo=datetime.timezone.utc)),
    ('2025-01-08T10:56:19+08:00', datetime.datetime(2025, 1, 8, 2, 56, 19, tzinfo=datetime.timezone.utc)),
])
def test_expiry_times_are_read_as_utc(text, expected):
    assert chain.parse_expiry(text) == expected


def test_an_empty_duration_variable_is_unset_as_awx_injects_it(monkeypatch):
    # AWX injects every field of a credential, an empty one as ''.
    monkeypatch.setenv('HW_ASSUME_ROLE_DURATION', '')
    assert provider_params('huaweicloud', {})['agency_duration'] == 3600
    monkeypatch.setenv('HW_ASSUME_ROLE_DURATION', '900')
    assert provider_params('huaweicloud', {})['agency_duration'] == 900
