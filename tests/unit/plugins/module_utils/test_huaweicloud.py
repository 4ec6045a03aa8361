# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The signer against huaweicloudsdkcore's (the oracle), and the client against the emulator."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterClient
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import Answer, ApiError
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import (
    AkSkSigner, ConfigurationError, HuaweiCloudClient, build_url, canonical_query, canonical_uri,
    huaweicloud_argument_spec,
)

AK = 'HPUABCDEFGHIJKLMNOPQ'
SK = 'sk-0123456789abcdefghijklmnopqrstuvwxyzAB'
FIXED_DATE = '20261122T101500Z'


class OracleCredentials:
    ak = AK
    sk = SK


def oracle_authorization(method, host, resource_path, query_params, headers, body):
    request = SdkRequest(method=method, schema='https', host=host, resource_path=resource_path,
                         query_params=list(query_params), header_params=dict(headers), body=body)
    Signer(OracleCredentials).sign(request)
    return request.header_params['Authorization'], request.uri


def our_authorization(method, host, resource_path, query_params, headers, body):
    url = build_url('https://' + host, resource_path, query_params)
    added = AkSkSigner(AK, SK).sign(method, url, headers, body)
    return added['Authorization'], url[len('https://' + host):]


FIXED_VECTORS = [
    ('GET', 'elb.cn-north-4.myhuaweicloud.com', '/v3/0a7c1c2b3d4e5f60718293a4b5c6d7e8/elb/certificates', [], b''),
    ('GET', 'elb.cn-north-4.myhuaweicloud.com', '/v3/p/elb/certificates',
     [('name', ['web', 'api']), ('limit', '2000'), ('page_reverse', True)], b''),
    ('POST', 'elb.cn-north-4.myhuaweicloud.com', '/v3/p/elb/certificates', [],
     b'{"certificate":{"name":"web","type":"server"}}'),
    ('PUT', '127.0.0.1:8080', '/v3/p/elb/certificates/233a325e5e3e4ce8beeb320aa714cc12', [],
     '{"certificate":{"name":"My Certificate","description":"Update my Certificate."}}'.encode('utf-8')),
    ('DELETE', 'elb.ap-southeast-1.myhuaweicloud.com', '/v3/p/elb/certificates/abc', [], b''),
    ('GET', 'h', '/v1/a%20b/%E4%B8%AD/~x', [('q', 'a+b c/~!*\'()')], b''),
    ('GET', 'h', '/', [('empty', '')], b''),
]


@pytest.mark.parametrize('method, host, path, query, body', FIXED_VECTORS)
def test_fixed_vectors_match_the_sdk(method, host, path, query, body):
    headers = {'Content-Type': 'application/json', 'X-Sdk-Date': FIXED_DATE, 'User-Agent': 'certfleet',
               'X-Project-Id': '0a7c1c2b3d4e5f60718293a4b5c6d7e8'}
    expected, expected_uri = oracle_authorization(method, host, path, query, headers, body)
    actual, actual_uri = our_authorization(method, host, path, query, headers, body)
    assert actual == expected
    assert actual_uri == expected_uri


def test_known_signature_value():
    """A pinned value guards against the oracle and us drifting together."""
    actual, dummy = our_authorization('GET', 'elb.cn-north-4.myhuaweicloud.com', '/v3/p/elb/certificates',
                                      [('limit', '10')], {'X-Sdk-Date': FIXED_DATE}, b'')
    assert actual.startswith('SDK-HMAC-SHA256 Access=%s, SignedHeaders=host;x-sdk-date, Signature=' % AK)
    expected, dummy = oracle_authorization('GET', 'elb.cn-north-4.myhuaweicloud.com', '/v3/p/elb/certificates',
                                           [('limit', '10')], {'X-Sdk-Date': FIXED_DATE}, b'')
    assert actual == expected


segment_text = st.text(alphabet=st.characters(blacklist_categories=('Cs',), blacklist_characters='/%'),
                       min_size=0, max_size=12)
query_text = st.text(alphabet=st.characters(blacklist_categories=('Cs',)), min_size=0, max_size=12)
header_value = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7e), min_size=1, max_size=20)


@st.composite
def requests_to_sign(draw):
    method = draw(st.sampled_from(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']))
    segments = draw(st.lists(segment_text, min_size=1, max_size=5))
    # The SDK puts path parameters in already percent-encoded with quote(safe='').
    from urllib.parse import quote
    path = '/' + '/'.join(quote(segment, safe='') for segment in segments)
    keys = draw(st.lists(st.text(alphabet=st.characters(blacklist_categories=('Cs',)), min_size=1, max_size=8),
                         min_size=0, max_size=3, unique=True))
    query = []
    for key in keys:
        if draw(st.booleans()):
            query.append((key, draw(st.lists(query_text, min_size=1, max_size=3))))
        else:
            query.append((key, draw(st.one_of(query_text, st.booleans()))))
    body = draw(st.one_of(st.just(b''), st.binary(min_size=1, max_size=64),
                          st.text(max_size=40).map(lambda text: text.encode('utf-8'))))
    headers = {'X-Sdk-Date': draw(st.datetimes(min_value=datetime.datetime(2000, 1, 1),
                                               max_value=datetime.datetime(2099, 1, 1))).strftime('%Y%m%dT%H%M%SZ')}
    if draw(st.booleans()):
        headers['Content-Type'] = draw(st.sampled_from(['application/json', 'application/json;charset=UTF-8']))
    for name in draw(st.lists(st.sampled_from(['X-Project-Id', 'X-Security-Token', 'User-Agent', 'X_Ignored']),
                              unique=True)):
        headers[name] = draw(header_value)
    host = draw(st.sampled_from(['elb.cn-north-4.myhuaweicloud.com', '127.0.0.1:18080', 'h']))
    return method, host, path, query, headers, body


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests_to_sign())
def test_generated_requests_match_the_sdk(case):
    method, host, path, query, headers, body = case
    expected, expected_uri = oracle_authorization(method, host, path, [(k, list(v) if isinstance(v, list) else v)
                                                                       for k, v in query], headers, body)
    actual, actual_uri = our_authorization(method, host, path, query, headers, body)
    assert actual == expected
    assert actual_uri == expected_uri


def test_canonical_uri_always_ends_with_a_slash():
    assert canonical_uri('/v3/p/elb/certificates') == '/v3/p/elb/certificates/'
    assert canonical_uri('/') == '/'
    assert canonical_uri('/a%2Fb') == '/a/b/'


def test_canonical_query_sorts_repeats_and_encodes():
    assert canonical_query([('b', '2'), ('a', ['y', 'x']), ('c', True), ('d', None)]) == 'a=x&a=y&b=2&c=true'
    assert canonical_query([('k', 'a b/~')]) == 'k=a%20b%2F~'


# The client against the emulator ------------------------------------------------------------------

def test_client_lists_and_shows_through_the_emulator(emulator):
    client = HuaweiCloudClient(emulator.params(), 'elb')
    assert list(client.list_by_marker(client.path('/v3/{project_id}/elb/certificates'), 'certificates')) == []


def test_both_providers_answer_with_one_contract(emulator):
    """A body to read as a dict, the answer's headers beside it: Huawei Cloud's client as Wangsu's."""
    options = emulator.options
    huawei = HuaweiCloudClient(emulator.params(), 'elb').request(
        'GET', '/v3/%s/elb/certificates' % options.project_id)
    wangsu = NetcenterClient(dict(endpoint=emulator.url, access_key=options.netcenter_access_key,
                                  secret_key=options.netcenter_secret_key)).request('GET', '/api/ssl/certificate')
    for answer, items in ((huawei, 'certificates'), (wangsu, 'ssl-certificates')):
        assert isinstance(answer, Answer) and answer.get(items) == [] and answer.headers.get('Date')


def test_project_id_is_looked_up_once_with_iam(emulator):
    client = HuaweiCloudClient(emulator.params(project_id=None), 'elb')
    for dummy in range(3):
        client.request('GET', client.path('/v3/{project_id}/elb/certificates'))
    paths = [entry['path'] for entry in emulator.requests()]
    assert paths.count('/v3/projects') == 1
    assert client.project_id == emulator.options.project_id


def test_a_misspelt_region_is_named_as_the_fix_with_the_nearest_names(emulator):
    client = HuaweiCloudClient(emulator.params(project_id=None, region='cn-nort-4'), 'elb')
    with pytest.raises(ConfigurationError) as caught:
        dummy = client.project_id
    message = str(caught.value)
    assert message.startswith("region 'cn-nort-4' is probably wrong")
    assert "did you mean 'cn-north-4'?" in message
    assert 'regions with a project: cn-north-4.' in message
    assert 'Set region' in message


def test_a_region_far_from_every_project_lists_the_regions_without_a_guess(emulator):
    client = HuaweiCloudClient(emulator.params(project_id=None, region='xx-nowhere-1'), 'elb')
    with pytest.raises(ConfigurationError) as caught:
        dummy = client.project_id
    assert 'did you mean' not in str(caught.value)
    assert "region 'xx-nowhere-1' is probably wrong: IAM knows no project of that name; regions with a project: " \
        "cn-north-4." in str(caught.value)


def test_wrong_secret_key_is_refused_with_the_gateway_error(emulator):
    client = HuaweiCloudClient(emulator.params(secret_key='wrong'), 'elb')
    with pytest.raises(ApiError) as caught:
        client.request('GET', client.path('/v3/{project_id}/elb/certificates'))
    assert caught.value.status == 401
    assert caught.value.error_code == 'APIGW.0301'
    assert 'verify aksk signature fail' in caught.value.message


def test_temporary_credentials_need_their_security_token(emulator):
    options = emulator.options
    good = HuaweiCloudClient(emulator.params(access_key=options.temp_access_key, secret_key=options.temp_secret_key,
                                             security_token=options.security_token), 'elb')
    good.request('GET', good.path('/v3/{project_id}/elb/certificates'))
    missing = HuaweiCloudClient(emulator.params(access_key=options.temp_access_key,
                                                secret_key=options.temp_secret_key), 'elb')
    with pytest.raises(ApiError) as caught:
        missing.request('GET', missing.path('/v3/{project_id}/elb/certificates'))
    assert caught.value.status == 401


def test_auth_token_instead_of_signing(emulator):
    client = HuaweiCloudClient(emulator.params(access_key=None, secret_key=None,
                                               auth_token=emulator.options.auth_token), 'elb')
    client.request('GET', client.path('/v3/{project_id}/elb/certificates'))
    bad = HuaweiCloudClient(emulator.params(access_key=None, secret_key=None, auth_token='forged'), 'elb')
    with pytest.raises(ApiError) as caught:
        bad.request('GET', bad.path('/v3/{project_id}/elb/certificates'))
    assert 'decrypt token fail' in caught.value.message


def test_marker_pagination_reads_every_page(emulator, pki):
    certificate = pki['ca.pem']
    emulator.admin('POST', 'seed', {'elb': {'certificates': [
        {'name': 'c%04d' % index, 'type': 'client', 'certificate': certificate} for index in range(5)]}})
    client = HuaweiCloudClient(emulator.params(), 'elb')
    names = [item['name'] for item in client.list_by_marker(client.path('/v3/{project_id}/elb/certificates'),
                                                            'certificates', limit=2)]
    assert names == ['c0000', 'c0001', 'c0002', 'c0003', 'c0004']
    assert len([entry for entry in emulator.requests() if entry['method'] == 'GET']) == 3


@pytest.mark.parametrize('params, message', [
    (dict(access_key=None), 'access_key and secret_key go together (or auth_token); access_key missing'),
    (dict(endpoint=None, region=None), 'region is required'),
    (dict(max_retries=-1), 'max_retries'),
    (dict(timeout=0), 'timeout'),
])
def test_configuration_errors_name_the_option(emulator, params, message):
    with pytest.raises(ConfigurationError) as caught:
        HuaweiCloudClient(emulator.params(**params), 'elb')
    assert message in str(caught.value)


def test_default_endpoint_follows_service_and_region():
    client = HuaweiCloudClient(dict(access_key='a', secret_key='b', region='cn-north-4', project_id='p'), 'elb')
    assert client.endpoint == 'https://elb.cn-north-4.myhuaweicloud.com'
    assert client.iam_endpoint == 'https://iam.cn-north-4.myhuaweicloud.com'


# Connection options are checked before any request, and refusals name the credential --------------

@pytest.mark.parametrize('params, message', [
    (dict(secret_key=None), 'secret_key missing: set it as option or through HW_SECRET_KEY'),
    (dict(secret_key=None, access_key=None, profile='nowhere'), "profile 'nowhere' is set but the KooCLI configuration"),
    (dict(access_key=None, secret_key=None, agency_name='certfleet'), 'agency_name is set but agency_domain_name'),
    (dict(agency_domain_name='other-account'), 'agency_domain_name is set but agency_name is not'),
    (dict(agency_name='a', agency_domain_name='b', agency_duration=60), 'agency_duration must be from 900 to 86400'),
    (dict(agency_name='a', agency_domain_name='b', iam_endpoint=None), 'agency_name needs IAM: set iam_endpoint'),
    (dict(cloud='https://myhuaweicloud.eu'), 'cloud must be a domain such as myhuaweicloud.com'),
    (dict(endpoint='127.0.0.1:8080'), 'endpoint must be a URL such as https://'),
    (dict(iam_endpoint='iam.local'), 'iam_endpoint must be a URL'),
    (dict(iam_endpoint=None, project_id=None), 'project_id is required when endpoint is set and iam_endpoint is not'),
])
def test_unusable_connection_options_fail_before_any_request(emulator, params, message):
    with pytest.raises(ConfigurationError) as caught:
        HuaweiCloudClient(emulator.params(**params), 'elb')
    assert message in str(caught.value)
    assert emulator.requests() == []


def test_a_custom_endpoint_never_falls_back_to_the_public_iam(emulator):
    client = HuaweiCloudClient(emulator.params(iam_endpoint=None), 'elb')
    assert client.iam_endpoint is None and client.project_id == emulator.options.project_id


def test_options_fall_back_to_the_provider_and_sdk_variables():
    spec = huaweicloud_argument_spec()
    assert spec['endpoint']['fallback'][1] == ['HW_ENDPOINT']
    assert spec['iam_endpoint']['fallback'][1] == ['HW_IAM_ENDPOINT', 'HUAWEICLOUD_SDK_IAM_ENDPOINT']
    assert spec['access_key']['fallback'][1][-1] == 'HUAWEICLOUD_SDK_AK'
    assert spec['secret_key']['fallback'][1][-1] == 'HUAWEICLOUD_SDK_SK'
    assert spec['security_token']['fallback'][1][-1] == 'HUAWEICLOUD_SDK_SECURITY_TOKEN'
    assert spec['project_id']['fallback'][1][-1] == 'HUAWEICLOUD_SDK_PROJECT_ID'
    assert spec['domain_id']['fallback'][1][-1] == 'HUAWEICLOUD_SDK_DOMAIN_ID'


@pytest.mark.parametrize('cloud, endpoint, iam', [
    (None, 'https://elb.cn-north-4.myhuaweicloud.com', 'https://iam.cn-north-4.myhuaweicloud.com'),
    ('myhuaweicloud.eu', 'https://elb.eu-west-101.myhuaweicloud.eu', 'https://iam.eu-west-101.myhuaweicloud.eu'),
])
def test_the_cloud_option_picks_the_site_of_every_endpoint(cloud, endpoint, iam):
    region = 'eu-west-101' if cloud else 'cn-north-4'
    client = HuaweiCloudClient(dict(access_key='a', secret_key='b', region=region, project_id='p', cloud=cloud), 'elb')
    assert (client.endpoint, client.iam_endpoint) == (endpoint, iam)


@pytest.mark.parametrize('overrides, named', [
    (dict(secret_key='wrong'), 'secret_key (HW_SECRET_KEY) was refused by the service: '),
    (dict(access_key='UNKNOWNAK'), 'access_key (HW_ACCESS_KEY) was refused by the service: '),
    (dict(access_key=None, secret_key=None, auth_token='forged'), 'auth_token (HW_AUTH_TOKEN) was refused'),
])
def test_a_refusal_names_the_credential_in_play(emulator, overrides, named):
    client = HuaweiCloudClient(emulator.params(**overrides), 'elb')
    with pytest.raises(ApiError) as caught:
        client.request('GET', client.path('/v3/{project_id}/elb/certificates'))
    assert caught.value.status == 401 and caught.value.message.startswith(named)
    assert 'wrong' not in caught.value.message and 'forged' not in caught.value.message


def test_a_missing_security_token_is_named(emulator):
    options = emulator.options
    client = HuaweiCloudClient(emulator.params(access_key=options.temp_access_key,
                                               secret_key=options.temp_secret_key), 'elb')
    with pytest.raises(ApiError) as caught:
        client.request('GET', client.path('/v3/{project_id}/elb/certificates'))
    assert caught.value.message.startswith('security_token (HW_SECURITY_TOKEN) was refused')


def test_offset_paging_reads_every_page_until_the_total(emulator):
    emulator.admin('POST', 'seed', {'ccm': {'authorities': [{'common_name': 'CA %d' % index} for index in range(5)]}})
    emulator.admin('DELETE', 'requests')
    client = HuaweiCloudClient(emulator.params(project_id=None, iam_endpoint=None), 'ccm', project_scoped=False)
    names = [item['distinguished_name']['common_name']
             for item in client.list_by_offset('/v1/private-certificate-authorities', 'certificate_authorities',
                                               [('sort_key', 'common_name'), ('sort_dir', 'ASC')], limit=2)]
    assert names == ['CA 0', 'CA 1', 'CA 2', 'CA 3', 'CA 4']
    assert [entry['query'] for entry in emulator.requests()] == [
        'limit=2&offset=%d&sort_dir=ASC&sort_key=common_name' % offset for offset in (0, 2, 4)]


# Errors that name the fix, over real sockets ------------------------------------------------------

def test_a_closed_port_fails_within_seconds_naming_the_endpoint_option(emulator):
    import time
    client = HuaweiCloudClient(emulator.params(endpoint='http://127.0.0.1:9', max_retries=5), 'elb')
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        client.request('GET', client.path('/v3/{project_id}/elb/certificates'))
    assert time.monotonic() - started < 6
    assert caught.value.error_code == 'ConnectionRefused' and 'check the endpoint option' in caught.value.message


def test_https_to_the_plain_http_emulator_says_it_may_speak_http(emulator):
    client = HuaweiCloudClient(emulator.params(endpoint=emulator.url.replace('http://', 'https://')), 'elb')
    with pytest.raises(ApiError) as caught:
        client.request('GET', client.path('/v3/{project_id}/elb/certificates'))
    assert 'it may be a plain-HTTP endpoint; if so, check the endpoint option and use ' \
        + emulator.url in caught.value.message
