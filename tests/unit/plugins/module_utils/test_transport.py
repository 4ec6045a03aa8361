# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import random
import socket

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible_collections.certfleet.cloud.plugins.module_utils import transport as http
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ConfigurationError, UncertainWriteError
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import (
    ApiError, HttpClient, RetryPolicy, decode_json, parse_retry_after, MAX_RETRY_AFTER,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import parse_huaweicloud_error


def make_response(status, body=None, headers=None):
    response = requests.Response()
    response.status_code = status
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    response._content = (body or '').encode('utf-8')  # pylint: disable=protected-access
    response.headers = CaseInsensitiveDict(headers or {})
    response.encoding = 'utf-8'
    return response


class ScriptedSession(requests.Session):
    """Answers each send() with the next scripted response or exception, recording what was sent."""

    def __init__(self, script):
        super().__init__()
        self.script = list(script)
        self.sent = []

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        self.sent.append((request.method, request.url, dict(request.headers), kwargs))
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def client(script, max_retries=3, **kwargs):
    sleeps = []
    session = ScriptedSession(script)
    kwargs.setdefault('parse_error', parse_huaweicloud_error)
    instance = HttpClient(retry_policy=RetryPolicy(max_retries=max_retries, rng=random.Random(7)),
                          sleep=sleeps.append, session=session, request_id_headers=('X-Request-Id',), **kwargs)
    return instance, session, sleeps


# RetryPolicy -------------------------------------------------------------------------------------

def test_backoff_ceiling_grows_exponentially_and_is_capped():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    assert [policy.backoff_ceiling(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


@pytest.mark.parametrize('attempt', range(8))
def test_full_jitter_stays_within_zero_and_the_ceiling(attempt):
    policy = RetryPolicy(base_delay=0.5, max_delay=20.0, rng=random.Random(attempt))
    delays = [policy.delay(attempt) for dummy in range(200)]
    assert min(delays) >= 0
    assert max(delays) <= policy.backoff_ceiling(attempt)
    # Full jitter spreads over the whole interval rather than clustering at the top.
    assert min(delays) < policy.backoff_ceiling(attempt) / 4


def test_retry_after_is_a_lower_bound_and_is_capped():
    policy = RetryPolicy(base_delay=0.1, max_delay=0.2, rng=random.Random(1))
    assert policy.delay(0, retry_after=3) == 3
    assert policy.delay(0, retry_after=10 ** 6) == MAX_RETRY_AFTER


def test_negative_max_retries_is_refused():
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)


@pytest.mark.parametrize('value, expected', [('2', 2.0), (' 1.5 ', 1.5), ('-3', 0.0), ('', None), (None, None),
                                             ('soon', None)])
def test_parse_retry_after_seconds(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date():
    assert parse_retry_after('Wed, 21 Oct 2015 07:28:10 GMT', now=1445412480.0) == pytest.approx(10.0)
    assert parse_retry_after('Wed, 21 Oct 2015 07:28:00 GMT', now=1445412490.0) == 0.0


# Decoding and errors -----------------------------------------------------------------------------

def test_decode_json_empty_body_is_empty_dict():
    assert decode_json('', 204) == {}


def test_decode_json_malformed_body_is_an_api_error():
    with pytest.raises(ApiError) as caught:
        decode_json('{"certificate": <html>', 200, 'rid')
    assert caught.value.error_code == 'MalformedResponse'
    assert caught.value.status == 200
    assert caught.value.request_id == 'rid'


def test_huawei_flat_error_body():
    error = parse_huaweicloud_error(404, json.dumps({'error_code': 'ELB.8904', 'error_msg': 'gone',
                                                     'request_id': 'r1'}), {})
    assert (error.status, error.error_code, error.message, error.request_id) == (404, 'ELB.8904', 'gone', 'r1')


def test_huawei_nested_error_body_and_request_id_header():
    body = json.dumps({'error': {'code': 'PCA.1000', 'message': 'nested'}})
    error = parse_huaweicloud_error(400, body, CaseInsensitiveDict({'X-Request-Id': 'hdr'}))
    assert (error.error_code, error.message, error.request_id) == ('PCA.1000', 'nested', 'hdr')


def test_huawei_non_json_error_body():
    error = parse_huaweicloud_error(502, '<html>Bad Gateway</html>', {})
    assert error.message == '<html>Bad Gateway</html>' and error.error_code is None


def test_error_string_carries_status_code_and_request_id():
    text = str(ApiError('boom', status=409, error_code='ELB.8907', request_id='abc'))
    assert text == 'boom, HTTP 409, error_code=ELB.8907, request_id=abc'


# Retries -----------------------------------------------------------------------------------------

def test_success_returns_decoded_json():
    instance, session, sleeps = client([make_response(200, {'ok': True})])
    body, dummy = instance.request('GET', 'http://svc/x')
    assert body == {'ok': True} and sleeps == [] and len(session.sent) == 1


def test_429_with_retry_after_then_success():
    instance, session, sleeps = client([make_response(429, {'error_code': 'APIGW.0308'}, {'Retry-After': '2'}),
                                        make_response(200, {'ok': 1})])
    body, dummy = instance.request('GET', 'http://svc/x')
    assert body == {'ok': 1}
    assert len(session.sent) == 2
    assert sleeps[0] >= 2


@pytest.mark.parametrize('status', sorted(http.RETRYABLE_STATUSES))
def test_retryable_statuses_give_up_after_max_retries(status):
    instance, session, sleeps = client([make_response(status, {'error_code': 'X', 'error_msg': 'no'})] * 4,
                                       max_retries=3)
    with pytest.raises(ApiError) as caught:
        instance.request('GET', 'http://svc/x')
    assert len(session.sent) == 4 and len(sleeps) == 3
    assert caught.value.status == status
    assert 'gave up after 4 attempts' in caught.value.message


def test_client_errors_are_not_retried():
    instance, session, sleeps = client([make_response(400, {'error_code': 'ELB.8902', 'error_msg': 'bad'})])
    with pytest.raises(ApiError) as caught:
        instance.request('PUT', 'http://svc/x', json_body={'a': 1})
    assert caught.value.error_code == 'ELB.8902' and len(session.sent) == 1 and sleeps == []


def test_connection_errors_on_reads_are_retried():
    instance, session, dummy = client([requests.exceptions.ConnectionError('reset'), make_response(200, {})])
    assert instance.request('GET', 'http://svc/x')[0] == {}
    assert len(session.sent) == 2


def test_create_is_not_resent_after_a_read_timeout_when_recheck_finds_it():
    instance, session, sleeps = client([requests.exceptions.ReadTimeout('slow')])
    rechecks = []

    def recheck():
        rechecks.append(1)
        return {'certificate': {'id': 'found'}}

    body, dummy = instance.request('POST', 'http://svc/x', json_body={'a': 1}, recheck=recheck)
    assert body == {'certificate': {'id': 'found'}}
    assert len(session.sent) == 1 and rechecks == [1] and sleeps == []


def test_create_is_resent_after_recheck_shows_it_did_not_happen():
    instance, session, dummy = client([make_response(503, {}), make_response(201, {'id': 'new'})])
    body, dummy = instance.request('POST', 'http://svc/x', json_body={}, recheck=lambda: None)
    assert body == {'id': 'new'} and len(session.sent) == 2


def test_create_without_recheck_is_never_resent_after_ambiguous_failure():
    instance, session, dummy = client([requests.exceptions.ReadTimeout('slow'), make_response(201, {})])
    with pytest.raises(ApiError) as caught:
        instance.request('POST', 'http://svc/x', json_body={})
    assert 'not safe to repeat' in caught.value.message
    assert len(session.sent) == 1


def test_create_is_resent_after_429_without_recheck():
    instance, session, dummy = client([make_response(429, {}), make_response(201, {'id': 'x'})])
    assert instance.request('POST', 'http://svc/x', json_body={})[0] == {'id': 'x'}
    assert len(session.sent) == 2


def test_connect_timeout_on_create_is_safe_to_retry():
    instance, session, dummy = client([requests.exceptions.ConnectTimeout('no route'), make_response(201, {})])
    instance.request('POST', 'http://svc/x', json_body={})
    assert len(session.sent) == 2


def test_request_id_from_header_when_body_has_none():
    instance, dummy, dummy2 = client([make_response(404, {'error_code': 'ELB.8904', 'error_msg': 'x'},
                                                    {'X-Request-Id': 'from-header'})])
    with pytest.raises(ApiError) as caught:
        instance.request('GET', 'http://svc/x')
    assert caught.value.request_id == 'from-header'


def test_each_attempt_is_signed_again():
    signed = []
    instance, session, dummy = client([make_response(500, {}), make_response(200, {})],
                                      sign=lambda prepared: signed.append(prepared.url))
    instance.request('GET', 'http://svc/x')
    assert len(signed) == 2


def test_tls_options_and_timeout_reach_the_transport():
    instance, session, dummy = client([make_response(200, {})], timeout=7, ca_bundle='/tmp/ca.pem')
    instance.request('GET', 'https://svc/x')
    kwargs = session.sent[0][3]
    assert kwargs['verify'] == '/tmp/ca.pem' and kwargs['timeout'] == 7
    instance, session, dummy = client([make_response(200, {})], validate_certs=False, ca_bundle='/tmp/ca.pem')
    instance.request('GET', 'https://svc/x')
    assert session.sent[0][3]['verify'] is False


def test_json_body_is_sent_with_content_type():
    instance, session, dummy = client([make_response(200, {})])
    instance.request('PUT', 'http://svc/x', json_body={'b': 1, 'a': 2})
    assert session.sent[0][2]['Content-Type'] == 'application/json'


# Lost answers on writes, name resolution, refused connections -------------------------------------

def name_resolution_error():
    inner = socket.gaierror(-2, 'Name or service not known')
    error = requests.exceptions.ConnectionError('HTTPSConnectionPool: Max retries exceeded')
    error.__context__ = inner
    return error


def refused_error():
    error = requests.exceptions.ConnectionError('HTTPConnectionPool: Max retries exceeded')
    error.__context__ = ConnectionRefusedError(111, 'Connection refused')
    return error


def test_a_host_that_does_not_resolve_is_not_retried():
    instance, session, sleeps = client([name_resolution_error(), make_response(200, {})])
    with pytest.raises(ApiError) as caught:
        instance.request('GET', 'https://elb.nowhere.invalid/x')
    assert len(session.sent) == 1 and sleeps == []
    assert caught.value.error_code == 'NameResolutionFailed' and 'check the endpoint option' in caught.value.message


def test_a_refused_connection_is_safe_to_retry_for_a_create():
    instance, session, dummy = client([refused_error(), make_response(201, {'id': 'x'})])
    assert instance.request('POST', 'http://svc/x', json_body={})[0] == {'id': 'x'}
    assert len(session.sent) == 2


def test_a_lost_create_is_polled_for_until_it_shows_up_and_never_resent():
    instance, session, sleeps = client([requests.exceptions.ReadTimeout('slow')], timeout=10)
    answers = [None, None, {'id': 'late'}]
    body, dummy = instance.request('POST', 'http://svc/x', json_body={}, recheck=lambda: answers.pop(0))
    assert body == {'id': 'late'} and len(session.sent) == 1
    assert len(sleeps) == 2 and sum(sleeps) <= 10


def test_a_lost_create_that_never_shows_up_fails_saying_a_rerun_converges():
    instance, session, sleeps = client([requests.exceptions.ConnectionError('reset')], timeout=3)
    rechecks = []
    with pytest.raises(UncertainWriteError) as caught:
        instance.request('POST', 'http://svc/x', json_body={}, recheck=lambda: rechecks.append(1))
    assert len(session.sent) == 1
    assert sum(sleeps) == pytest.approx(3) and len(rechecks) == len(sleeps) + 1
    assert 'may still be acting on it' in caught.value.message and 'Rerun the task' in caught.value.message


def test_a_lost_create_with_no_retries_says_it_may_have_taken_effect():
    instance, session, dummy = client([requests.exceptions.ConnectionError('reset')], max_retries=0)
    with pytest.raises(UncertainWriteError) as caught:
        instance.request('POST', 'http://svc/x', json_body={})
    assert 'may have taken effect' in caught.value.message and 'converges' in caught.value.message


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_busy_waits_use_the_whole_budget():
    clock = FakeClock()
    busy = ApiError('Certificate is in deploying.', error_code='36540026')
    calls = []

    def call():
        calls.append(clock.now)
        raise busy

    with pytest.raises(ApiError) as caught:
        http.call_until_ready(call, lambda error: error.error_code == '36540026', 30,
                              RetryPolicy(base_delay=1.0, max_delay=15.0, rng=random.Random(3)),
                              sleep=clock.sleep, clock=clock)
    assert calls[-1] == pytest.approx(30) and clock.now == pytest.approx(30)
    assert 'still refused after %d attempts over 30 s' % len(calls) in caught.value.message


def test_busy_then_ready_returns_the_answer():
    clock = FakeClock()
    outcomes = [ApiError('busy', error_code='B'), {'ok': True}]

    def call():
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert http.call_until_ready(call, lambda error: error.error_code == 'B', 5, RetryPolicy(), sleep=clock.sleep,
                                 clock=clock) == {'ok': True}


@pytest.mark.parametrize('value', ['127.0.0.1:8080', 'ftp://host', 'https://', '', None, 'http//host'])
def test_endpoints_need_a_scheme_and_a_host(value):
    with pytest.raises(ConfigurationError) as caught:
        http.validate_endpoint(value, 'endpoint', 'https://example')
    assert str(caught.value).startswith('endpoint must be a URL such as https://example')


def test_a_valid_endpoint_loses_its_trailing_slash():
    assert http.validate_endpoint('http://127.0.0.1:8080/', 'endpoint', 'x') == 'http://127.0.0.1:8080'


def test_a_real_refused_connection_is_told_from_a_lost_answer():
    sleeps = []
    instance = HttpClient(retry_policy=RetryPolicy(max_retries=1), sleep=sleeps.append, timeout=2)
    with pytest.raises(ApiError) as caught:
        instance.request('POST', 'http://127.0.0.1:9/nothing-listens-here', json_body={})
    assert not isinstance(caught.value, UncertainWriteError)
    assert instance.attempts == 2 and len(sleeps) == 1
    assert 'gave up after 2 attempts' in caught.value.message


@pytest.mark.parametrize('params, endpoints, expected', [
    ({'validate_certs': True}, [('endpoint', 'https://elb.example.com')], []),
    ({'validate_certs': True}, [('endpoint', 'http://127.0.0.1:8080'), ('iam_endpoint', 'http://localhost:1')], []),
    ({'validate_certs': True}, [('endpoint', 'http://[::1]:8080')], []),
    ({'validate_certs': True}, [('iam_endpoint', 'http://iam.example.com')], ['iam_endpoint is plain http:// to iam.example.com']),
    ({'validate_certs': False}, [], ['validate_certs is false']),
    ({'validate_certs': False, 'ca_bundle': '/etc/ca.pem'}, [], ['ca_bundle (/etc/ca.pem) is not used']),
])
def test_connection_warnings_name_the_option(params, endpoints, expected):
    warnings = http.connection_warnings(params, endpoints)
    assert len(warnings) == len(expected)
    for warning, text in zip(warnings, expected):
        assert text in warning


# Errors that name the fix --------------------------------------------------------------------------

class SteppingClock:
    """A monotonic clock that moves on by ``step`` seconds at every reading."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def test_a_port_that_stays_closed_is_given_up_within_the_refusal_budget_naming_the_option():
    instance, session, sleeps = client([refused_error()] * 10, max_retries=5, clock=SteppingClock(1.1),
                                       endpoint_options=[('http://127.0.0.1:1', 'iam_endpoint')])
    with pytest.raises(ApiError) as caught:
        instance.request('GET', 'http://127.0.0.1:1/v3/projects')
    # 1.1 s a reading: the second refusal comes after the 3 s budget, well before max_retries.
    assert len(session.sent) == 2 and len(sleeps) == 1
    assert caught.value.error_code == 'ConnectionRefused'
    assert caught.value.message.startswith('Connection refused by http://127.0.0.1:1/v3/projects: nothing listens '
                                           'there (check the iam_endpoint option; a refused connection is retried '
                                           'for at most 3 s)')


def test_no_wait_runs_past_the_refusal_budget():
    # 0.9 s a reading: a wait that would end after the 3 s budget is not started.
    instance, session, sleeps = client([refused_error()] * 10, max_retries=5, clock=SteppingClock(0.9))
    with pytest.raises(ApiError):
        instance.request('GET', 'http://127.0.0.1:1/x')
    elapsed = 0.9 * 2 * len(session.sent) + sum(sleeps)
    assert elapsed < 3 + 0.9 * 2 and len(session.sent) < 6


def test_a_refusal_that_clears_within_the_budget_is_retried_to_success():
    instance, session, sleeps = client([refused_error(), make_response(200, {'ok': True})], clock=SteppingClock(0.1))
    assert instance.request('GET', 'http://127.0.0.1:1/x')[0] == {'ok': True}


def test_https_to_a_plain_http_port_says_the_endpoint_may_speak_http():
    error = requests.exceptions.SSLError('[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)')
    instance, session, sleeps = client([error], endpoint_options=[('https://127.0.0.1:8080', 'endpoint')])
    with pytest.raises(ApiError) as caught:
        instance.request('GET', 'https://127.0.0.1:8080/v3/x')
    assert 'it may be a plain-HTTP endpoint; if so, check the endpoint option and use http://127.0.0.1:8080' \
        in caught.value.message
    assert len(session.sent) == 1


def test_other_tls_errors_carry_no_plain_http_hint():
    error = requests.exceptions.SSLError('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed')
    instance, session, sleeps = client([error])
    with pytest.raises(ApiError) as caught:
        instance.request('GET', 'https://elb.example/x')
    assert 'plain-HTTP' not in caught.value.message
