# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Both Wangsu signers against their oracles, the client against the emulator."""

from __future__ import annotations

import base64
import shutil
import subprocess
import time
from unittest import mock

import pytest
from hypothesis import given, settings, strategies as st
from wangsu.common.auth.AkSkAuth import AkSkAuth
from wangsu.common.auth.HttpRequestMsg import HttpRequestMsg

from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import (
    CncAkSkSigner, NetcenterClient, date_auth_headers, parse_netcenter_error,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_certificates import (
    NetcenterCertificateApi, cst_to_utc, md5_hex, normalize_certificate,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import ApiError, ConfigurationError


def sdk_authorization(method, host, uri, body, access_key, secret_key, timestamp):
    """The Authorization header wangsu-sdk-python's AkSkAuth computes for this request."""
    message = HttpRequestMsg()
    message.uri = uri
    message.host = host
    message.method = method
    message.body = body
    with mock.patch('wangsu.common.auth.AkSkAuth.time.time', return_value=timestamp):
        AkSkAuth.get_auth_and_set_headers(message, access_key, secret_key, None)
    return message.headers


def our_headers(method, host, uri, body, access_key, secret_key, timestamp):
    headers = {'Content-Type': 'application/json', 'Host': host}
    return CncAkSkSigner(access_key, secret_key).sign(method, 'https://%s%s' % (host, uri), headers,
                                                      body.encode('utf-8') if body else b'', now=timestamp)


FIXED = [
    ('GET', 'open.chinanetcenter.com', '/api/ssl/certificate', None),
    ('POST', 'open.chinanetcenter.com', '/api/certificate', '{"name":"www","certificate":"-----BEGIN..."}'),
    ('PUT', 'open.chinanetcenter.com', '/api/certificate/123456', '{"name":"www"}'),
    ('DELETE', 'open.chinanetcenter.com', '/api/certificate/123456', None),
    ('GET', '127.0.0.1:8080', '/api/certificate/1?a=b%20c&x=1', None),
    ('POST', '127.0.0.1:8080', '/api/certificate?ignored=1', '{}'),
]


@pytest.mark.parametrize('method, host, uri, body', FIXED)
def test_aksk_signature_is_the_sdks(method, host, uri, body):
    expected = sdk_authorization(method, host, uri, body, 'AK123', 'secret/+=', 1767225600)
    ours = our_headers(method, host, uri, body, 'AK123', 'secret/+=', 1767225600)
    assert ours['Authorization'] == expected['Authorization']
    assert ours['x-cnc-timestamp'] == expected['x-cnc-timestamp'] == '1767225600'
    assert ours['x-cnc-accessKey'] == expected['x-cnc-accessKey']
    assert ours['x-cnc-auth-method'] == expected['x-cnc-auth-method'] == 'AKSK'


path_text = st.text(alphabet=st.characters(whitelist_categories=('Ll', 'Lu', 'Nd'), whitelist_characters='-_.~'),
                    min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(method=st.sampled_from(['GET', 'POST', 'PUT', 'DELETE']),
       segments=st.lists(path_text, min_size=1, max_size=4),
       query=st.lists(st.tuples(path_text, path_text), max_size=3),
       body=st.one_of(st.none(), st.text(max_size=80)),
       secret=st.text(min_size=1, max_size=40, alphabet=st.characters(min_codepoint=33, max_codepoint=126)),
       timestamp=st.integers(min_value=1500000000, max_value=2000000000),
       port=st.sampled_from(['', ':8080']))
def test_aksk_signature_matches_the_sdk_on_generated_requests(method, segments, query, body, secret, timestamp, port):
    uri = '/' + '/'.join(segments)
    if query:
        uri += '?' + '&'.join('%s=%s' % pair for pair in query)
    host = 'open.chinanetcenter.com' + port
    expected = sdk_authorization(method, host, uri, body, 'AKX', secret, timestamp)
    assert our_headers(method, host, uri, body, 'AKX', secret, timestamp)['Authorization'] == expected['Authorization']


@pytest.mark.skipif(shutil.which('openssl') is None, reason='the seed page computes the password with openssl')
def test_date_auth_is_the_seed_pages_openssl_recipe():
    headers = date_auth_headers('example_username', 'example_apiKey', now=1557047333)
    assert headers['Date'] == 'Sun, 05 May 2019 09:08:53 GMT'
    # echo -en "$date" | openssl dgst -sha1 -hmac $apiKey -binary | openssl enc -base64
    digest = subprocess.run(['openssl', 'dgst', '-sha1', '-hmac', 'example_apiKey', '-binary'],
                            input=headers['Date'].encode(), capture_output=True, check=True).stdout
    password = base64.b64encode(digest).decode()
    expected = base64.b64encode(('example_username:%s' % password).encode()).decode()
    assert headers['Authorization'] == 'Basic ' + expected


def test_errors_carry_code_message_and_request_id():
    error = parse_netcenter_error(400, '{"code":"36540147","message":"private key is not match with public key.",'
                                       '"data":null}', {'x-cnc-request-id': 'req-1'})
    assert (error.status, error.error_code, error.request_id) == (400, '36540147', 'req-1')
    assert error.message == 'private key is not match with public key.'
    garbled = parse_netcenter_error(502, '<html>bad gateway</html>', {})
    assert garbled.message == '<html>bad gateway</html>' and garbled.error_code is None


@pytest.mark.parametrize('params, reason', [
    ({}, 'set access_key and secret_key, or username and api_key'),
    ({'access_key': 'AK'}, 'secret_key is missing'),
    ({'secret_key': 'SK'}, 'access_key is missing'),
    ({'username': 'u'}, 'api_key is missing'),
    ({'api_key': 'k'}, 'username is missing'),
    ({'username': 'u', 'api_key': 'k', 'endpoint': 'open.chinanetcenter.com'}, 'endpoint must be a URL'),
])
def test_incomplete_credentials_are_refused_before_any_request(params, reason):
    with pytest.raises(ConfigurationError) as caught:
        NetcenterClient(dict(params))
    assert reason in str(caught.value)


def test_a_complete_pair_wins_over_half_of_the_other():
    assert NetcenterClient({'username': 'u', 'api_key': 'k', 'access_key': 'AK'}).auth_scheme == 'date'
    assert NetcenterClient({'username': 'u', 'access_key': 'AK', 'secret_key': 'SK'}).auth_scheme == 'aksk'
    assert NetcenterClient({'username': 'u', 'api_key': 'k', 'access_key': 'AK', 'secret_key': 'SK'}).auth_scheme == 'aksk'


def netcenter_params(emulator, scheme, **overrides):
    options = emulator.options
    params = dict(endpoint=emulator.url, timeout=5, max_retries=2, validate_certs=True, ca_bundle=None)
    if scheme == 'aksk':
        params.update(access_key=options.netcenter_access_key, secret_key=options.netcenter_secret_key)
    else:
        params.update(username=options.netcenter_username, api_key=options.netcenter_api_key)
    params.update(overrides)
    return params


@pytest.mark.parametrize('scheme', ['aksk', 'date'])
def test_both_schemes_against_the_emulator(emulator, pki, scheme):
    client = NetcenterClient(netcenter_params(emulator, scheme))
    assert client.auth_scheme == scheme
    answer = client.request('POST', '/api/certificate', body={
        'name': 'www', 'certificate': pki['www.example.com.fullchain.pem'], 'privateKey': pki['www.example.com.key']})
    assert answer.headers['Location'].endswith('/api/certificate/100001')
    (found,) = NetcenterCertificateApi(client).find_by_name('www')
    assert found['id'] == '100001'
    assert found['key_md5'] == md5_hex(pki['www.example.com.key'])


@pytest.mark.parametrize('scheme, overrides, code', [
    ('aksk', {'secret_key': 'wrong'}, 'SignatureDoesNotMatch'),
    ('aksk', {'access_key': 'UNKNOWN'}, 'InvalidAccessKey'),
    ('date', {'api_key': 'wrong'}, 'InvalidPassword'),
    ('date', {'username': 'nobody'}, 'InvalidUser'),
])
def test_wrong_credentials_get_the_services_401(emulator, scheme, overrides, code):
    client = NetcenterClient(netcenter_params(emulator, scheme, **overrides))
    with pytest.raises(ApiError) as caught:
        client.request('GET', '/api/ssl/certificate')
    assert (caught.value.status, caught.value.error_code) == (401, code)
    assert caught.value.request_id
    assert 'wrong' not in str(caught.value)
    named = {'SignatureDoesNotMatch': 'secret_key (WANGSU_SECRET_KEY) was', 'InvalidAccessKey': 'access_key '
             '(WANGSU_ACCESS_KEY) was', 'InvalidPassword': 'api_key (WANGSU_API_KEY) was',
             'InvalidUser': 'username (WANGSU_USERNAME) was'}[code]
    assert caught.value.message.startswith(named + ' refused by the service: ')


@pytest.mark.parametrize('scheme', ['aksk', 'date'])
def test_stale_signatures_are_refused(emulator, scheme):
    client = NetcenterClient(netcenter_params(emulator, scheme))
    an_hour_ago = time.time() - 3600
    with mock.patch('ansible_collections.certfleet.cloud.plugins.module_utils.netcenter.time.time',
                    return_value=an_hour_ago):
        with pytest.raises(ApiError) as caught:
            client.request('GET', '/api/ssl/certificate')
    assert caught.value.error_code == 'RequestExpired'


def test_a_200_with_an_error_code_is_an_error(emulator):
    emulator.admin('POST', 'faults', {'method': 'GET', 'path': '/api/ssl/certificate', 'status': 200,
                                      'body': {'code': '26939999', 'message': 'InternalError'}})
    client = NetcenterClient(netcenter_params(emulator, 'aksk'))
    with pytest.raises(ApiError) as caught:
        client.request('GET', '/api/ssl/certificate')
    assert caught.value.error_code == '26939999'


def test_list_entries_are_normalized():
    entry = normalize_certificate({
        'certificate-id': 7, 'name': 'n', 'certificate-serial': 'ABC', 'certificate-validity-to': '2027-01-01 08:00:00',
        'dns-names': {'dns-name': ['a.example.com']}, 'related-domains': [{'domain-id': 9, 'domain-name': 'a.example.com'}],
        'crt-md5': 'FF'})
    assert entry['id'] == '7' and entry['serial'] == 'abc' and entry['crt_md5'] == 'ff'
    assert entry['not_after'] == '2027-01-01T00:00:00Z'
    assert entry['dns_names'] == ['a.example.com']
    assert entry['related_domains'] == [{'domain_id': '9', 'domain_name': 'a.example.com'}]
    assert cst_to_utc('not a date') == 'not a date'
