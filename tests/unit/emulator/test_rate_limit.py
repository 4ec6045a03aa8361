# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""--rate-limit: at most N API requests a second per credential; beyond it 429 with the gateway's
throttling body and Retry-After, the request not acted on but logged as throttled; admin calls never
throttled; no limit by default.

Most tests freeze the limiter's clock so that "one second" does not depend on how busy the machine is;
one test waits on the real clock."""

from __future__ import annotations

import base64
import concurrent.futures
import email.utils
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

import pytest
import requests
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkelb.v3 import (
    CreateCertificateOption, CreateCertificateRequest, CreateCertificateRequestBody, ElbClient,
    ListCertificatesRequest,
)

from cloudemu.server import parse_args

HUAWEI_MESSAGE = 'The throttling threshold has been reached: policy user over ratelimit,limit:%d,time:1 second'


class FrozenClock:
    """Stands in for time.monotonic in the limiter: time moves only when a test moves it."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(emulator):
    """A frozen clock for the limiter; the limit and the clock are put back afterwards."""
    state = emulator.state
    frozen = FrozenClock()
    state.limiter.clock = frozen
    try:
        yield frozen
    finally:
        state.rate_limit = 0
        state.limiter.clock = time.monotonic
        state.limiter.reset()


def set_limit(emulator, limit):
    return emulator.admin('POST', 'rate-limit', {'limit': limit})


def elb_path(emulator):
    return '/v3/%s/elb/certificates' % emulator.options.project_id


def send(request):
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec - loopback only
            return response.status, dict(response.headers), json.loads(response.read() or b'{}')
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read() or b'{}')


def huawei_aksk(emulator, method='GET', path=None, payload=None):
    """A request signed by the official SDK's signer with the permanent AK."""
    class Credentials:
        ak = emulator.options.access_key
        sk = emulator.options.secret_key

    body = json.dumps(payload) if payload is not None else ''
    request = SdkRequest(method=method, schema='http', host=emulator.url[len('http://'):],
                         resource_path=path or elb_path(emulator), query_params=[],
                         header_params={'Content-Type': 'application/json'}, body=body)
    Signer(Credentials).sign(request)
    return send(urllib.request.Request(emulator.url + request.uri, data=body.encode('utf-8') or None,
                                       headers=request.header_params, method=method))


def huawei_token(emulator, method='GET', path=None):
    return send(urllib.request.Request(emulator.url + (path or elb_path(emulator)), method=method,
                                       headers={'X-Auth-Token': emulator.options.auth_token}))


def wangsu_aksk(emulator, method, uri, payload=None):
    """Signed by wangsu-sdk-python's own signer (CNC-HMAC-SHA256, the access key)."""
    return emulator.wangsu_sdk_call(method, uri, payload)


def wangsu_user(emulator, method, uri):
    """The Date + HMAC-SHA1 Basic scheme: the username is the credential."""
    date = email.utils.formatdate(usegmt=True)
    password = base64.b64encode(hmac.new(emulator.options.netcenter_api_key.encode('utf-8'), date.encode('utf-8'),
                                         hashlib.sha1).digest()).decode('ascii')
    basic = base64.b64encode(('%s:%s' % (emulator.options.netcenter_username, password)).encode('utf-8'))
    return requests.request(method, emulator.url + uri, timeout=10,
                            headers={'Date': date, 'Authorization': 'Basic ' + basic.decode('ascii')})


def api_entries(emulator):
    return [entry for entry in emulator.requests() if not entry['path'].startswith('/_emulator/')]


def test_the_flag_is_parsed():
    assert parse_args(['--rate-limit', '5']).rate_limit == 5
    assert parse_args([]).rate_limit == 0
    with pytest.raises(SystemExit):
        parse_args(['--rate-limit', '-1'])


def test_no_limit_by_default(emulator):
    assert emulator.state.rate_limit == 0
    assert emulator.admin('GET', 'rate-limit') == {'limit': 0}
    statuses = [huawei_aksk(emulator)[0] for dummy in range(25)]
    assert statuses == [200] * 25
    assert all(entry['throttled'] is False for entry in api_entries(emulator))


def test_a_burst_over_the_limit_gets_the_gateway_429_and_other_credentials_do_not(emulator, clock):
    set_limit(emulator, 3)
    answers = [huawei_aksk(emulator) for dummy in range(5)]
    assert [status for status, dummy, dummy2 in answers] == [200, 200, 200, 429, 429]
    for status, headers, body in answers[3:]:
        assert body == {'error_code': 'APIGW.0308', 'error_msg': HUAWEI_MESSAGE % 3,
                        'request_id': headers['X-Request-Id']}
        assert len(body['request_id']) == 32 and int(body['request_id'], 16) >= 0
        assert headers['Retry-After'] == '1'
    # The same second, other credentials: the token and both Wangsu credentials have their own budgets.
    assert [huawei_token(emulator)[0] for dummy in range(3)] == [200, 200, 200]
    assert huawei_token(emulator)[0] == 429
    assert [wangsu_aksk(emulator, 'GET', '/api/ssl/certificate').status_code for dummy in range(3)] == [200] * 3
    assert [wangsu_user(emulator, 'GET', '/api/ssl/certificate').status_code for dummy in range(3)] == [200] * 3
    refused = wangsu_aksk(emulator, 'GET', '/api/ssl/certificate')
    assert refused.status_code == 429
    assert refused.json() == {'code': 'TooManyRequests', 'data': None,
                              'message': 'the request rate exceeds the limit of 3 requests per second for this '
                                         'credential'}
    assert refused.headers['Retry-After'] == '1' and refused.headers['x-cnc-request-id']
    # Throttled requests are in the log, marked.
    log = api_entries(emulator)
    assert len(log) == 5 + 4 + 3 + 3 + 1
    assert [(entry['status'], entry['throttled']) for entry in log[:5]] == [(200, False)] * 3 + [(429, True)] * 2
    assert sum(entry['throttled'] for entry in log) == 4
    assert all(entry['status'] == 429 for entry in log if entry['throttled'])


def test_a_new_second_lets_requests_through_again(emulator, clock):
    set_limit(emulator, 2)
    assert [huawei_aksk(emulator)[0] for dummy in range(3)] == [200, 200, 429]
    clock.now += 0.5
    assert huawei_aksk(emulator)[0] == 429  # still within the second of the first two
    clock.now += 0.5
    assert [huawei_aksk(emulator)[0] for dummy in range(3)] == [200, 200, 429]


def test_concurrent_callers_share_one_budget(emulator, clock):
    """The server is threaded: parallel requests of one credential are counted exactly."""
    set_limit(emulator, 4)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda dummy: huawei_aksk(emulator)[0], range(12)))
    assert sorted(statuses) == [200] * 4 + [429] * 8
    assert sum(entry['throttled'] for entry in api_entries(emulator)) == 8


def test_a_throttled_write_changes_nothing(emulator, clock, pki):
    set_limit(emulator, 1)
    client = emulator.huawei_sdk_client(ElbClient)

    def create(name):
        option = CreateCertificateOption(name=name, certificate=pki['www.example.com.fullchain.pem'],
                                         private_key=pki['www.example.com.key'])
        return client.create_certificate(CreateCertificateRequest(body=CreateCertificateRequestBody(
            certificate=option))).certificate

    kept = create('first')
    # The official SDK reads the throttling answer as it reads the gateway's.
    with pytest.raises(exceptions.ClientRequestException) as caught:
        create('second')
    assert caught.value.status_code == 429
    assert caught.value.error_code == 'APIGW.0308'
    assert caught.value.error_msg == HUAWEI_MESSAGE % 1
    with pytest.raises(exceptions.ClientRequestException):
        client.list_certificates(ListCertificatesRequest())
    # Another credential sees only the first certificate.
    status, dummy, body = huawei_token(emulator)
    assert status == 200 and [item['id'] for item in body['certificates']] == [kept.id]
    status, dummy, dummy2 = huawei_aksk(emulator, 'DELETE', elb_path(emulator) + '/' + kept.id)
    assert status == 429
    clock.now += 1
    status, dummy, body = huawei_aksk(emulator)
    assert status == 200 and [item['name'] for item in body['certificates']] == ['first']
    created = [entry for entry in api_entries(emulator) if entry['method'] == 'POST']
    assert [(entry['status'], entry['throttled']) for entry in created] == [(201, False), (429, True)]
    assert created[1]['fields'] == created[0]['fields']  # logged like any request


def test_a_throttled_wangsu_write_changes_nothing(emulator, clock, pki):
    set_limit(emulator, 1)
    payload = dict(name='www', certificate=pki['www.example.com.fullchain.pem'],
                   privateKey=pki['www.example.com.key'])
    assert wangsu_aksk(emulator, 'POST', '/api/certificate', payload).status_code == 202
    again = wangsu_aksk(emulator, 'POST', '/api/certificate', dict(payload, name='www2'))
    assert again.status_code == 429 and again.json()['code'] == 'TooManyRequests'
    listed = wangsu_user(emulator, 'GET', '/api/ssl/certificate').json()['ssl-certificates']
    assert [entry['name'] for entry in listed] == ['www']


def test_after_waiting_retry_after_requests_pass(emulator):
    """On the real clock: throttled in a burst, through again once Retry-After seconds have passed."""
    limit = 2
    set_limit(emulator, limit)
    try:
        for dummy in range(20):
            status, headers, dummy = huawei_token(emulator)
            if status == 429:
                break
        assert status == 429
        retry_after = int(headers['Retry-After'])
        assert retry_after >= 1
        time.sleep(retry_after)
        assert [huawei_token(emulator)[0] for dummy in range(limit)] == [200] * limit
    finally:
        set_limit(emulator, 0)
    assert emulator.admin('GET', 'rate-limit') == {'limit': 0}


def test_admin_calls_are_never_throttled_nor_counted(emulator, clock):
    set_limit(emulator, 1)
    for dummy in range(10):
        assert emulator.admin('GET', 'health') == {'status': 'ok'}
        emulator.admin('GET', 'requests')
        emulator.admin('GET', 'clock')
    assert huawei_aksk(emulator)[0] == 200
    assert huawei_aksk(emulator)[0] == 429
    for dummy in range(5):
        assert emulator.admin('GET', 'health') == {'status': 'ok'}
    assert emulator.admin('GET', 'rate-limit') == {'limit': 1}


def test_unauthenticated_requests_are_refused_not_throttled(emulator, clock):
    set_limit(emulator, 1)
    statuses = [send(urllib.request.Request(emulator.url + elb_path(emulator)))[0] for dummy in range(3)]
    assert statuses == [401, 401, 401]
    assert huawei_aksk(emulator)[0] == 200


def test_setting_the_limit_checks_it(emulator, clock):
    for wrong in (-2, 1.5, '3', None, True):
        with pytest.raises(urllib.error.HTTPError) as caught:
            set_limit(emulator, wrong)
        assert caught.value.code == 400, wrong
        caught.value.close()
    assert emulator.admin('GET', 'rate-limit') == {'limit': 0}
    assert set_limit(emulator, 7) == {'limit': 7} and emulator.state.rate_limit == 7
