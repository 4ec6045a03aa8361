# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The TLS probe: its options, a real handshake against the emulator's TLS listener, waiting for a
switch, unreachable and silent endpoints, and probes from many threads at once."""

from __future__ import annotations

import hashlib
import socket
import ssl
import threading

import pytest
from cloudemu.tls import TlsListener

from ansible_collections.certfleet.cloud.plugins.module_utils import probe
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError


def leaf_fingerprint(pem_text):
    first = pem_text.split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----\n'
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(first)).hexdigest()


class Serving:
    """A TLS listener whose certificate the test switches."""

    def __init__(self, pair):
        self.pair = pair
        self.listener = TlsListener('test', lambda: [self.pair] if self.pair else [])

    @property
    def port(self):
        return self.listener.port


@pytest.fixture
def serving(pki):
    served = Serving((pki['www.example.com.fullchain.pem'], pki['www.example.com.key']))
    yield served
    served.listener.close()


def one(**options):
    return probe.parse_probes([dict(dict(host='127.0.0.1'), **options)])[0]


def test_options_get_their_defaults_and_types():
    parsed = probe.parse_probes([{'host': 'lb.example.com'}, {'host': '127.0.0.1', 'port': '8443', 'retries': '0',
                                                              'server_name': 'www.example.com', 'timeout': None}])
    assert parsed[0] == probe.Probe('lb.example.com', 443, None, 10.0, 3, 5.0)
    assert parsed[1] == probe.Probe('127.0.0.1', 8443, 'www.example.com', 10.0, 0, 5.0)
    assert probe.parse_probes(None) == () and probe.parse_probes([]) == ()


@pytest.mark.parametrize('given, field, reason', [
    ([{'port': 443}], 'probes[0]', 'host'),
    ([{'host': '  '}], 'probes[0].host', 'is empty'),
    ([{'host': 'a'}, {'host': 'b', 'port': 70000}], 'probes[1].port', '1 to 65535'),
    ([{'host': 'a', 'port': 'https'}], 'probes[0]', 'port'),
    ([{'host': 'a', 'timeout': 0}], 'probes[0].timeout', 'more than 0'),
    ([{'host': 'a', 'retries': -1}], 'probes[0].retries', '0 or more'),
    ([{'host': 'a', 'delay': -2}], 'probes[0].delay', '0 or more'),
    ([{'host': 'a', 'colour': 'red'}], 'probes[0]', 'colour'),
    (['a:443'], 'probes[0]', 'must be a dict'),
    ({'host': 'a'}, 'probes', 'must be a list'),
])
def test_a_bad_probe_is_refused_naming_its_place_and_option(given, field, reason):
    with pytest.raises(InputError) as caught:
        probe.parse_probes(given)
    assert caught.value.field == field and reason in caught.value.reason


def test_a_gm_gateway_cannot_be_probed_and_says_why():
    with pytest.raises(InputError) as caught:
        probe.check_service('vpn', probe.parse_probes([{'host': 'vpn.example.com'}]))
    assert caught.value.field == 'probes' and 'TLCP' in caught.value.reason
    probe.check_service('vpn', ())
    probe.check_service('elb', probe.parse_probes([{'host': 'lb.example.com'}]))


def test_sni_is_the_server_name_else_a_host_name_never_an_address():
    assert probe.sent_server_name(one(server_name='www.example.com')) == 'www.example.com'
    assert probe.sent_server_name(probe.Probe('lb.example.com', 443, None, 1, 0, 0)) == 'lb.example.com'
    assert probe.sent_server_name(one()) is None
    assert probe.sent_server_name(probe.Probe('[::1]', 443, None, 1, 0, 0)) is None


def test_the_served_leaf_matches_the_deployed_one(serving, pki):
    result = probe.run_probe(one(port=serving.port, server_name='www.example.com', retries=0),
                             leaf_fingerprint(pki['www.example.com.pem']))
    assert result['matches'] is True and result['error'] is None and result['attempts'] == 1
    assert result['served']['sha256_fingerprint'] == leaf_fingerprint(pki['www.example.com.pem'])
    assert result['served']['sans'] == ['www.example.com'] and result['server_name'] == 'www.example.com'


def test_another_certificate_is_retried_then_reported_with_what_was_served(serving, pki):
    sleeps = []
    expected = leaf_fingerprint(pki['www.example.com-rotated.pem'])
    result = probe.run_probe(one(port=serving.port, retries=2, delay=1.5), expected, sleep=sleeps.append)
    assert result['matches'] is False and result['attempts'] == 3 and sleeps == [1.5, 1.5]
    assert result['served']['sha256_fingerprint'] == leaf_fingerprint(pki['www.example.com.pem'])
    text = probe.failure_text(result, {'serial': 'ABCD'})
    assert text.startswith('probe 127.0.0.1:%d serves serial %s' % (serving.port, result['served']['serial']))
    assert 'not the deployed serial ABCD; 3 attempts' in text


def test_a_listener_that_switches_while_the_probe_waits_is_seen(serving, pki):
    rotated = (pki['www.example.com-rotated.fullchain.pem'], pki['www.example.com-rotated.key'])

    def switch(seconds):
        serving.pair = rotated

    result = probe.run_probe(one(port=serving.port, retries=5, delay=0.5),
                             leaf_fingerprint(pki['www.example.com-rotated.pem']), sleep=switch)
    assert result['matches'] is True and result['attempts'] == 2


def closed_port():
    with socket.socket() as spare:
        spare.bind(('127.0.0.1', 0))
        return spare.getsockname()[1]


def test_an_unreachable_endpoint_is_an_error_not_an_exception(pki):
    port = closed_port()
    result = probe.run_probe(one(port=port, retries=1, delay=0), 'ab' * 32, sleep=lambda seconds: None)
    assert result['matches'] is False and result['served'] is None and result['attempts'] == 2
    assert result['error'].startswith('cannot connect')
    assert probe.failure_text(result, None) == 'probe 127.0.0.1:%d: %s; 2 attempts' % (port, result['error'])


def test_an_endpoint_that_never_answers_times_out():
    silent = socket.create_server(('127.0.0.1', 0))
    try:
        result = probe.run_probe(one(port=silent.getsockname()[1], timeout=0.3, retries=0), 'ab' * 32)
    finally:
        silent.close()
    assert result['error'] == 'timed out' and result['attempts'] == 1


def test_an_endpoint_without_a_certificate_to_serve_fails_the_handshake(serving):
    serving.pair = None
    result = probe.run_probe(one(port=serving.port, retries=0), 'ab' * 32)
    assert result['matches'] is False and result['served'] is None
    assert result['error'].startswith(('TLS handshake failed', 'cannot connect'))


def test_probes_from_many_threads_at_once_each_get_their_own_answer(serving, pki):
    expected = leaf_fingerprint(pki['www.example.com.pem'])
    results = []
    lock = threading.Lock()

    def worker(index):
        # Half of them expect another certificate: a thread's outcome never leaks into another's.
        wanted = expected if index % 2 == 0 else 'ab' * 32
        result = probe.run_probe(one(port=serving.port, retries=0, server_name='www.example.com'), wanted)
        with lock:
            results.append((index, result['matches']))

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [(index, index % 2 == 0) for index in range(12)]


def test_an_answer_that_is_no_certificate_is_reported_as_such():
    outcomes = iter([None, b'not DER at all'])
    result = probe.run_probe(one(port=443, retries=1, delay=0), 'ab' * 32,
                             handshake=lambda *args: next(outcomes), sleep=lambda seconds: None)
    assert result['matches'] is False and result['attempts'] == 2
    assert result['error'].startswith('the served certificate does not parse')
    result = probe.run_probe(one(port=443, retries=0), 'ab' * 32, handshake=lambda *args: None)
    assert result['error'] == 'the endpoint sent no certificate' and result['served'] is None
