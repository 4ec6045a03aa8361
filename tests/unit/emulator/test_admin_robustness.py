# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Requests of a wrong shape are answered, never dropped: admin bodies of a wrong type or out of
range get 400 naming the problem; a Content-Length that is not a whole number gets 400, a body over
16 MiB 413 before authentication and without being read; chunked bodies are decoded (within the same
limit); a body that stops coming gets 408; ``--host`` other than a loopback address is warned about.

Raw sockets send what well-behaved clients cannot. Every socket has a timeout, so that a server that
waits for a body that never comes fails the test instead of hanging it."""

from __future__ import annotations

import http.client
import json
import os
import socket
import time

import pytest
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from cloudemu import server as emulator_server_module
from cloudemu.server import host_warning, is_loopback, parse_args

TIMEOUT = 5
README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                      'emulator', 'README.md')


# Helpers ---------------------------------------------------------------------------------------

def connect(emulator):
    return http.client.HTTPConnection('127.0.0.1', emulator.server.server_address[1], timeout=TIMEOUT)


def call(emulator, method, path, body=None, headers=None):
    """One request on a fresh connection: (status, headers, decoded JSON body)."""
    connection = connect(emulator)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        payload = response.read()
        return response.status, response.headers, json.loads(payload) if payload else None
    finally:
        connection.close()


def admin(emulator, method, action, body=None):
    return call(emulator, method, '/_emulator/' + action, body, {'Content-Type': 'application/json'})


def raw(emulator, head, body=b'', half_close=False, check_close=True):
    """Send ``head`` (the request line and headers, CRLF-separated, without the blank line) and
    ``body`` as they are; returns (status, headers, JSON body, whether the server then closed the
    connection: None unless ``check_close``)."""
    sock = socket.create_connection(('127.0.0.1', emulator.server.server_address[1]), timeout=TIMEOUT)
    try:
        sock.sendall(head.encode('latin-1') + b'\r\n\r\n' + body)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock)
        response.begin()
        payload = response.read()
        closed = None
        if check_close:
            try:
                closed = sock.recv(1) == b''
            except socket.timeout:
                closed = False
        return response.status, response.headers, json.loads(payload) if payload else None, closed
    finally:
        sock.close()


def elb_path(emulator):
    return '/v3/%s/elb/certificates' % emulator.options.project_id


def api_entries(emulator):
    return [entry for entry in emulator.requests() if not entry['path'].startswith('/_emulator/')]


@pytest.fixture
def handler(emulator):
    """The server's handler class; the limits a test lowers are put back afterwards."""
    handler_class = emulator.server.RequestHandlerClass
    saved = handler_class.max_body, handler_class.body_timeout
    yield handler_class
    handler_class.max_body, handler_class.body_timeout = saved


# Admin calls of a wrong shape ----------------------------------------------------------------------

def test_a_list_to_seed_is_a_400_naming_the_problem_and_the_connection_stays_usable(emulator):
    connection = connect(emulator)
    try:
        connection.request('POST', '/_emulator/seed', body='[{"elb": {}}]')
        response = connection.getresponse()
        assert response.status == 400
        assert json.loads(response.read()) == {'error': 'seed: the body must be a JSON object, not a list'}
        assert not response.will_close
        sock = connection.sock
        connection.request('GET', '/_emulator/health')
        response = connection.getresponse()
        assert (response.status, json.loads(response.read())) == (200, {'status': 'ok'})
        assert connection.sock is sock  # the same connection answered
    finally:
        connection.close()


@pytest.mark.parametrize('body, message', [
    ({'elb': []}, 'seed: elb: the data must be a JSON object, not a list'),
    ({'vpn': 'gateways'}, 'seed: vpn: the data must be a JSON object, not a string'),
    ({'nosuch': {}, 'elb': {}}, "seed: unknown service 'nosuch'"),
    ({'elb': {'certificates': 'abc'}}, 'seed: elb: a value has the wrong type'),
    ({'vpn': {'gateways': [{'flavor': 'GM'}]}}, "seed: vpn: a field is missing or an id unknown: 'name'"),
    ({'elb': {'certificates': [{'name': 'x', 'copies': 10 ** 9}]}}, 'seed: copies must be a whole number from 0 to 100000'),
    ({'elb': {'certificates': [{'name': 'x', 'copies': -1}]}}, 'seed: copies must be a whole number from 0 to 100000'),
    ({'netcenter': {'certificates': [{'name': 'x', 'copies': 2.5}]}},
     'seed: copies must be a whole number from 0 to 100000, not 2.5'),
    ({'netcenter': {'deploying': {'12345': 1}}}, 'seed: netcenter: a field is missing or an id unknown'),
])
def test_seed_data_of_a_wrong_shape_is_a_400(emulator, body, message):
    started = time.monotonic()
    status, dummy, answer = admin(emulator, 'POST', 'seed', body)
    assert status == 400, answer
    assert answer['error'].startswith(message), answer
    assert time.monotonic() - started < 2


def test_an_unknown_service_in_a_seed_seeds_nothing(emulator):
    status, dummy, dummy2 = admin(emulator, 'POST', 'seed', {'vpn': {'gateways': [{'name': 'gw'}]}, 'nosuch': {}})
    assert status == 400
    assert emulator.state.services['vpn'].gateways == {}


def test_a_seed_number_out_of_range_is_a_400(emulator):
    # CCM's validity_days would overflow a date; VPN's settle_reads may not be Infinity (not JSON).
    status, dummy, answer = admin(emulator, 'POST', 'seed', {'ccm': {'authorities': [
        {'common_name': 'Huge CA', 'validity_days': 1e300}]}})
    assert status == 400 and answer['error'].startswith('seed: ccm: a value has the wrong type or is out of range')
    status, dummy, answer = admin(emulator, 'POST', 'seed', '{"vpn": {"settle_reads": Infinity}}')
    assert status == 400
    assert answer == {'error': 'seed: the body is not JSON: Infinity is not a JSON number'}


@pytest.mark.parametrize('body, message', [
    ('"drop everything"', 'faults: the body must be a JSON object (one rule) or a list of them, not a string'),
    ('42', 'faults: the body must be a JSON object (one rule) or a list of them, not a number'),
    ('', 'faults: the body must be a JSON object (one rule) or a list of them, not an empty body'),
    ([{'status': 500}, 'x'], 'faults[1]: a fault rule must be a JSON object, not a string'),
    ({'stauts': 500}, 'faults: unknown field \'stauts\''),
    ({'count': -1}, 'faults: count must be a whole number from 1 to 1000000000, not -1'),
    ({'count': 1.5}, 'faults: count must be a whole number from 1 to 1000000000, not 1.5'),
    ({'count': '2'}, 'faults: count must be a whole number from 1 to 1000000000, not a string'),
    ({'delay': 1e300}, 'faults: delay must be a number from 0 to 3600.0, not 1e+300'),
    ({'delay': -1}, 'faults: delay must be a number from 0 to 3600.0, not -1'),
    ('{"delay": NaN}', 'faults: the body is not JSON: NaN is not a JSON number'),
    ('{"delay": 1e400}', 'faults: the body is not JSON: \'1e400\' is out of range of a number'),
    ({'status': 'teapot'}, 'faults: status must be a whole number from 200 to 599, not a string'),
    ({'status': 99999}, 'faults: status must be a whole number from 200 to 599, not 99999'),
    ({'path': '(['}, 'faults: path is not a regular expression'),
    ({'path': 7}, 'faults: path must be a regular expression (a string), not a number'),
    ({'method': ['GET']}, 'faults: method must be an HTTP method'),
    ({'drop': 'yes'}, 'faults: drop must be true or false, not a string'),
    ({'headers': ['Retry-After']}, 'faults: headers must be a JSON object of names and values, not a list'),
    ({'headers': {'X-A': 'b\r\nSet-Cookie: c=d'}}, 'faults: headers: the value of X-A holds a line break or NUL'),
    ({'headers': {'Bad Name': '1'}}, "faults: headers: 'Bad Name' is not a header name"),
    ({'headers': {'X-A\n': '1'}}, "faults: headers: 'X-A\\n' is not a header name"),
    ({'method': 'GET\n'}, 'faults: method must be an HTTP method'),
    ({'headers': {'Content-Length': '0'}}, 'faults: headers: the emulator sets Content-Length itself'),
    ({'headers': {'Retry-After': None}}, 'faults: headers: Retry-After must be a string, not null'),
])
def test_fault_rules_of_a_wrong_shape_are_a_400_and_nothing_is_added(emulator, body, message):
    status, dummy, answer = admin(emulator, 'POST', 'faults', body)
    assert status == 400, answer
    assert answer['error'].startswith(message), answer
    assert emulator.state.faults == []


def test_well_formed_fault_rules_are_still_taken(emulator):
    status, dummy, answer = admin(emulator, 'POST', 'faults', [
        {'method': 'GET', 'path': '/elb/certificates$', 'status': 429, 'headers': {'Retry-After': '1'}, 'count': 2},
        {'method': 'POST', 'path': '/api/certificate$', 'drop': True, 'after': True, 'count': 1},
        {'method': 'POST', 'path': '/elb/certificates$', 'delay': 2.5, 'count': 1, 'status': None, 'body': None}])
    assert (status, answer) == (201, {'faults': 3})


@pytest.mark.parametrize('body, message', [
    ({'advance_days': 1e300}, 'clock: advance_days must be a number from 0 to 36500, not 1e+300'),
    ({'advance_days': 10 ** 30}, 'clock: advance_days must be a number from 0 to 36500'),
    ({'advance_seconds': 1e18}, 'clock: advance_seconds must be a number from 0 to 3153600000'),
    ('{"advance_days": NaN}', 'clock: the body is not JSON: NaN is not a JSON number'),
    ('{"advance_days": Infinity}', 'clock: the body is not JSON: Infinity is not a JSON number'),
    ('{"advance_days": -Infinity}', 'clock: the body is not JSON: -Infinity is not a JSON number'),
    ({'advance_days': -1}, 'clock: advance_days must not be negative: the clock only moves forward'),
    ({'advance_days': '10'}, 'clock: advance_days must be a number from 0 to 36500, not a string'),
    ({'advance_days': True}, 'clock: advance_days must be a number from 0 to 36500, not a boolean'),
    ({'advance_hours': 1}, "clock: unknown field 'advance_hours'"),
    ({'reset': 'yes'}, 'clock: reset must be true or false, not a string'),
    ([10], 'clock: the body must be a JSON object, not a list'),
    ('{"advance_days": ', 'clock: the body is not JSON'),
    ('[' * 100000, 'clock: the body is nested too deeply'),
    (b'\xff\xfe', 'clock: the body is not UTF-8 JSON'),
])
def test_clock_values_out_of_range_or_of_a_wrong_type_are_a_400_and_the_clock_stays(emulator, body, message):
    started = time.monotonic()
    status, dummy, answer = admin(emulator, 'POST', 'clock', body)
    assert status == 400, answer
    assert answer['error'].startswith(message), answer
    assert time.monotonic() - started < 2
    assert emulator.admin('GET', 'clock')['offset_seconds'] == 0


def test_reset_puts_the_clock_back_to_the_real_one_and_keeps_the_state(emulator):
    emulator.admin('POST', 'seed', {'vpn': {'gateways': [{'id': 'a' * 8 + '-0000-4000-8000-' + 'b' * 12,
                                                          'name': 'gm-keep', 'flavor': 'GM'}]}})
    assert admin(emulator, 'POST', 'clock', {'advance_days': 30})[2]['offset_seconds'] == 30 * 86400
    status, dummy, answer = admin(emulator, 'POST', 'clock', {'reset': True})
    assert (status, answer['offset_seconds']) == (200, 0)
    status, dummy, answer = admin(emulator, 'POST', 'clock', {'reset': True, 'advance_days': 2})
    assert (status, answer['offset_seconds']) == (200, 2 * 86400)
    # Only the clock: the seeded gateway is still there.
    assert 'gm-keep' in json.dumps(emulator.state.services['vpn'].gateways, default=str)


def test_the_clock_runs_at_most_100_years_ahead(emulator):
    assert admin(emulator, 'POST', 'clock', {'advance_days': 36000})[0] == 200
    status, dummy, answer = admin(emulator, 'POST', 'clock', {'advance_days': 600})
    assert status == 400
    assert answer['error'].startswith('clock: the emulated clock runs at most 36500 days ahead of the real one')
    assert emulator.admin('GET', 'clock')['offset_seconds'] == 36000 * 86400
    assert admin(emulator, 'POST', 'clock', {'advance_days': 499.5, 'advance_seconds': 3600})[0] == 200


@pytest.mark.parametrize('body, message', [
    ([5], 'rate-limit: give {"limit": N}'),
    ({}, 'rate-limit: the field limit is missing'),
    ({'limit': 10 ** 30}, 'rate-limit: limit must be a whole number from 0 to 1000000'),
    ({'limit': 1e300}, 'rate-limit: limit must be a whole number from 0 to 1000000, not 1e+300'),
    ({'limit': -1}, 'rate-limit: limit must be a whole number from 0 to 1000000, not -1'),
    ('{"limit": NaN}', 'rate-limit: the body is not JSON: NaN is not a JSON number'),
    ({'limit': 5, 'burst': 2}, "rate-limit: unknown field 'burst'"),
])
def test_rate_limits_of_a_wrong_shape_are_a_400(emulator, body, message):
    status, dummy, answer = admin(emulator, 'POST', 'rate-limit', body)
    assert status == 400, answer
    assert answer['error'].startswith(message), answer
    assert emulator.state.rate_limit == 0


def test_the_rate_limit_flag_has_the_same_range():
    assert parse_args(['--rate-limit', '1000000']).rate_limit == 1000000
    with pytest.raises(SystemExit):
        parse_args(['--rate-limit', '1000001'])


@pytest.mark.parametrize('method, action, body', [
    ('POST', 'reset', [1]), ('POST', 'reset', {'everything': True}), ('GET', 'health', '"x"'),
    ('DELETE', 'requests', {'since': 3}), ('DELETE', 'faults', [{}]), ('GET', 'clock', {'advance_days': 1}),
    ('GET', 'rate-limit', {'limit': 1}),
])
def test_calls_that_take_no_body_refuse_one(emulator, method, action, body):
    status, dummy, answer = admin(emulator, method, action, body)
    assert status == 400, answer
    assert answer['error'].startswith('%s: the call takes no body (send none, or {})' % action), answer


def test_calls_that_take_no_body_accept_an_empty_object_or_null(emulator):
    assert admin(emulator, 'POST', 'reset', {})[::2] == (200, {'status': 'reset'})
    assert admin(emulator, 'POST', 'reset', 'null')[::2] == (200, {'status': 'reset'})
    assert admin(emulator, 'DELETE', 'faults', {})[::2] == (200, {'status': 'cleared'})


@pytest.mark.parametrize('since', ['abc', '-1', '1e3', '9' * 5000])
def test_requests_since_must_be_a_whole_number(emulator, since):
    status, dummy, answer = admin(emulator, 'GET', 'requests?since=' + since)
    assert status == 400, answer
    assert answer['error'].startswith('requests: since must be a whole number from 0'), answer


def test_a_known_call_with_another_method_is_a_405_with_allow(emulator):
    status, headers, answer = admin(emulator, 'PUT', 'clock', {'advance_days': 1})
    assert status == 405
    assert headers['Allow'] == 'GET, POST'
    assert answer == {'error': 'clock: the call takes GET or POST, not PUT'}
    assert admin(emulator, 'GET', 'nosuch')[0] == 404


def test_a_failure_of_the_emulator_itself_is_a_500_not_a_dropped_connection(emulator, monkeypatch):
    def broken(data):
        raise RuntimeError('boom')

    monkeypatch.setattr(emulator.state.services['iam'], 'seed', broken)
    status, headers, answer = admin(emulator, 'POST', 'seed', {'iam': {}})
    assert status == 500
    assert answer == {'error': 'the emulator failed: RuntimeError: boom'}
    assert headers['Connection'] == 'close'


# Content-Length, body size, chunked bodies -------------------------------------------------------

@pytest.mark.parametrize('value', ['abc', '-1', '1.5', '+5', '0x10', '5 5', ''])
def test_a_content_length_that_is_not_a_whole_number_is_a_400_and_the_connection_closed(emulator, value):
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/clock HTTP/1.1\r\nHost: x\r\n'
                                                  'Content-Length: %s' % value, b'{}')
    assert status == 400
    assert answer['error'].startswith('Content-Length must be a whole number of bytes from 0'), answer
    assert closed


def test_a_bad_content_length_on_an_api_path_gets_the_service_s_400(emulator):
    status, headers, answer, closed = raw(emulator, 'POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: -1'
                                          % elb_path(emulator))
    assert status == 400 and closed
    assert answer['error_code'] == 'ELB.8902'
    assert answer['error_msg'] == "Content-Length must be a whole number of bytes from 0, not '-1'"
    assert answer['request_id'] == headers['X-Request-Id']


def test_different_content_lengths_are_a_400(emulator):
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/clock HTTP/1.1\r\nHost: x\r\n'
                                                  'Content-Length: 2\r\nContent-Length: 3', b'{}')
    assert status == 400 and closed
    assert answer['error'].startswith('the request has several different Content-Length headers')


def test_the_body_limit_is_16_mib():
    assert emulator_server_module.MAX_BODY == 16 * 1024 * 1024


def test_a_huge_unauthenticated_body_is_refused_413_before_authentication_without_being_read(emulator):
    # 500 MB announced, none sent: an answer at once shows the body is not waited for (nor read).
    started = time.monotonic()
    status, headers, answer, closed = raw(emulator, 'POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                                                    'Content-Length: %d' % (elb_path(emulator), 500 * 1024 * 1024))
    assert time.monotonic() - started < 2
    assert status == 413  # not 401: the size is judged before the signature
    assert answer == {'error_code': 'RequestEntityTooLarge', 'error_msg': 'the request body of 524288000 bytes is over '
                      'the limit of 16777216 bytes', 'request_id': headers['X-Request-Id']}
    assert headers['Connection'] == 'close' and closed
    assert [(entry['method'], entry['status'], entry['service']) for entry in api_entries(emulator)] == \
        [('POST', 413, 'elb')]


def test_one_byte_over_the_limit_is_a_413_for_every_service_in_its_own_shape(emulator):
    over = 16 * 1024 * 1024 + 1
    status, dummy, answer, closed = raw(emulator, 'POST /api/certificate HTTP/1.1\r\nHost: x\r\nContent-Length: %d' % over)
    assert (status, closed) == (413, True)
    assert answer == {'code': 'RequestEntityTooLarge', 'data': None,
                      'message': 'the request body of 16777217 bytes is over the limit of 16777216 bytes'}
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/seed HTTP/1.1\r\nHost: x\r\nContent-Length: %d' % over)
    assert (status, closed) == (413, True)
    assert answer == {'error': 'the request body of 16777217 bytes is over the limit of 16777216 bytes'}
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/seed HTTP/1.1\r\nHost: x\r\nContent-Length: ' + '9' * 5000)
    assert status == 413 and closed


def test_expect_100_continue_over_the_limit_is_refused_before_the_body(emulator):
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/seed HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n'
                                                  'Content-Length: %d' % (500 * 1024 * 1024))
    assert status == 413 and closed  # not "100 Continue"


def test_a_body_shorter_than_its_content_length_is_a_400(emulator):
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 10',
                                        b'{"a"', half_close=True)
    assert status == 400 and closed
    assert answer == {'error': 'the body ended after 4 of the 10 bytes of its Content-Length'}


def test_a_body_that_stops_coming_is_a_408_and_frees_the_thread(emulator, handler):
    handler.body_timeout = 0.3
    started = time.monotonic()
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 10',
                                        b'{"a"')
    assert time.monotonic() - started < 3
    assert status == 408 and closed
    assert answer == {'error': 'the request body did not arrive within 0.3 seconds'}


def chunked(*chunks, trailer=b''):
    return b''.join(b'%x\r\n%s\r\n' % (len(chunk), chunk) for chunk in chunks) + b'0\r\n' + trailer + b'\r\n'


def test_a_chunked_admin_body_is_decoded_and_the_connection_kept(emulator):
    body = json.dumps({'method': 'GET', 'path': '/elb/certificates$', 'status': 503}).encode('utf-8')
    sock = socket.create_connection(('127.0.0.1', emulator.server.server_address[1]), timeout=TIMEOUT)
    answers = []
    try:
        # Had the body been left unread, its bytes would be taken for the next request on the connection.
        for request in (b'POST /_emulator/faults HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
                        + chunked(body[:7], body[7:20], body[20:], trailer=b'X-Checksum: none\r\n'),
                        b'GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n'):
            sock.sendall(request)
            response = http.client.HTTPResponse(sock)
            response.begin()
            answers.append((response.status, json.loads(response.read())))
    finally:
        sock.close()
    assert answers == [(201, {'faults': 1}), (200, {'status': 'ok'})]
    assert emulator.state.faults[0].status == 503


def test_a_chunked_signed_api_body_is_decoded_before_the_signature_is_checked(emulator, pki):
    class Credentials:
        ak = emulator.options.access_key
        sk = emulator.options.secret_key

    body = json.dumps({'certificate': {'name': 'chunked', 'type': 'client', 'certificate': pki['ca.pem']}})
    request = SdkRequest(method='POST', schema='http', host=emulator.url[len('http://'):],
                         resource_path=elb_path(emulator), query_params=[],
                         header_params={'Content-Type': 'application/json'}, body=body)
    Signer(Credentials).sign(request)
    connection = connect(emulator)
    try:
        encoded = body.encode('utf-8')
        # An iterable body without Content-Length: http.client sends it chunked.
        connection.request('POST', request.uri, body=iter([encoded[:100], encoded[100:]]),
                           headers=request.header_params, encode_chunked=True)
        response = connection.getresponse()
        answer = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 201, answer
    assert answer['certificate']['name'] == 'chunked'


@pytest.mark.parametrize('payload, message', [
    (b'zz\r\n{}\r\n0\r\n\r\n', "chunked body: 'zz' is not a chunk size (hexadecimal digits)"),
    (b'-2\r\n{}\r\n0\r\n\r\n', "chunked body: '-2' is not a chunk size (hexadecimal digits)"),
    (b'2\r\n{}xx\r\n0\r\n\r\n', 'chunked body: a chunk of 2 bytes is not followed by CRLF'),
    (b'2\r\n{}\r\n', 'chunked body: the body ended before its last (zero-size) chunk'),
    (b'10\r\n{}', 'chunked body: the body ended inside a chunk'),
    (b'1' * 5000 + b'\r\n', 'chunked body: a line is longer than 4096 bytes'),
])
def test_a_malformed_chunked_body_is_a_400(emulator, payload, message):
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/faults HTTP/1.1\r\nHost: x\r\n'
                                                  'Transfer-Encoding: chunked', payload, half_close=True)
    assert status == 400 and closed
    assert answer == {'error': message}


def test_a_chunked_body_over_the_limit_is_a_413_decided_from_the_chunk_size(emulator):
    # One chunk announced at 16 MiB + 1 byte, nothing of it sent.
    status, dummy, answer, closed = raw(emulator, 'POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked'
                                        % elb_path(emulator), b'%x\r\n' % (16 * 1024 * 1024 + 1))
    assert status == 413 and closed
    assert answer['error_code'] == 'RequestEntityTooLarge'
    assert answer['error_msg'] == 'the chunked request body is over the limit of 16777216 bytes'


def test_chunks_adding_up_past_the_limit_are_a_413(emulator, handler):
    handler.max_body = 10
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/faults HTTP/1.1\r\nHost: x\r\n'
                                                  'Transfer-Encoding: chunked', b'6\r\n{"a":1\r\n6\r\n')
    assert status == 413 and closed
    assert answer == {'error': 'the chunked request body is over the limit of 10 bytes'}


def test_other_transfer_codings_are_a_501_and_with_a_content_length_a_400(emulator):
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/faults HTTP/1.1\r\nHost: x\r\n'
                                                  'Transfer-Encoding: gzip, chunked', b'0\r\n\r\n')
    assert status == 501 and closed
    assert answer == {'error': "Transfer-Encoding 'gzip, chunked' is not supported: only chunked is"}
    status, dummy, answer, closed = raw(emulator, 'POST /_emulator/faults HTTP/1.1\r\nHost: x\r\n'
                                                  'Transfer-Encoding: chunked\r\nContent-Length: 5', b'0\r\n\r\n')
    assert status == 400 and closed
    assert answer == {'error': 'a request may not have both Transfer-Encoding and Content-Length'}


def test_a_deeply_nested_api_body_is_answered_not_dropped(emulator):
    status, dummy, answer, dummy2 = raw(emulator, 'POST /api/certificate HTTP/1.1\r\nHost: x\r\nContent-Length: 100000',
                                        b'[' * 100000, check_close=False)
    # Refused (unsigned: 401), not dropped; the log still takes the request.
    assert status == 401, answer
    assert api_entries(emulator)[-1]['fields'] == []


# --host ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('host', ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost'])
def test_loopback_hosts_are_not_warned_about(host):
    assert is_loopback(host)
    assert host_warning(host) is None


@pytest.mark.parametrize('host', ['0.0.0.0', '', '::', '192.0.2.10', 'no-such-host.invalid'])
def test_other_hosts_are_warned_about(host):
    assert not is_loopback(host)
    assert 'not a loopback address' in host_warning(host)


def test_main_warns_on_stderr_when_the_host_is_not_loopback(monkeypatch, capsys):
    class FakeServer:
        server_address = ('0.0.0.0', 8080)

        def serve_forever(self):
            raise KeyboardInterrupt

        def server_close(self):
            pass

    made = []
    monkeypatch.setattr(emulator_server_module, 'make_server',
                        lambda options, port, host: made.append(host) or FakeServer())
    assert emulator_server_module.main(['--host', '0.0.0.0', '--port', '8080']) == 0
    captured = capsys.readouterr()
    assert made == ['0.0.0.0']
    assert captured.out == 'ready http://0.0.0.0:8080\n'
    assert "WARNING: the emulator listens on '0.0.0.0', not a loopback address" in captured.err
    assert emulator_server_module.main(['--port', '8080']) == 0
    assert capsys.readouterr().err == ''
    assert parse_args([]).host == '127.0.0.1'


def test_the_readme_documents_the_host_and_the_limits():
    with open(README, encoding='utf-8') as handle:
        text = handle.read()
    for needle in ('--host', '16 MiB', '413', 'chunked', '408', '501', '36500', '3600'):
        assert needle in text, needle
